"""Process KPIs computed from the engine's history: cycle time, throughput, error and
quality rates, control charts and event-log exports."""
