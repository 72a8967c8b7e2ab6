"""Write jobs in the caller's transaction and ring for them once it commits."""

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from processes.jobs import doorbell
from processes.jobs.leases import lease_length, new_token
from processes.models import Job
from processes.models.jobs import EXTERNAL_TASK


def schedule(
    kind: str,
    payload: dict | None = None,
    *,
    due_at: datetime | None = None,
    retries: int | None = None,
) -> Job:
    """Create a job of ``kind``; it runs after the current transaction commits."""
    job = Job(
        kind=kind,
        payload=payload or {},
        due_at=due_at or timezone.now(),
        retries_left=settings.JOB_DEFAULT_RETRIES if retries is None else retries,
    )
    enqueue([job])
    return job


def enqueue(jobs: list[Job]) -> None:
    """Insert ``jobs`` with one statement and ring for those already due after commit.

    Due jobs are leased as they are written, so the dispatcher does not ring for them a
    second time while their Celery message is on its way. External tasks are not: no
    worker here runs them, and a lease would hide them from the remote workers that do.
    """
    now = timezone.now()
    token = new_token() if doorbell.can_ring() else ""
    for job in jobs:
        if token and job.due_at <= now and job.kind != EXTERNAL_TASK:
            job.lock_token = token
            job.locked_by = "queued"
            job.locked_until = now + lease_length()
    Job.objects.bulk_create(jobs)
    due = [job.pk for job in jobs if job.lock_token]
    if due:
        transaction.on_commit(lambda: doorbell.ring(due, token))
