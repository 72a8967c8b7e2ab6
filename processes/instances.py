"""Start, advance and cancel process instances: the engine core plus persistence.

Each function runs one engine command in one transaction. Commands on an existing instance
lock its row first (``SELECT … FOR UPDATE``; SQLite serialises writers anyway), so two
commands on one instance never interleave: a join counts every branch, and of two
completions of one task exactly one succeeds.
"""

from datetime import UTC, datetime

from django.db import transaction
from django.utils import timezone

import webhooks.events
from processes.calls import hold_missing_calls
from processes.engine.errors import EngineError
from processes.engine.runtime import Engine
from processes.engine.state import InstanceState
from processes.models import Incident, Job, ProcessInstance, Task
from processes.models.jobs import EXTERNAL_TASK
from processes.store.apply import apply_effects, end_if_finished, save_new_instance, save_state
from processes.store.compiled import definitions_of, process_for
from processes.store.rows import lock_instance, update_instance


class InstanceError(Exception):
    """A command that cannot be carried out; the message says why, for the user."""


class NotStartable(InstanceError):
    pass


class TaskNotOpen(InstanceError):
    pass


class DelegationPending(TaskNotOpen):
    """A delegated task goes back to its owner (resolve) before anyone completes it."""


class InstanceNotActive(InstanceError):
    pass


class InstanceSuspended(InstanceNotActive):
    """The instance is suspended: nothing moves until it is resumed."""


def engine_for(definition) -> Engine:
    return _engine(definition.deployment_id, definition.key)


def _engine(deployment_id: int, key: str) -> Engine:
    """The engine for one process of a deployment, with the file's errors, messages, signals."""
    definitions = definitions_of(deployment_id)
    return Engine(definitions.processes[key], clock=timezone.now, definitions=definitions)


def start_instance(
    definition, *, variables=None, business_key="", user=None, start_event=None,
    parent=None, parent_token_id=None, parent_element_id="",
) -> ProcessInstance:
    """Start an instance of ``definition`` and run it until it waits or ends.

    ``start_event`` names the start event, for a message or signal start; by default the
    instance starts at the none start event. ``parent`` is the instance whose call activity
    (at ``parent_token_id``, ``parent_element_id``) calls this one.
    """
    if not definition.is_executable:
        raise NotStartable(f"{definition} is not executable (isExecutable is false).")
    if definition.suspended:
        raise NotStartable(f"{definition} is suspended: no new instances can start.")
    actor = user.get_username() if user else None
    try:
        engine = engine_for(definition)
        result = engine.start(
            dict(variables or {}), actor=actor, business_key=business_key or None,
            start_event_id=start_event,
        )
    except EngineError as error:  # e.g. an element this engine cannot run yet
        raise NotStartable(f"{definition} cannot start: {error}") from None
    result = hold_missing_calls(engine, result, definition.pk)
    instance = ProcessInstance(
        definition=definition,
        business_key=business_key or "",
        started_by=user if user and user.is_authenticated else None,
        started_at=timezone.now(),
        parent=parent, parent_token_id=parent_token_id, parent_element_id=parent_element_id,
    )
    save_state(instance, result.state)
    save_new_instance(instance, result.effects)
    return instance


def run_command(instance_id: int, command, check=None) -> ProcessInstance:
    """Run ``command(engine, state)`` on a locked instance and save what it did.

    ``check()``, if given, runs once the lock is held, to refuse a command that a
    concurrent one has made pointless. Must be called inside a transaction (the lock lasts
    until it commits).
    """
    instance, deployment_id, key = lock_instance(instance_id)
    if check is not None:
        check()
    if instance.state == ProcessInstance.State.SUSPENDED:
        raise InstanceSuspended(f"Instance {instance.pk} is suspended: resume it first.")
    if instance.state != ProcessInstance.State.ACTIVE:
        raise InstanceNotActive(f"Instance {instance.pk} is {instance.state}.")
    state = InstanceState.from_json(
        {"tokens": instance.tokens, "variables": instance.variables,
         "next_seq": instance.next_seq, "status": instance.state,
         "business_key": instance.business_key, "compensable": instance.compensable}
    )
    engine = _engine(deployment_id, key)
    result = hold_missing_calls(engine, command(engine, state), instance.definition_id)
    save_state(instance, result.state)
    end_if_finished(instance, result.effects)
    instance.version += 1
    update_instance(instance)
    apply_effects(instance, result.effects)
    return instance


@transaction.atomic
def complete_task(task_id: int, *, variables=None, user=None) -> Task:
    """Complete an open task; raise TaskNotOpen if someone completed or cancelled it first."""
    task = Task.objects.get(pk=task_id)

    def still_open():
        # Checked under the instance's lock: a concurrent completion either committed
        # first (the task is no longer open) or waits for this one. The task's own lock
        # makes a concurrent delegation (which locks only the task) wait, or come first.
        current = Task.objects.select_for_update().only("state", "delegation").get(pk=task.pk)
        if current.state != Task.State.OPEN:
            raise TaskNotOpen(f"Task {task.pk} is already {current.state}.")
        if current.delegation == Task.Delegation.PENDING:
            raise DelegationPending(
                f"Task {task.pk} is delegated: it must be resolved back to its owner first."
            )

    actor = user.get_username() if user else None
    run_command(
        task.instance_id,
        lambda engine, state: engine.complete_task(
            state, task.token_id, dict(variables or {}), actor=actor
        ),
        check=still_open,
    )
    return Task.objects.select_related("definition").prefetch_related("candidates").get(pk=task.pk)


