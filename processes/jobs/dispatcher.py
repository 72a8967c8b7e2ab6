"""Lease jobs that are due, or whose worker died, and ring for them."""

from django.db import transaction
from django.utils import timezone

from processes.jobs import doorbell
from processes.jobs.leases import lease_length, new_token
from processes.models import Job, WorkerHeartbeat


def dispatch(worker: str, mode: str, limit: int) -> int:
    """Lease up to ``limit`` runnable jobs, ring for each and return how many.

    On PostgreSQL, ``SKIP LOCKED`` lets several dispatchers work side by side without
    waiting on each other; on SQLite the IMMEDIATE transaction serialises them.
    """
    beat(worker, mode)
    now = timezone.now()
    token = new_token()
    with transaction.atomic():
        ids = list(
            Job.objects.runnable(now)
            .order_by("due_at")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:limit]
        )
        if ids:
            Job.objects.filter(pk__in=ids).update(
                lock_token=token, locked_by="dispatcher", locked_until=now + lease_length()
            )
    if ids:
        doorbell.ring(ids, token)
    return len(ids)


def beat(worker: str, mode: str) -> None:
    """Record that ``worker`` is alive."""
    WorkerHeartbeat.objects.update_or_create(
        worker=worker, defaults={"mode": mode, "last_seen": timezone.now()}
    )
