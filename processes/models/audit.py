"""The audit log: every administrative action on instances and versions, kept for review."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditEntry(models.Model):
    """Who did what, when, to which instances, and why.

    Written in the transaction of the action itself, so the log never tells of an action
    that rolled back, nor misses one that happened.
    """

    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=64, help_text='What was done: "instance.suspend"…')
    instance_ids = models.JSONField(default=list, help_text="The instances it touched.")
    target = models.CharField(max_length=255, blank=True, help_text='Else what: "approval v2".')
    details = models.JSONField(default=dict, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["-at"], name="audit_at_idx")]
        verbose_name_plural = "audit entries"

    def __str__(self):
        return f"{self.action} by {self.actor} at {self.at:%Y-%m-%d %H:%M}"
