"""Subscriptions to process events, and the log of what was delivered to them."""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone

from processes.access import sees_all_work
from processes.connectors.http import check_url


class Event(models.TextChoices):
    """What a subscription can listen to; the value is the payload's ``type``.

    An instance "fails" when an incident is opened on it (an error end event or BPMN error
    nothing catches, a service task out of retries, an expression that cannot be
    evaluated): it stays active, held where it failed, until someone retries the incident.
    """

    INSTANCE_STARTED = "instance.started", "An instance started"
    INSTANCE_COMPLETED = "instance.completed", "An instance completed"
    INSTANCE_FAILED = "instance.failed", "An instance is held by an incident"
    INSTANCE_CANCELLED = "instance.cancelled", "An instance was cancelled"
    TASK_CREATED = "task.created", "A user task was created"
    TASK_ASSIGNED = "task.assigned", "A task got an assignee"
    TASK_COMPLETED = "task.completed", "A task was completed"
    INCIDENT_OPENED = "incident.opened", "An incident was opened"
    INCIDENT_RESOLVED = "incident.resolved", "An incident was resolved"
    ALERT_RAISED = "alert.raised", "An alert about a process was raised"
    ALERT_RESOLVED = "alert.resolved", "An alert about a process ended"


# The test event the owner sends by hand; no subscription listens to it.
PING = "ping"


def new_secret() -> str:
    """Return 32 random bytes, hex-encoded: the key of each delivery's HMAC signature."""
    return secrets.token_hex(32)


def check_target(url: str) -> None:
    """Refuse a URL deliveries may not go to, with the HTTP connector's rules.

    Only http and https; private, loopback and link-local addresses only where
    ``BATON_HTTP_ALLOW_PRIVATE`` allows them (a subscriber must not make the server reach
    into the network it runs in). Deliveries check again when they are sent, as a name
    may resolve elsewhere by then.
    """
    try:
        check_url(url)
    except ValueError as error:
        raise ValidationError(str(error), code="forbidden") from None
    except OSError:
        raise ValidationError(f"The host of {url} cannot be resolved.", code="unresolved") from None


class SubscriptionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Administrators (who operate the platform) see every subscription, others their own."""
        return self if sees_all_work(user) else self.filter(owner=user)


class Subscription(models.Model):
    """A URL that is sent the events it chose, signed with its own secret.

    Change what it listens to and whether it is active through ``save()`` or ``delete()``,
    not ``update()``: those tell ``webhooks.listeners`` to forget who listens.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhook_subscriptions"
    )
    url = models.URLField("URL", max_length=2000, validators=[check_target])
    events = models.JSONField(default=list, help_text="The event types it is sent.")
    definition_key = models.CharField(
        "process key", max_length=255, blank=True,
        validators=[RegexValidator(r"^[A-Za-z_][\w.-]*$", "Not a process key (the process id).")],
        help_text="Only events of this process (every version); blank for all processes.",
    )
    secret = models.CharField(max_length=64, default=new_secret, editable=False)
    active = models.BooleanField(default=True)
    paused_reason = models.TextField(blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    # Deliveries that gave up since the last one that went through.
    failures = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return self.url

    def pause(self, reason: str = "") -> None:
        """Stop sending: new events are not recorded, pending retries are not sent."""
        self.active, self.paused_reason, self.paused_at = False, reason, timezone.now()
        self.save(update_fields=["active", "paused_reason", "paused_at"])

    def resume(self) -> None:
        """Send again, with a clean count of failures."""
        self.active, self.paused_reason, self.paused_at, self.failures = True, "", None, 0
        self.save(update_fields=["active", "paused_reason", "paused_at", "failures"])

    def rotate_secret(self) -> None:
        """Sign with a new secret from now on (also the retries of earlier deliveries)."""
        self.secret = new_secret()
        self.save(update_fields=["secret"])


class Delivery(models.Model):
    """One event for one subscription, from its recording to its last attempt."""

    class State(models.TextChoices):
        PENDING = "pending"
        DELIVERED = "delivered"
        FAILED = "failed"
        CANCELLED = "cancelled", "not sent (paused)"

    # No database constraint: a subscription deleted by someone else while an engine
    # command records a delivery for it must not fail that command at commit. The job
    # then finds no subscription and drops the delivery.
    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries",
        db_constraint=False, db_index=False,
    )
    event_id = models.UUIDField(help_text="Shared by the deliveries of one event to several URLs.")
    event = models.CharField(max_length=32)
    data = models.JSONField(encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField()
    state = models.CharField(max_length=10, choices=State, default=State.PENDING)
    next_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["subscription", "-created_at"], name="delivery_log_idx")]
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.event} #{self.pk} to {self.subscription_id}"

    def body(self) -> bytes:
        """Return the JSON the receiver gets, the same bytes on every attempt."""
        payload = {
            "id": str(self.event_id), "type": self.event, "created_at": self.created_at,
            "data": self.data,
        }
        return DjangoJSONEncoder(sort_keys=True, separators=(",", ":")).encode(payload).encode()


class Attempt(models.Model):
    """One POST of a delivery and what came of it: the delivery log's lines."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response = models.TextField(blank=True, help_text="The start of the response's body.")
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["number"]

    def __str__(self):
        return f"attempt {self.number} of {self.delivery}"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
