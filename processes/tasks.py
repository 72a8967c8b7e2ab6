"""Celery tasks: thin doorbells onto the job executor and dispatcher."""

from celery import shared_task
from django.conf import settings

from processes.jobs import dispatcher, executor
from processes.jobs.leases import worker_name


@shared_task(name="processes.run_job")
def run_job(job_id: int, token: str) -> str:
    """Run one leased job."""
    return executor.run_job(job_id, token, worker_name("celery"))


@shared_task(name="processes.dispatch_jobs")
def dispatch_jobs() -> int:
    """Lease due jobs and ring for them (scheduled by Celery beat)."""
    return dispatcher.dispatch(worker_name("celery"), "celery", settings.JOB_DISPATCH_BATCH)
