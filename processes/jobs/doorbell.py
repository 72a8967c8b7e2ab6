"""Tell a worker that a leased job is ready to run."""

import queue

from django.conf import settings

# Filled by the embedded worker thread when it runs in this process.
embedded_inbox: queue.SimpleQueue | None = None


def can_ring() -> bool:
    """Return whether someone will hear the bell: Celery, or a worker in this process.

    Without either (say, a web process beside a separate ``manage.py worker``), jobs are
    left unleased and that worker's dispatcher picks them up on its next tick.
    """
    return bool(settings.CELERY_BROKER_URL) or embedded_inbox is not None


# At most this many jobs per Celery message: one message per job would cost more than many
# a job itself (a timer firing takes under two milliseconds), yet a burst must still spread
# over every worker, so small batches go one job per message.
CHUNK = 10


def can_schedule() -> bool:
    """Return whether a job can be handed over before it is due, to start on time."""
    return bool(settings.CELERY_BROKER_URL)


def ring(job_ids: list[int], token: str, due_times: list | None = None) -> None:
    """Hand the jobs ``job_ids``, leased under ``token``, to workers.

    ``due_times`` (ascending, one per job) may lie in the future when ``can_schedule()``:
    each message then waits until its last job is due.
    """
    if settings.CELERY_BROKER_URL:
        from processes.tasks import run_jobs

        size = min(CHUNK, max(1, len(job_ids) // 8))
        for start in range(0, len(job_ids), size):
            chunk = job_ids[start:start + size]
            eta = due_times[start + len(chunk) - 1] if due_times else None
            run_jobs.apply_async((chunk, token), eta=eta)
    elif embedded_inbox is not None:
        for job_id in job_ids:
            embedded_inbox.put((job_id, token))
