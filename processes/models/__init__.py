"""Django models of the processes app, one module per concern."""

from processes.models.jobs import Job, WorkerHeartbeat

__all__ = ["Job", "WorkerHeartbeat"]
