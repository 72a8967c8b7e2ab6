"""Call activities on the platform: start the called instance, cancel it, report back.

The engine asks for a child (``ChildRequested``) and says when a call activity ended early
(``ChildCancelled``); it never sees another instance. Here:

- the called definition is looked up before the caller's state is saved, so a missing one
  holds the call activity with an incident in the same command;
- the child starts in the caller's transaction, linked to the caller's token and element;
- the caller cancels its child in its own transaction, so locks go parent first, then child;
- what a child tells its caller (it completed, left an error or escalation uncaught, or was
  cancelled by someone else) goes through an ``engine.call`` job on the caller, run in a
  transaction of its own. A child never locks its parent: two instances are never locked
  child first, so a caller and its child cannot deadlock.
"""

from django.conf import settings
from django.utils import timezone

from processes.engine import effects as fx
from processes.engine.errors import EngineError, NotWaiting
from processes.engine.plan import plan_for
from processes.engine.runtime import Result
from processes.jobs.queue import enqueue
from processes.models import Incident, Job, ProcessDefinition, ProcessInstance
from processes.store.compiled import definitions_of

CALLS = (fx.ChildRequested, fx.ChildCancelled)
REPORTED = (fx.InstanceEnded, fx.ErrorUncaught, fx.EscalationUncaught)


class CannotCall(Exception):
    """The process a call activity calls is not deployed, or cannot start."""


def called_definition(request: fx.ChildRequested, caller_definition_id: int) -> ProcessDefinition:
    """Return the definition ``request`` calls, by its binding; raise CannotCall if none can run.

    "latest" is the newest version of the key, "deployment" the one deployed with the
    caller, "version" the version the model names.
    """
    definitions = ProcessDefinition.objects.filter(key=request.called_key)
    if request.binding == "deployment":
        definitions = definitions.filter(deployment__definitions=caller_definition_id)
    elif request.binding == "version":
        definitions = definitions.filter(version=request.version)
    definition = definitions.order_by("-version").first()
    if definition is None:
        which = {"deployment": " of the caller's deployment",
                 "version": f" version {request.version}"}
        raise CannotCall(
            f"Call activity '{request.element_id}' calls process '{request.called_key}'"
            f"{which.get(request.binding, '')}, which is not deployed."
        )
    check_runnable(definition, request.element_id)
    return definition


def check_runnable(definition: ProcessDefinition, element_id: str) -> None:
    """Raise CannotCall if ``definition`` may not start, or holds what the engine cannot run."""
    if not definition.can_start:
        raise CannotCall(f"Call activity '{element_id}' calls {definition}, which cannot start "
                         "(suspended, or not executable).")
    try:
        model = definitions_of(definition.deployment_id)
        plan_for(model.processes[definition.key], model)
    except EngineError as error:
        raise CannotCall(
            f"Call activity '{element_id}' calls {definition}, which cannot run: {error}"
        ) from None


def hold_missing_calls(engine, result: Result, caller_definition_id: int) -> Result:
    """Hold with an incident each call activity whose process cannot be called.

    Runs before the caller's state is saved, so the incident is part of the same command.
    """
    for request in [e for e in result.effects if isinstance(e, fx.ChildRequested)]:
        if request.token_id not in result.state.tokens:
            continue  # ended in the same command: nothing to start
        try:
            called_definition(request, caller_definition_id)
        except CannotCall as error:
            held = engine.open_incident(result.state, request.token_id, str(error))
            effects = [e for e in result.effects if e is not request]
            result = Result(held.state, effects + held.effects)
    return result


def concerns(instance: ProcessInstance, effect) -> bool:
    """Whether ``effect`` starts or cancels a child, or is news for the instance's caller."""
    reported = instance.parent_id is not None and isinstance(effect, REPORTED)
    return reported or isinstance(effect, CALLS)


