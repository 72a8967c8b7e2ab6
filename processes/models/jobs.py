"""Job rows: the queue of asynchronous work, kept in the database."""

from django.db import models
from django.utils import timezone

EXTERNAL_TASK = "engine.external"


class JobQuerySet(models.QuerySet):
    def runnable(self, now=None, due_by=None):
        """Jobs due by ``due_by`` (default: now) with retries left and no live lease.

        External tasks are jobs too, but remote workers fetch them through the API.
        """
        now = now or timezone.now()
        return (
            self.filter(due_at__lte=due_by or now, retries_left__gt=0)
            .filter(models.Q(locked_until__isnull=True) | models.Q(locked_until__lt=now))
            .exclude(kind=EXTERNAL_TASK)
        )

    def failed(self):
        """Jobs whose retries ran out; they wait for someone to retry them."""
        return self.filter(retries_left=0)


class Job(models.Model):
    """One piece of asynchronous work: a service task, a timer, an e-mail, a webhook.

    The row is written in the same transaction as the state change that needs it, so
    work is never lost or done for a change that rolled back. Whoever runs it must hold
    its lease: ``lock_token`` and ``locked_until`` are set together when the job is
    handed to a worker, and the job is deleted, with its effects, only by the holder of
    that token.
    """

    kind = models.CharField(max_length=64)
    payload = models.JSONField(default=dict, blank=True)
    due_at = models.DateTimeField(default=timezone.now)
    retries_left = models.PositiveIntegerField(default=3)
    attempts = models.PositiveIntegerField(default=0)
    lock_token = models.CharField(max_length=32, blank=True)
    locked_by = models.CharField(max_length=200, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Engine jobs (service tasks, timers, continuations) belong to a token of an instance.
    instance = models.ForeignKey(
        "processes.ProcessInstance", null=True, blank=True, on_delete=models.CASCADE,
        related_name="jobs",
    )
    token_id = models.PositiveIntegerField(null=True, blank=True)
    element_id = models.CharField(max_length=255, blank=True)
    # An external task's topic, which its workers fetch it by; blank for other kinds.
    topic = models.CharField(max_length=255, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["due_at"], name="job_due_idx"),
            models.Index(fields=["locked_until"], name="job_lease_idx"),
            models.Index(fields=["kind", "retries_left"], name="job_kind_idx"),
            models.Index(fields=["instance", "token_id"], name="job_token_idx"),
            # Workers fetch external tasks by topic, oldest first; no other job pays for it.
            models.Index(fields=["topic", "due_at"], name="job_topic_idx",
                         condition=models.Q(kind=EXTERNAL_TASK)),
        ]

    def __str__(self):
        return f"{self.kind} #{self.pk}"


class WorkerHeartbeat(models.Model):
    """The last time each worker ran the dispatcher, so operators can see it is alive."""

    worker = models.CharField(max_length=200, primary_key=True)
    mode = models.CharField(max_length=20)
    last_seen = models.DateTimeField()

    def __str__(self):
        return f"{self.worker} ({self.mode})"
