"""Asynchronous work with the database as the queue and Celery as the doorbell.

- ``queue.schedule`` writes a job row inside the caller's transaction;
- after commit, ``doorbell.ring`` tells a worker (a Celery task, or the embedded worker
  thread when no broker is configured) which job to run and with which lease token;
- ``executor.run_job`` runs it under that lease and deletes it with its effects, or
  records the failure and schedules a retry with backoff;
- ``dispatcher.dispatch`` (Celery beat, or the embedded worker's loop) leases due jobs,
  timers and jobs whose lease expired because a worker died, and rings for them.

Both modes run the same ``executor.run_job``: embedded mode is not a separate code path.
"""
