"""Deployments (uploaded files, kept byte for byte) and the process definitions in them."""

from django.conf import settings
from django.db import models


class Deployment(models.Model):
    """One uploaded BPMN file, stored exactly as it came, with who deployed it and when."""

    name = models.CharField(max_length=255)
    content = models.BinaryField()
    checksum = models.CharField(max_length=64, db_index=True)
    # The same model with diagram information the server laid out, when the file had none.
    laid_out = models.BinaryField(blank=True, default=b"")
    warnings = models.JSONField(default=list, blank=True)
    deployed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    deployed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-deployed_at"]

    def __str__(self):
        return f"{self.name} ({self.deployed_at:%Y-%m-%d %H:%M})"

    @property
    def diagram_xml(self) -> bytes:
        """Return the XML to draw: the laid-out copy if the file had no diagram."""
        return bytes(self.laid_out) or bytes(self.content)


class ProcessDefinitionQuerySet(models.QuerySet):
    def latest_versions(self):
        """One row per key: its newest version."""
        newest = self.filter(key=models.OuterRef("key")).order_by("-version").values("pk")[:1]
        return self.filter(pk=models.Subquery(newest))


class ProcessDefinition(models.Model):
    """One version of one process: the process with id ``key`` in one deployment.

    Definitions are immutable; a change is a new deployment and so a new version.
    """

    deployment = models.ForeignKey(
        Deployment, on_delete=models.CASCADE, related_name="definitions"
    )
    key = models.CharField(max_length=255)
    version = models.PositiveIntegerField()
    name = models.CharField(max_length=255, blank=True)
    is_executable = models.BooleanField(default=True)
    suspended = models.BooleanField(default=False)

    objects = ProcessDefinitionQuerySet.as_manager()

    class Meta:
        ordering = ["key", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["key", "version"], name="definition_key_version")
        ]

    def __str__(self):
        return f"{self.display_name} v{self.version}"

    @property
    def display_name(self) -> str:
        return self.name or self.key

    @property
    def can_start(self) -> bool:
        return self.is_executable and not self.suspended


class Draft(models.Model):
    """A model being designed: saved as often as the designer likes, deployed when ready.

    The XML is kept whatever its state, so no work is lost; ``problems`` holds what the last
    save found (errors block deployment, warnings do not).
    """

    name = models.CharField(max_length=255)
    xml = models.TextField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="drafts")
    based_on = models.ForeignKey(
        "processes.ProcessDefinition", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    problems = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self):
        return self.name

    @property
    def has_errors(self) -> bool:
        return any(p["severity"] == "error" for p in self.problems)