def write_calls(instance: ProcessInstance, effects) -> None:
    """Start and cancel the instances ``instance`` calls; report to the one that called it."""
    reports = []
    for effect in effects:
        match effect:
            case fx.ChildRequested():
                start_child(instance, effect)
            case fx.ChildCancelled():
                cancel_children(instance, effect)
            case fx.ErrorUncaught():
                reports.append(["error", effect.code, effect.message])
            case fx.EscalationUncaught():
                reports.append(["escalation", effect.code])
            case fx.InstanceEnded():
                reports.append([effect.outcome])
    if reports:
        report_to_caller(instance, reports)


def start_child(caller: ProcessInstance, request: fx.ChildRequested) -> None:
    from processes.instances import start_instance

    try:
        definition = called_definition(request, caller.definition_id)
    except CannotCall:
        return  # the call activity was held with an incident before the caller was saved
    start_instance(
        definition, variables=request.variables, business_key=request.business_key or "",
        parent=caller, parent_token_id=request.token_id, parent_element_id=request.element_id,
    )


def cancel_children(caller: ProcessInstance, effect: fx.ChildCancelled) -> None:
    """Cancel the running instance the call activity at ``effect.token_id`` started.

    Its incidents end with it: an uncaught error it passed up was handled by the caller.
    """
    from processes.instances import InstanceNotActive, run_command

    children = ProcessInstance.objects.filter(
        parent_id=caller.pk, parent_token_id=effect.token_id, state=ProcessInstance.State.ACTIVE
    ).values_list("pk", flat=True)
    for child_id in children:
        try:
            run_command(child_id, lambda engine, state: engine.cancel(state))
        except InstanceNotActive:
            continue  # it ended meanwhile
        Incident.objects.filter(instance_id=child_id, resolved_at__isnull=True).update(
            resolved_at=timezone.now()
        )


def report_to_caller(child: ProcessInstance, reports: list) -> None:
    """Write the job that tells the caller what its child did, in the order it happened."""
    enqueue([Job(
        kind="engine.call", payload={"child": child.pk, "reports": reports},
        due_at=timezone.now(), retries_left=settings.JOB_DEFAULT_RETRIES,
        instance_id=child.parent_id, token_id=child.parent_token_id,
        element_id=child.parent_element_id,
    )])


def resume_caller(job, performed) -> None:
    """Run the child's reports on the caller; a caller that moved on ignores them."""
    from processes.instances import InstanceNotActive, InstanceSuspended, run_command

    child_id = job.payload["child"]
    children = ProcessInstance.objects.filter(
        parent_id=job.instance_id, parent_token_id=job.token_id
    )
    newest = children.order_by("-pk").values_list("pk", flat=True).first()
    if newest != child_id:
        return  # the token called again since: this child's news is stale
    for report in job.payload["reports"]:
        try:
            run_command(job.instance_id, at_call(job, command_for(job, child_id, report)))
        except InstanceSuspended:
            raise  # the job waits for the caller to be resumed
        except (InstanceNotActive, NotWaiting):
            return


def command_for(job, child_id: int, report: list):
    """Return the engine command that passes one report of the child to its caller."""
    kind, *details = report
    token_id = job.token_id
    if kind == "completed":
        variables = ProcessInstance.objects.values_list("variables", flat=True).get(pk=child_id)
        return lambda engine, state: engine.complete_call(state, token_id, variables)
    if kind == "error":
        return lambda engine, state: engine.throw_error(state, token_id, *details)
    if kind == "escalation":
        return lambda engine, state: engine.escalate(state, token_id, *details)
    message = f"Instance {child_id}, which '{job.element_id}' called, was cancelled."
    return lambda engine, state: engine.open_incident(state, token_id, message)


def at_call(job, command):
    """Run ``command`` only while the caller's token still waits at the call activity."""

    def run(engine, state):
        token = state.tokens.get(job.token_id)
        if token is None or token.element_id != job.element_id or token.state != "waiting":
            raise NotWaiting(f"Token {job.token_id} no longer waits at {job.element_id}.")
        return command(engine, state)

    return run
