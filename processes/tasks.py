"""Celery tasks: thin doorbells onto the job executor and dispatcher."""

from celery import shared_task
from django.conf import settings

from processes.jobs import dispatcher, executor
from processes.jobs.leases import worker_name


@shared_task(name="processes.run_jobs")
def run_jobs(job_ids: list[int], token: str) -> list[str]:
    """Run leased jobs one after the other, each in its own transaction."""
    worker = worker_name("celery")
    return [executor.run_job(job_id, token, worker) for job_id in job_ids]


@shared_task(name="processes.dispatch_jobs")
def dispatch_jobs() -> int:
    """Lease due jobs and ring for them (scheduled by Celery beat)."""
    return dispatcher.dispatch(worker_name("celery"), "celery", settings.JOB_DISPATCH_BATCH)
