"""Deliver messages and signals to the instances waiting for them, or start new ones.

A message goes to one waiting instance (or all, if asked), correlated by name, business
key and variable values; with none waiting, it starts an instance of the newest version
of each process with a message start event of that name. A signal goes to every waiting
subscription and starts every process with a signal start event of that name.

Each delivery locks the receiving instance and consumes the subscription under that lock,
so two concurrent deliveries of one message to one waiting instance resume it once.
"""

from django.db import transaction

from processes.instances import InstanceError, engine_for, run_command, start_instance
from processes.models import EventSubscription, ProcessDefinition, ProcessInstance


class NothingWaits(InstanceError):
    """No instance waits for the message, and no process starts with it."""


class _Gone(Exception):
    """The subscription was consumed by a concurrent delivery."""


def correlate_message(name, *, business_key="", correlation_keys=None, variables=None,
                      all_instances=False, deployment_id=None, user=None) -> list[int]:
    """Deliver message ``name``; return the ids of the instances it reached or started."""
    waiting = EventSubscription.objects.filter(kind="message", name=name).select_related("instance")
    if business_key:
        waiting = waiting.filter(instance__business_key=business_key)
    if deployment_id is not None:
        waiting = waiting.filter(instance__definition__deployment_id=deployment_id)
    reached = []
    for subscription in waiting.order_by("created_at", "pk"):
        if not _matches(subscription.instance, correlation_keys or {}):
            continue
        if subscription.instance_id in reached or not _deliver(subscription, variables):
            continue
        reached.append(subscription.instance_id)
        if not all_instances:
            return reached
    if reached:
        return reached
    started = _start_by("message", name, variables, business_key, deployment_id, user)
    if not started:
        where = f" with business key {business_key!r}" if business_key else ""
        raise NothingWaits(f"No instance{where} waits for message {name!r}, and no process starts with it.")
    return started


def broadcast_signal(name, *, variables=None, user=None, sender=None) -> list[int]:
    """Deliver signal ``name`` to every wait for it and start processes that start with it.

    The ``sender`` instance, if any, was served by the engine when it threw the signal.
    """
    reached = []
    waiting = EventSubscription.objects.filter(kind="signal", name=name).exclude(instance_id=sender)
    for subscription in waiting.order_by("pk"):
        if _deliver(subscription, variables) and subscription.instance_id not in reached:
            reached.append(subscription.instance_id)
    return reached + _start_by("signal", name, variables, "", None, user)


def _matches(instance: ProcessInstance, correlation_keys: dict) -> bool:
    return all(instance.variables.get(k) == v for k, v in correlation_keys.items())


def _deliver(subscription: EventSubscription, variables) -> bool:
    """Trigger the waiting token, in its own transaction; False if someone was first."""

    def consume():
        if not EventSubscription.objects.filter(pk=subscription.pk).delete()[0]:
            raise _Gone

    try:
        with transaction.atomic():
            run_command(
                subscription.instance_id,
                lambda engine, state: engine.trigger(
                    state, subscription.token_id, subscription.element_id, dict(variables or {}),
                    trigger=(subscription.kind, subscription.name),
                ),
                check=consume,
            )
    except (_Gone, InstanceError):
        return False
    return True


def _start_by(kind, name, variables, business_key, deployment_id, user) -> list[int]:
    """Start the newest version of every process with a ``kind`` start event for ``name``."""
    definitions = ProcessDefinition.objects.latest_versions().filter(is_executable=True, suspended=False)
    if deployment_id is not None:
        definitions = ProcessDefinition.objects.filter(deployment_id=deployment_id, is_executable=True)
    started = []
    for definition in definitions:
        for start_id in engine_for(definition).plan.starts_for(kind, name):
            instance = start_instance(definition, variables=variables, business_key=business_key,
                                      user=user, start_event=start_id)
            started.append(instance.pk)
    return started
