"""Models of the accounts app."""

from django.db import models
from django.utils import timezone

from accounts.roles import CAPABILITIES


class Capability(models.Model):
    """Anchor for the platform-wide permissions that roles grant.

    Django permissions belong to a content type, and these capabilities concern no single
    model, so they hang on this table-less model, as Django's documentation suggests.
    """

    class Meta:
        managed = False
        default_permissions = ()
        permissions = list(CAPABILITIES.items())


class ApiToken(models.Model):
    """A personal API token. Only a hash is stored: the token is shown once, when created."""

    user = models.ForeignKey("auth.User", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=8, help_text="The first characters, to recognise it")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(
        null=True, blank=True, help_text="After this moment the token is refused; empty: never"
    )

    def __str__(self):
        return f"{self.prefix}… ({self.user})"

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()


class ServiceAccount(models.Model):
    """Marks a user as the account of another system: it authenticates by token only.

    A row of its own rather than a group: groups are roles, which grant capabilities and
    are handed out in the admin, so a marker group could be given to a person by mistake.
    Nor is an unusable password the mark: users made by ``apitoken --create`` have one too.
    """

    user = models.OneToOneField(
        "auth.User", on_delete=models.CASCADE, related_name="service_account"
    )
    description = models.CharField(
        max_length=200, blank=True, help_text="The system that uses it, and whom to ask about it"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Service account {self.user}"


class NotificationPreference(models.Model):
    """What a user wants to be told by e-mail; without a row, everything is sent."""

    user = models.OneToOneField(
        "auth.User", on_delete=models.CASCADE, related_name="notification_preference"
    )
    task_emails = models.BooleanField(
        default=True, help_text="E-mails about tasks assigned to me and tasks that are overdue"
    )

    def __str__(self):
        return f"Notifications of {self.user}"
