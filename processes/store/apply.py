"""Write what one engine command did, with a handful of set-based statements."""

from collections import defaultdict

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

import webhooks.events
from processes.calls import concerns, write_calls
from processes.engine import effects as fx
from processes.jobs.queue import enqueue
from processes.models import (
    Incident,
    Job,
    ProcessInstance,
    Task,
    TaskCandidate,
)
from processes.notifications import tasks_created
from processes.store.events import write_events
from processes.store.rows import (
    end_activities,
    insert_activities,
    insert_instance,
    record_variables,
)


def save_state(instance: ProcessInstance, state) -> None:
    """Copy the engine's live state onto the instance row (saved by the caller)."""
    data = state.to_json()
    instance.tokens = data["tokens"]
    instance.variables = data["variables"]
    instance.next_seq = data["next_seq"]
    instance.compensable = data["compensable"]


def end_if_finished(instance: ProcessInstance, effects) -> None:
    """Mark the instance ended if the command ended it (before the instance is saved)."""
    for effect in effects:
        if isinstance(effect, fx.InstanceEnded):
            instance.state, instance.ended_at = effect.outcome, effect.ended_at


def apply_effects(instance: ProcessInstance, effects) -> None:
    """Persist the other effects of one command on ``instance``.

    A new instance (no primary key yet) is inserted here, with its first history rows.
    Call it inside a transaction, except for ``save_new_instance``'s single statement.
    """
    writer = _Writer(instance)
    for effect in effects:
        writer.add(effect)
    writer.flush()


def save_new_instance(instance: ProcessInstance, effects) -> None:
    """Persist a new instance and the effects of its start, atomically.

    An instance that ran straight through to its end, or to a wait that needs no other row,
    is written by one statement on PostgreSQL; outside a transaction that statement is its
    own, which saves the round trips of BEGIN and COMMIT on the commonest start.
    """
    end_if_finished(instance, effects)
    writer = _Writer(instance)
    for effect in effects:
        writer.add(effect)
    if writer.one_statement():
        writer.flush()
        return
    with transaction.atomic():
        writer.flush()


