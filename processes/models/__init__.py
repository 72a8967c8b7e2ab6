"""Django models of the processes app, one module per concern."""

from processes.models.audit import AuditEntry
from processes.models.definitions import Deployment, Draft, ProcessDefinition
from processes.models.jobs import Job, WorkerHeartbeat
from processes.models.runtime import (
    ActivityInstance,
    EventSubscription,
    Incident,
    ProcessInstance,
    Task,
    TaskCandidate,
)
from processes.models.work import TaskAttachment, TaskComment

__all__ = [
    "ActivityInstance",
    "AuditEntry",
    "Deployment",
    "Draft",
    "EventSubscription",
    "Incident",
    "Job",
    "ProcessDefinition",
    "ProcessInstance",
    "Task",
    "TaskAttachment",
    "TaskCandidate",
    "TaskComment",
    "WorkerHeartbeat",
]
