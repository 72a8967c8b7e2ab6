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


# Jobs per Celery message: one message per job would cost more than many a job itself
# (a timer firing takes a few milliseconds), while a few jobs per message still spread a
# burst over every worker.
CHUNK = 10


def ring(job_ids: list[int], token: str) -> None:
    """Hand the jobs ``job_ids``, leased under ``token``, to workers."""
    if settings.CELERY_BROKER_URL:
        from processes.tasks import run_jobs

        for start in range(0, len(job_ids), CHUNK):
            run_jobs.delay(job_ids[start:start + CHUNK], token)
    elif embedded_inbox is not None:
        for job_id in job_ids:
            embedded_inbox.put((job_id, token))