class _Writer:
    """Collect effects by kind, then write each kind with as few statements as it allows."""

    def __init__(self, instance):
        self.instance = instance
        self.started: dict[int, list] = {}
        self.ended: list[fx.ActivityEnded] = []
        self.tasks: list[tuple[Task, fx.TaskCreated]] = []
        self.closed_tasks: list[fx.TaskClosed] = []
        self.jobs: list[Job] = []
        self.cancelled_jobs: list[fx.JobCancelled] = []
        self.incidents: list[Incident] = []
        self.resolved: list[int] = []
        self.changed: dict[int, dict] = defaultdict(dict)  # variables set, by activity seq
        self.events: list = []  # subscriptions, messages and signals thrown, escalations
        self.calls: list = []  # children to start or cancel, news for the caller

    def add(self, effect) -> None:
        if concerns(self.instance, effect):
            self.calls.append(effect)
        match effect:
            case fx.ActivityStarted():
                self.started[effect.seq] = [effect, None, None]
            case fx.ActivityEnded():
                pair = self.started.get(effect.seq)
                if pair is None:
                    self.ended.append(effect)
                else:
                    pair[1] = effect
            case fx.TaskCreated():
                self.tasks.append((self.task_row(effect), effect))
            case fx.TaskClosed():
                self.closed_tasks.append(effect)
            case fx.JobScheduled():
                self.jobs.append(self.job_row(effect))
            case fx.JobCancelled():
                self.cancelled_jobs.append(effect)
            case fx.IncidentOpened():
                self.incidents.append(Incident(
                    instance=self.instance, token_id=effect.token_id,
                    activity_seq=effect.activity_seq, element_id=effect.element_id,
                    message=effect.message, created_at=timezone.now(),
                ))
            case fx.IncidentResolved():
                self.resolved.append(effect.token_id)
            case (fx.SubscriptionOpened() | fx.SubscriptionClosed() | fx.MessageSent()
                  | fx.SignalThrown() | fx.EscalationUncaught()):
                self.events.append(effect)
            case fx.InstanceEnded() if self.instance.pk is not None:
                self.events.append(effect)  # withdraw what it still waited for
            case fx.VariablesChanged(activity_seq=seq) if seq is not None:
                if seq in self.started:
                    self.started[seq][2] = {**(self.started[seq][2] or {}), **effect.changes}
                else:
                    self.changed[seq].update(effect.changes)

    def task_row(self, effect) -> Task:
        return Task(
            instance=self.instance,
            definition_id=self.instance.definition_id,
            token_id=effect.token_id,
            activity_seq=effect.activity_seq,
            element_id=effect.element_id,
            name=effect.name or "",
            assignee=effect.assignee or "",
            priority=effect.priority if effect.priority is not None else 50,
            due_at=effect.due_at,
            follow_up_at=effect.follow_up_at,
            created_at=timezone.now(),
        )

    def job_row(self, effect) -> Job:
        payload = dict(effect.payload or {})
        if effect.retry_delay_seconds is not None:
            payload["retry_delay_seconds"] = effect.retry_delay_seconds
        job = Job(
            kind=f"engine.{effect.kind}",
            payload=payload,
            due_at=effect.due_at or timezone.now(),
            instance=self.instance,
            token_id=effect.token_id,
            element_id=effect.element_id,
            topic=payload.get("topic") or "",  # external tasks only
        )
        job.retries_left = (
            effect.retries if effect.retries is not None else settings.JOB_DEFAULT_RETRIES
        )
        return job

    def one_statement(self) -> bool:
        """Whether flushing takes a single SQL statement (a new instance and its history)."""
        return (
            connection.vendor == "postgresql" and self.instance.pk is None and bool(self.started)
            and not (self.ended or self.changed or self.closed_tasks or self.tasks
                     or self.cancelled_jobs or self.jobs or self.resolved or self.incidents
                     or self.events or self.calls)
            and not webhooks.events.subscribed("instance.started", "instance.completed")
        )

    def flush(self) -> None:
        instance = self.instance
        if instance.pk is None:
            insert_instance(instance, list(self.started.values()))
            webhooks.events.instance_started(instance)
        elif self.started:
            insert_activities(instance, list(self.started.values()))
        for (ended_at, outcome, actor, quality), seqs in self.group_ended().items():
            end_activities(instance, seqs, ended_at, outcome, actor, quality)
        for seq, changes in self.changed.items():
            record_variables(instance, seq, changes)
        if self.closed_tasks:
            self.close_tasks()
        if self.tasks:
            self.create_tasks()
        if self.cancelled_jobs:
            query = Q()
            for effect in self.cancelled_jobs:
                query |= Q(token_id=effect.token_id, element_id=effect.element_id)
            Job.objects.filter(query, instance=instance).delete()
        if self.jobs:
            enqueue(self.jobs)
        if self.resolved:
            webhooks.events.incidents_resolving(instance, self.resolved)
            Incident.objects.filter(
                instance=instance, token_id__in=self.resolved, resolved_at__isnull=True
            ).update(resolved_at=timezone.now())
        if self.incidents:
            Incident.objects.bulk_create(self.incidents)
            webhooks.events.incidents_opened(instance, self.incidents)
        if self.events:
            write_events(instance, self.events)
        if self.calls:
            write_calls(instance, self.calls)
        if instance.state in (ProcessInstance.State.COMPLETED, ProcessInstance.State.CANCELLED):
            webhooks.events.instance_ended(instance)  # commands run on active instances only

    def group_ended(self) -> dict:
        groups = defaultdict(list)
        for effect in self.ended:
            key = (effect.ended_at, effect.outcome, effect.actor or "", effect.quality)
            groups[key].append(effect.seq)
        return groups

    def close_tasks(self) -> None:
        now = timezone.now()
        by_outcome = defaultdict(list)
        for effect in self.closed_tasks:
            by_outcome[(effect.outcome, effect.actor or "")].append(effect.token_id)
        for (outcome, actor), token_ids in by_outcome.items():
            Task.objects.filter(
                instance=self.instance, token_id__in=token_ids, state=Task.State.OPEN
            ).update(state=outcome, completed_at=now, completed_by=actor)
        webhooks.events.tasks_closed(self.instance, self.closed_tasks)

    def create_tasks(self) -> None:
        rows = Task.objects.bulk_create([task for task, _ in self.tasks])
        candidates = []
        for task, (_, effect) in zip(rows, self.tasks):
            candidates += [TaskCandidate(task=task, kind="user", name=n) for n in effect.candidate_users]
            candidates += [TaskCandidate(task=task, kind="group", name=n) for n in effect.candidate_groups]
        if candidates:
            TaskCandidate.objects.bulk_create(candidates)
        tasks_created(rows)
        webhooks.events.tasks_created(self.instance, rows)
