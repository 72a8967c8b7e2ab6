"""Process definitions, instances, tasks, jobs and the engine that runs them."""
