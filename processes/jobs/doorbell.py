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


def ring(job_id: int, token: str) -> None:
    """Hand job ``job_id``, leased under ``token``, to a worker."""
    if settings.CELERY_BROKER_URL:
        from processes.tasks import run_job

        run_job.delay(job_id, token)
    elif embedded_inbox is not None:
        embedded_inbox.put((job_id, token))
