"""API bodies of webhook subscriptions and their delivery log."""

from rest_framework import serializers

from webhooks.models import Attempt, Delivery, Event, Subscription


class SubscriptionSerializer(serializers.ModelSerializer):
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=Event.choices), min_length=1,
        help_text="The event types to send: " + ", ".join(Event.values) + ".",
    )
    owner = serializers.CharField(source="owner.username", read_only=True)

    class Meta:
        model = Subscription
        fields = [
            "id", "url", "events", "definition_key", "active", "paused_reason", "paused_at",
            "failures", "secret", "owner", "created_at",
        ]
        read_only_fields = ["active", "paused_reason", "paused_at", "failures", "created_at"]
        extra_kwargs = {
            "url": {"help_text": "Where deliveries are POSTed: http or https."},
            "secret": {"help_text": "The key of the X-Baton-Signature HMAC (rotate to change)."},
            "failures": {"help_text": "Deliveries failed in a row; at the limit, it pauses."},
        }

    def validate_events(self, events):
        return list(dict.fromkeys(events))


class AttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attempt
        fields = ["number", "started_at", "duration_ms", "status_code", "response", "error"]


class DeliverySerializer(serializers.ModelSerializer):
    attempts = AttemptSerializer(many=True, read_only=True)

    class Meta:
        model = Delivery
        fields = [
            "id", "event_id", "event", "state", "created_at", "next_attempt_at", "data", "attempts",
        ]
