"""Pages of the interface shell."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.decorators import permission_required
from django.db import connection
from django.shortcuts import render
from django.utils import timezone

from accounts.roles import CAPABILITIES, capability
from processes.models import Job, WorkerHeartbeat


def home(request):
    """Greet the user with their roles and what each lets them do."""
    user = request.user
    capabilities = [
        text for codename, text in CAPABILITIES.items() if user.has_perm(capability(codename))
    ]
    return render(
        request,
        "frontend/home.html",
        {"roles": user.groups.order_by("name"), "capabilities": capabilities},
    )


@permission_required(capability("operate_instances"), raise_exception=True)
def system_status(request):
    """Show operators whether workers are alive and how the job queue stands."""
    now = timezone.now()
    jobs = Job.objects.all()
    return render(
        request,
        "frontend/system.html",
        {
            "database": connection.vendor,
            "worker_mode": "Celery" if settings.CELERY_BROKER_URL else "embedded",
            "workers": WorkerHeartbeat.objects.filter(
                last_seen__gte=now - timedelta(minutes=5)
            ).order_by("-last_seen"),
            "jobs_due": jobs.runnable(now).count(),
            "jobs_scheduled": jobs.filter(due_at__gt=now, retries_left__gt=0).count(),
            "jobs_running": jobs.filter(locked_until__gt=now).count(),
            "jobs_failed": jobs.failed().count(),
            "failed_jobs": jobs.failed().order_by("-due_at")[:20],
        },
    )
