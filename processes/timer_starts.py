"""Timer start events: a deployed process starts itself when its timer falls due.

Each timer start event of the newest version of a process is a job; when it fires it
starts an instance and, for a cycle, schedules its next occurrence. Deploying a new
version replaces the timers of the older ones, as in Camunda.
"""

import logging
from datetime import datetime

from django.conf import settings
from django.utils import timezone

from processes.engine.behaviours.timers import compiled_timer
from processes.engine.expressions import compile_expression, is_expression
from processes.instances import NotStartable, start_instance
from processes.jobs.queue import enqueue
from processes.jobs.registry import register
from processes.models import Job, ProcessDefinition
from processes.store.compiled import process_for

KIND = "engine.start_timer"
logger = logging.getLogger(__name__)


def schedule_timer_starts(definitions) -> None:
    """Schedule the timer start events of newly deployed versions (in the deploy transaction)."""
    for definition in definitions:
        if not definition.is_executable:
            continue
        process = process_for(definition)
        timers = [s for s in process.start_events if process.nodes[s].trigger == "timer"]
        if timers:
            Job.objects.filter(kind=KIND, payload__key=definition.key).delete()
        for element_id in timers:
            due = _timer(process.nodes[element_id]).first_due(timezone.now())
            if due is not None:
                _schedule(definition, element_id, due, fired=0)


def fire_timer_start(job, performed) -> None:
    """Start an instance at the timer start event, then schedule the cycle's next firing."""
    definition = ProcessDefinition.objects.filter(pk=job.payload["definition"]).first()
    if definition is None:
        return
    node = process_for(definition).nodes[job.element_id]
    try:
        start_instance(definition, start_event=job.element_id)
    except NotStartable as error:  # suspended: this occurrence is skipped, later ones come
        logger.info("timer start %s of %s skipped: %s", job.element_id, definition, error)
    fired = job.payload["fired"] + 1
    following = _timer(node).next_due(datetime.fromisoformat(job.payload["due"]), fired)
    if following is not None:
        _schedule(definition, job.element_id, following, fired)


def _timer(node):
    definition = next(d for d in node.event_definitions if d.kind == "timer")
    text = definition.timer.text.strip()
    if is_expression(text):  # no instance yet: the expression sees no variables
        text = str(compile_expression(text).evaluate({}, now=timezone.now()))
    return compiled_timer(definition.timer.kind, text)


def _schedule(definition, element_id, due, fired) -> None:
    payload = {"definition": definition.pk, "key": definition.key, "due": due.isoformat(), "fired": fired}
    enqueue([Job(kind=KIND, payload=payload, due_at=due, element_id=element_id,
                 retries_left=settings.JOB_DEFAULT_RETRIES)])


register(KIND, commit=fire_timer_start)
