"""Persist what a command did about events: waits for messages and signals, and throws.

A thrown message or signal is delivered by a job after the command commits, in
transactions of its own: the receivers are other instances, locked one at a time.
"""

from django.db.models import Q
from django.utils import timezone

from processes.engine import effects as fx
from processes.jobs.queue import schedule
from processes.models import EventSubscription, Incident


def write_events(instance, events) -> None:
    opened, closed = [], Q()
    for effect in events:
        match effect:
            case fx.SubscriptionOpened():
                opened.append(EventSubscription(
                    instance=instance, token_id=effect.token_id, element_id=effect.element_id,
                    kind=effect.kind, name=effect.name, created_at=timezone.now(),
                ))
            case fx.SubscriptionClosed():
                closed |= Q(token_id=effect.token_id, element_id=effect.element_id)
            case fx.MessageSent():
                schedule("engine.message", {
                    "name": effect.name, "business_key": effect.business_key or instance.business_key,
                    "variables": effect.variables, "sender": instance.pk,
                })
            case fx.SignalThrown():
                schedule("engine.signal", {
                    "name": effect.name, "variables": effect.variables, "sender": instance.pk,
                })
            case fx.EscalationUncaught() if instance.parent_id is None:  # else the caller's
                record_uncaught(instance, effect)
    if closed:
        EventSubscription.objects.filter(closed, instance=instance).delete()
    if opened:
        EventSubscription.objects.bulk_create(opened, ignore_conflicts=True)
    if instance.state != "active":
        EventSubscription.objects.filter(instance=instance).delete()


def record_uncaught(instance, effect: fx.EscalationUncaught) -> None:
    """Keep an uncaught escalation where operators look, as an incident already resolved."""
    now = timezone.now()
    Incident.objects.create(
        instance=instance, token_id=effect.token_id, activity_seq=effect.activity_seq,
        element_id=effect.element_id, created_at=now, resolved_at=now,
        message=f"Escalation {effect.code or '(no code)'} thrown at '{effect.element_id}' "
        "was not caught; the flow went on.",
    )
