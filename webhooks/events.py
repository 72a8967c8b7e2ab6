"""Record the events subscriptions listen to, in the transaction of the change they report.

The code that persists a change calls these functions: ``processes.store.apply`` for what
an engine command did, ``processes.instances`` and ``processes.task_actions`` for
assignments. Each writes one ``Delivery`` and one "webhook.deliver" job per listening
subscription, so deliveries commit with the change or not at all, and are sent after it.
Each returns at once when no active subscription listens to its event type: one
dictionary lookup (see ``webhooks.listeners``), no query.
"""

import uuid

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from processes.jobs.queue import enqueue
from processes.models import Incident, Job, Task, TaskCandidate
from webhooks.listeners import listening
from webhooks.models import PING, Delivery, Event
from webhooks.sending import DELIVER


def subscribed(*event_types: str) -> bool:
    """Whether an active subscription listens to any of ``event_types``, for any process."""
    return any(listening(event_type) for event_type in event_types)


def instance_started(instance) -> None:
    if listening(Event.INSTANCE_STARTED):
        started_by = instance.started_by.get_username() if instance.started_by else None
        _record(Event.INSTANCE_STARTED, instance, [
            {"started_at": instance.started_at, "started_by": started_by},
        ])


def instance_ended(instance) -> None:
    """Record instance.completed or instance.cancelled, after its state was set."""
    event = Event.INSTANCE_COMPLETED if instance.state == "completed" else Event.INSTANCE_CANCELLED
    if listening(event):
        _record(event, instance, [{"ended_at": instance.ended_at}])


def incidents_opened(instance, incidents) -> None:
    """Record incident.opened, and instance.failed, for each incident (saved, with its id)."""
    for event in (Event.INCIDENT_OPENED, Event.INSTANCE_FAILED):
        if listening(event):
            _record(event, instance, [_incident(incident) for incident in incidents])


def incidents_resolving(instance, token_ids) -> None:
    """Record incident.resolved for the open incidents of ``token_ids``.

    Call it before they are marked resolved: they are found by being still open.
    """
    if listening(Event.INCIDENT_RESOLVED):
        incidents = Incident.objects.filter(
            instance=instance, token_id__in=token_ids, resolved_at__isnull=True
        )
        now = timezone.now()
        _record(Event.INCIDENT_RESOLVED, instance, [
            {**_incident(incident), "resolved_at": now} for incident in incidents
        ])


def tasks_created(instance, tasks) -> None:
    """Record task.created, and task.assigned for the tasks created with an assignee."""
    if listening(Event.TASK_CREATED):
        candidates = {task.pk: {"user": [], "group": []} for task in tasks}
        for task_id, kind, name in TaskCandidate.objects.filter(task__in=tasks).values_list(
            "task_id", "kind", "name"
        ):
            candidates[task_id][kind].append(name)
        _record(Event.TASK_CREATED, instance, [
            {**_task(task), "candidate_users": candidates[task.pk]["user"],
             "candidate_groups": candidates[task.pk]["group"]}
            for task in tasks
        ])
    if listening(Event.TASK_ASSIGNED):
        _record(Event.TASK_ASSIGNED, instance, [_task(task) for task in tasks if task.assignee])


def task_assigned(task) -> None:
    """Record task.assigned for a task given to someone (claimed, delegated, reassigned)."""
    if listening(Event.TASK_ASSIGNED):
        _record(Event.TASK_ASSIGNED, task.instance, [_task(task)])


def tasks_closed(instance, closed) -> None:
    """Record task.completed for the ``TaskClosed`` effects that completed a task."""
    if listening(Event.TASK_COMPLETED):
        token_ids = [effect.token_id for effect in closed if effect.outcome == "completed"]
        latest = {}  # a token's last task is the one just completed
        for task in Task.objects.filter(
            instance=instance, token_id__in=token_ids, state=Task.State.COMPLETED
        ).order_by("pk"):
            latest[task.token_id] = task
        _record(Event.TASK_COMPLETED, instance, [
            {**_task(task), "completed_by": task.completed_by or None,
             "completed_at": task.completed_at}
            for task in latest.values()
        ])


def alert_raised(alert) -> None:
    """Record alert.raised for an alert just opened (``metrics.alerts``)."""
    _record_alert(Event.ALERT_RAISED, alert)


def alert_resolved(alert) -> None:
    """Record alert.resolved for an alert just closed."""
    _record_alert(Event.ALERT_RESOLVED, alert)


@transaction.atomic
def ping(subscription) -> Delivery:
    """Send ``subscription`` a test event now, paused or not; it is tried once."""
    delivery = Delivery(
        subscription=subscription, event_id=uuid.uuid4(), event=PING, created_at=timezone.now(),
        data={"subscription_id": subscription.pk, "url": subscription.url,
              "events": subscription.events},
    )
    delivery.save()
    enqueue([_job(delivery)])
    return delivery


def _record(event: str, instance, items: list[dict]) -> None:
    """Write a delivery of each item, with the instance's facts, to each listener of ``event``."""
    if not items:
        return
    definition = instance.definition
    targets = [pk for pk, key in listening(event) if key in ("", definition.key)]
    if not targets:
        return
    facts = {
        "instance_id": instance.pk, "definition_key": definition.key,
        "definition_version": definition.version, "business_key": instance.business_key,
    }
    now = timezone.now()
    deliveries = []
    for item in items:
        event_id = uuid.uuid4()
        deliveries += [
            Delivery(subscription_id=pk, event_id=event_id, event=event, created_at=now,
                     data={**facts, **item})
            for pk in targets
        ]
    enqueue([_job(delivery) for delivery in Delivery.objects.bulk_create(deliveries)])


def _record_alert(event: str, alert) -> None:
    """Write a delivery of ``alert`` to each listener of ``event`` for its process.

    An alert concerns a process, not an instance: the payload holds no instance's facts.
    """
    targets = [pk for pk, key in listening(event) if key in ("", alert.definition_key)]
    if not targets:
        return
    event_id, now = uuid.uuid4(), timezone.now()
    deliveries = Delivery.objects.bulk_create([
        Delivery(subscription_id=pk, event_id=event_id, event=event, created_at=now,
                 data=_alert(alert))
        for pk in targets
    ])
    enqueue([_job(delivery) for delivery in deliveries])


def _job(delivery: Delivery) -> Job:
    return Job(
        kind=DELIVER, payload={"delivery": delivery.pk}, due_at=delivery.created_at,
        retries_left=settings.JOB_DEFAULT_RETRIES,
    )


def _incident(incident: Incident) -> dict:
    return {
        "incident_id": incident.pk, "element_id": incident.element_id,
        "message": incident.message, "created_at": incident.created_at,
    }


def _task(task: Task) -> dict:
    return {
        "task_id": task.pk, "element_id": task.element_id, "name": task.name,
        "assignee": task.assignee or None, "priority": task.priority, "due_at": task.due_at,
    }


def _alert(alert) -> dict:
    return {
        "alert_id": alert.pk, "definition_key": alert.definition_key, "kind": alert.kind,
        "condition": alert.condition, "description": alert.description,
        "opened_at": alert.opened_at, "closed_at": alert.closed_at, "details": alert.details,
    }
