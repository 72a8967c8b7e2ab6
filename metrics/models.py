"""Alerts about processes: one row per episode of a condition, from start to end."""

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models


class Alert(models.Model):
    """An episode of a condition on a process, kept after it ended as the alert history.

    ``condition`` tells apart alerts of one kind: for a signal, its chart and rule
    ("cycle_time:2"). At most one alert per process, kind and condition is open: the
    constraint holds even if two checks overlap.
    """

    class Kind(models.TextChoices):
        SIGNAL = "signal", "A control chart signals (Nelson rule)"
        SLA = "sla", "SLA compliance below target"
        INCIDENTS = "incidents", "Open incidents piling up"

    definition_key = models.CharField("process key", max_length=255)
    kind = models.CharField(max_length=10, choices=Kind)
    condition = models.CharField(max_length=64, blank=True)
    opened_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    # What the last check saw: "description" in plain words, and the figures behind it.
    details = models.JSONField(default=dict, encoder=DjangoJSONEncoder)

    class Meta:
        ordering = ["-opened_at", "-pk"]
        indexes = [models.Index(fields=["definition_key", "-opened_at"], name="alert_key_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["definition_key", "kind", "condition"], name="alert_one_open",
                condition=models.Q(closed_at__isnull=True),
            )
        ]

    def __str__(self):
        return f"{self.definition_key}: {self.description}"

    @property
    def description(self) -> str:
        return self.details.get("description", self.get_kind_display())

    @property
    def is_open(self) -> bool:
        return self.closed_at is None
