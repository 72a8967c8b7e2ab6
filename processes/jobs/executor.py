"""Run one job under its lease, then delete it with its effects or record the failure."""

import logging
import traceback
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from processes.instances import InstanceSuspended, park
from processes.jobs.leases import lease_length
from processes.jobs.registry import get_handler
from processes.models import Job

logger = logging.getLogger(__name__)


class LeaseLost(Exception):
    """Another worker took the job over while this one was running it."""


def run_job(job_id: int, token: str, worker: str) -> str:
    """Run job ``job_id`` if ``token`` still holds its lease; return the outcome.

    The outcome is ``done``, ``failed`` (a retry is scheduled or retries ran out),
    ``skipped`` (someone else holds the job, or it is gone), ``lost`` (the lease
    expired mid-run and another worker took over: this run's effects roll back) or
    ``parked`` (its instance is suspended: it waits, without spending a retry).
    """
    now = timezone.now()
    job = leased(job_id, token, now)
    if job is None:
        return "skipped"
    handler = get_handler(job.kind)
    if handler.perform:
        # The work happens outside any transaction and may be slow: take the lease first,
        # so no dispatcher hands the job to another worker meanwhile.
        taken = Job.objects.filter(pk=job_id, lock_token=token).update(
            locked_by=worker, locked_until=now + lease_length(), attempts=F("attempts") + 1
        )
        if not taken:
            return "skipped"
    job.attempts += 1
    try:
        performed = handler.perform(job) if handler.perform else None
        with transaction.atomic():
            # Delete first: the row stays locked until commit, so no one takes the job over
            # meanwhile, and the commit may itself withdraw the job (an error it throws
            # interrupts the activity the job belongs to).
            if not delete_leased(job_id, token):
                raise LeaseLost
            if handler.commit:
                handler.commit(job, performed)
    except LeaseLost:
        logger.warning("job %s: lease lost while running; its effects were rolled back", job)
        return "lost"
    except InstanceSuspended:
        park(job, token)
        return "parked"
    except Exception as exc:
        logger.exception("job %s failed", job)
        record_failure(job, token, exc)
        return "failed"
    return "done"


# Plain SQL for the two statements every job makes: the ORM's query building would cost
# about a third of running a timer.


def leased(job_id: int, token: str, now) -> Job | None:
    """Return the job if ``token`` holds a live lease on it."""
    table = connection.ops.quote_name(Job._meta.db_table)
    found = Job.objects.raw(
        f"SELECT * FROM {table} WHERE id = %s AND lock_token = %s AND locked_until > %s",
        [job_id, token, connection.ops.adapt_datetimefield_value(now)],
    )
    return next(iter(found), None)


def delete_leased(job_id: int, token: str) -> bool:
    """Delete the job if ``token`` still holds its lease; the row stays locked until commit."""
    table = connection.ops.quote_name(Job._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE id = %s AND lock_token = %s", [job_id, token])
        return cursor.rowcount == 1


def record_failure(job: Job, token: str, error: Exception) -> None:
    """Count a failed attempt: retry later with backoff, or hand over to ``on_exhausted``."""
    message = "".join(traceback.format_exception_only(error)).strip()
    retries_left = max(job.retries_left - 1, 0)
    with transaction.atomic():
        updated = Job.objects.filter(pk=job.pk, lock_token=token).update(
            attempts=job.attempts,
            retries_left=retries_left,
            last_error=message[:10_000],
            due_at=timezone.now() + retry_delay(job),
            lock_token="",
            locked_by="",
            locked_until=None,
        )
        if updated and retries_left == 0:
            handler = get_handler(job.kind)
            if handler.on_exhausted:
                job.refresh_from_db()
                handler.on_exhausted(job, message)


def retry_delay(job: Job) -> timedelta:
    """Return the wait before the next attempt: fixed if the job says so, else exponential."""
    fixed = job.payload.get("retry_delay_seconds")
    if fixed is not None:
        return timedelta(seconds=fixed)
    base = settings.JOB_RETRY_BASE_SECONDS
    return timedelta(seconds=base * 2 ** max(job.attempts - 1, 0))
