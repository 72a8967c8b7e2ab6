"""Job kinds the engine schedules: service tasks, timers, async continuations, call reports.

Each one resumes a waiting token through an engine command. A job whose token has moved on
(say, a service task interrupted by a boundary timer) was deleted with that move; the
executor then finds its lease gone and rolls back, so a late job never acts twice.
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from processes.calls import resume_caller
from processes.connectors import BpmnErrorRaised, ServiceContext, run_service
from processes.engine.state import InstanceState
from processes.instances import run_command
from processes.jobs.registry import register
from processes.models import ProcessInstance
from processes.store.compiled import process_for


def call_service(job):
    """Run the service task's implementation, outside any transaction."""
    instance = ProcessInstance.objects.select_related("definition").get(pk=job.instance_id)
    node = process_for(instance.definition).nodes[job.element_id]
    context = ServiceContext(
        instance_id=instance.pk,
        business_key=instance.business_key,
        element_id=job.element_id,
        definition_key=instance.definition.key,
        idempotency_key=f"{job.pk}-{job.attempts}",
        now=timezone.now(),
    )
    variables = variables_seen(instance, job.token_id)
    try:
        return ("completed", run_service(node.properties.implementation, variables, context))
    except BpmnErrorRaised as error:
        return ("error", error.code, error.message)


def variables_seen(instance, token_id) -> dict:
    """Return the variables the job's token sees: a multi-instance item over the instance's."""
    state = InstanceState.from_json({"tokens": instance.tokens, "variables": instance.variables})
    return dict(state.variables_for(state.tokens.get(token_id)))


def finish_service(job, performed):
    """Move the token on with the service's result, or throw the BPMN error it raised."""
    outcome, *details = performed

    def command(engine, state):
        if outcome == "completed":
            return engine.complete_job(state, job.token_id, details[0])
        return engine.throw_error(state, job.token_id, *details)

    run_command(job.instance_id, command)


def fire_timer(job, performed):
    run_command(
        job.instance_id,
        lambda engine, state: engine.trigger(
            state, job.token_id, job.element_id, occurrence=occurrence_of(job),
            trigger=("timer", None),
        ),
    )


def occurrence_of(job):
    """The due time and count a cycle timer's job carries, or None."""
    if "due" not in job.payload:
        return None
    return datetime.fromisoformat(job.payload["due"]), job.payload["fired"]


def continue_token(job, performed):
    run_command(
        job.instance_id, lambda engine, state: engine.continue_token(state, job.token_id)
    )


def open_incident(job, error: str):
    """Out of retries: hold the token with an incident the instance shows."""
    with transaction.atomic():
        run_command(
            job.instance_id,
            lambda engine, state: engine.open_incident(state, job.token_id, error),
        )


def deliver_message(job, performed):
    """A message thrown in an instance: to a waiting instance of the same deployment."""
    from processes.events import NothingWaits, correlate_message

    payload = job.payload
    sender = (ProcessInstance.objects.filter(pk=payload["sender"])
              .values_list("definition__deployment_id", flat=True).first())
    try:
        correlate_message(payload["name"], business_key=payload.get("business_key") or "",
                          variables=payload.get("variables"), deployment_id=sender)
    except NothingWaits:
        if payload.get("business_key"):  # the receiver may not share the sender's key
            correlate_message(payload["name"], variables=payload.get("variables"), deployment_id=sender)
        else:
            raise


def deliver_signal(job, performed):
    """A signal thrown in an instance: to every other instance waiting for it."""
    from processes.events import broadcast_signal

    broadcast_signal(job.payload["name"], variables=job.payload.get("variables"),
                     sender=job.payload.get("sender"))


register("engine.service", perform=call_service, commit=finish_service, on_exhausted=open_incident)
register("engine.timer", commit=fire_timer, on_exhausted=open_incident)
register("engine.continue", commit=continue_token, on_exhausted=open_incident)
register("engine.message", commit=deliver_message)
register("engine.signal", commit=deliver_signal)
register("engine.call", commit=resume_caller, on_exhausted=open_incident)
