"""The periodic alert check: a job that runs every ALERT_CHECK_MINUTES and schedules the next.

``migrate`` starts the chain (``ensure_scheduled``, from ``metrics.apps``). Each check works
out every process's conditions in its ``perform`` phase, outside any transaction: the
charts are read-only queries, and on SQLite a transaction holds the write lock. Its
``commit`` phase then opens and closes alerts and schedules the next check, in the
transaction that deletes this one: a check that fails rolls back and is retried, without
having scheduled a second. One that runs out of retries schedules the next from
``on_exhausted``, so a failing check does not end the chain.

A check is scheduled only when no other is waiting (unleased, with retries left). Should
two ever run at once (an operator retried a failed one), each schedules a successor, and
the first of those to run sees the other waiting and schedules none: the chains merge.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from metrics import alerts
from processes.jobs.queue import schedule
from processes.jobs.registry import register
from processes.models import Job

KIND = "metrics.check_alerts"


def ensure_scheduled() -> Job | None:
    """Schedule the next check unless one is waiting, or checks are switched off."""
    minutes = settings.ALERT_CHECK_MINUTES
    if minutes <= 0 or _waiting().exists():
        return None
    return schedule(KIND, due_at=timezone.now() + timedelta(minutes=minutes))


def evaluate_all(job) -> tuple:
    """Work out the conditions of every process (the slow part, outside a transaction)."""
    now = timezone.now()
    return now, {key: alerts.evaluate(key, now) for key in alerts.keys_to_check()}


def record_all(job, performed) -> None:
    """Bring every process's alerts up to date, then schedule the next check."""
    now, conditions = performed
    for key, found in conditions.items():
        alerts.record(key, found, now)
    ensure_scheduled()


def keep_going(job, error: str) -> None:
    """Out of retries: the failed check stays for operators to see; the next one comes."""
    ensure_scheduled()


def _waiting():
    now = timezone.now()
    unleased = Q(locked_until__isnull=True) | Q(locked_until__lt=now)
    return Job.objects.filter(unleased, kind=KIND, retries_left__gt=0)


register(KIND, perform=evaluate_all, commit=record_all, on_exhausted=keep_going)