@transaction.atomic
def cancel_instance(instance_id: int, *, user=None) -> ProcessInstance:
    """Cancel a running instance: its tasks, jobs and open activities end as cancelled."""
    actor = user.get_username() if user else None
    return run_command(instance_id, lambda engine, state: engine.cancel(state, actor=actor))


@transaction.atomic
def set_variables(instance_id: int, variables: dict, *, user=None) -> ProcessInstance:
    """Change an instance's variables from outside; conditional events react to them."""
    actor = user.get_username() if user else None
    return run_command(
        instance_id, lambda engine, state: engine.set_variables(state, variables, actor=actor)
    )


# A suspended instance's jobs wait here, their due time kept in the payload for resuming.
PARKED_UNTIL = datetime(9999, 1, 1, tzinfo=UTC)


@transaction.atomic
def suspend_instance(instance_id: int) -> ProcessInstance:
    """Stop an active instance where it is: its jobs wait, its tasks cannot be completed."""
    instance, _, _ = lock_instance(instance_id)
    if instance.state != ProcessInstance.State.ACTIVE:
        raise InstanceNotActive(f"Instance {instance_id} is {instance.state}.")
    for job in Job.objects.filter(instance_id=instance_id).exclude(due_at=PARKED_UNTIL):
        park(job)
    return _set_state(instance_id, ProcessInstance.State.SUSPENDED)


@transaction.atomic
def resume_instance(instance_id: int) -> ProcessInstance:
    """Let a suspended instance go on: its jobs fall due when they would have."""
    instance, _, _ = lock_instance(instance_id)
    if instance.state != ProcessInstance.State.SUSPENDED:
        raise InstanceError(f"Instance {instance_id} is {instance.state}, not suspended.")
    for job in Job.objects.filter(instance_id=instance_id, due_at=PARKED_UNTIL):
        due = job.payload.pop("parked_due_at", None)
        job.due_at = datetime.fromisoformat(due) if due else timezone.now()
        job.save(update_fields=["due_at", "payload"])
    return _set_state(instance_id, ProcessInstance.State.ACTIVE)  # the dispatcher finds them


def park(job: Job, token: str | None = None) -> None:
    """Hold a job of a suspended instance until it is resumed (no retry is spent)."""
    job.payload["parked_due_at"] = job.due_at.isoformat()
    filters = {"pk": job.pk} if token is None else {"pk": job.pk, "lock_token": token}
    Job.objects.filter(**filters).update(
        due_at=PARKED_UNTIL, payload=job.payload, lock_token="", locked_by="", locked_until=None
    )


def _set_state(instance_id: int, state: str) -> ProcessInstance:
    ProcessInstance.objects.filter(pk=instance_id).update(state=state)
    return ProcessInstance.objects.select_related("definition").get(pk=instance_id)


@transaction.atomic
def retry_incident(incident_id: int, *, user=None) -> Incident:
    """Resolve an incident by running its element again (after a fix of data or system)."""
    incident = Incident.objects.select_for_update().get(pk=incident_id)
    if incident.resolved_at is not None:
        raise InstanceError(f"Incident {incident.pk} was already resolved.")
    # A job that ran out of retries is replaced by the one the element schedules again. An
    # external task comes back with one retry and its last error, as Camunda's retry gives
    # it: its worker's next failure report sets the count again.
    exhausted = Job.objects.filter(
        instance_id=incident.instance_id, token_id=incident.token_id, retries_left=0
    )
    external = exhausted.filter(kind=EXTERNAL_TASK).values("last_error", "payload").first()
    exhausted.delete()
    run_command(incident.instance_id, lambda engine, state: engine.retry(state, incident.token_id))
    if external is not None:
        Job.objects.filter(
            instance_id=incident.instance_id, token_id=incident.token_id, kind=EXTERNAL_TASK
        ).update(retries_left=1, **external)
    incident.refresh_from_db()
    return incident


@transaction.atomic
def claim_task(task_id: int, user) -> Task:
    """Make ``user`` the assignee of an open, unassigned task (or theirs already)."""
    task = Task.objects.select_for_update().get(pk=task_id)
    name = user.get_username()
    if task.state != Task.State.OPEN:
        raise TaskNotOpen(f"Task {task.pk} is already {task.state}.")
    if task.assignee and task.assignee != name:
        raise TaskNotOpen(f"Task {task.pk} is already claimed by {task.assignee}.")
    if task.assignee != name:
        task.assignee, task.claimed_at = name, timezone.now()
        task.save(update_fields=["assignee", "claimed_at"])
        webhooks.events.task_assigned(task)
    return task


def start_form_fields(definition):
    """Return the form fields of the none start event people start ``definition`` at."""
    process = process_for(definition)
    for event_id in process.start_events:
        if not process.nodes[event_id].event_definitions:
            return process.nodes[event_id].properties.form_fields
    return ()


def form_fields(task: Task):
    """Return the form fields the model declares for a task's element."""
    node = process_for(task.definition).nodes.get(task.element_id)
    return node.properties.form_fields if node else ()
