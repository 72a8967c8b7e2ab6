"""The Celery application: the doorbell that tells workers a job row is ready.

Jobs live in the database (processes.jobs); a Celery message only carries a job id and a
lock token, so a lost message or a broker restart loses nothing: the dispatcher, run by
beat every JOB_DISPATCH_INTERVAL_MS, rings again for due jobs and expired leases.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bpm.settings")

app = Celery("bpm")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_finalize.connect
def schedule_dispatcher(sender, **kwargs):
    """Run the job dispatcher on a short beat so timers fire within about a second."""
    from django.conf import settings

    sender.add_periodic_task(
        settings.JOB_DISPATCH_INTERVAL_MS / 1000,
        sender.signature("processes.dispatch_jobs"),
        name="dispatch due jobs",
    )
