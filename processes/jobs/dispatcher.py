"""Lease jobs that are due, or whose worker died, and ring for them."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from processes.jobs import doorbell
from processes.jobs.leases import lease_length, new_token
from processes.models import Job, WorkerHeartbeat


def dispatch(worker: str, mode: str, limit: int) -> int:
    """Lease up to ``limit`` runnable jobs, ring for each and return how many.

    On PostgreSQL, ``SKIP LOCKED`` lets several dispatchers work side by side without
    waiting on each other; on SQLite the IMMEDIATE transaction serialises them.

    With Celery, jobs falling due before the next tick are leased now and sent with their
    due time as the message's ETA: a timer then fires when due, not up to a tick later.
    """
    beat(worker, mode)
    now = timezone.now()
    due_by = now
    if doorbell.can_schedule():
        due_by += timedelta(milliseconds=settings.JOB_DISPATCH_INTERVAL_MS)
    token = new_token()
    with transaction.atomic():
        due = list(
            Job.objects.runnable(now, due_by)
            .order_by("due_at")
            .select_for_update(skip_locked=True)
            .values_list("pk", "due_at")[:limit]
        )
        if due:
            Job.objects.filter(pk__in=[pk for pk, _ in due]).update(
                lock_token=token, locked_by="dispatcher", locked_until=now + lease_length()
            )
    if due:
        doorbell.ring([pk for pk, _ in due], token, [at for _, at in due])
    return len(due)


def beat(worker: str, mode: str) -> None:
    """Record that ``worker`` is alive."""
    WorkerHeartbeat.objects.update_or_create(
        worker=worker, defaults={"mode": mode, "last_seen": timezone.now()}
    )
