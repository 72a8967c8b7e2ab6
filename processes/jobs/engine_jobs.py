"""Job kinds the engine schedules: service tasks, timers and async continuations.

Each one resumes a waiting token through an engine command. A job whose token has moved on
(say, a service task interrupted by a boundary timer) was deleted with that move; the
executor then finds its lease gone and rolls back, so a late job never acts twice.
"""

from django.db import transaction
from django.utils import timezone

from processes.connectors import BpmnErrorRaised, ServiceContext, run_service
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
    try:
        return ("completed", run_service(node.properties.implementation, instance.variables, context))
    except BpmnErrorRaised as error:
        return ("error", error.code, error.message)


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
        lambda engine, state: engine.fire_timer(state, job.token_id, job.element_id),
    )


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


register("engine.service", perform=call_service, commit=finish_service, on_exhausted=open_incident)
register("engine.timer", commit=fire_timer, on_exhausted=open_incident)
register("engine.continue", commit=continue_token, on_exhausted=open_incident)
