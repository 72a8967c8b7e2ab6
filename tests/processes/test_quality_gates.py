"""Quality gates: each completed step with a gate records whether it passed (first-pass yield)."""

import pytest

from processes.deployments import deploy
from processes.instances import complete_task, start_instance
from processes.models import ActivityInstance, Task
from tests.samples import HEADER

pytestmark = pytest.mark.django_db

REVIEW = (
    HEADER + '<process id="review" isExecutable="true"><startEvent id="s"/>'
    '<sequenceFlow id="f1" sourceRef="s" targetRef="check"/>'
    '<userTask id="check" baton:qualityGate="${complete and amount &gt; 0}"/>'
    '<sequenceFlow id="f2" sourceRef="check" targetRef="ok"/>'
    '<exclusiveGateway id="ok" default="redo" baton:qualityGate="${complete}"/>'
    '<sequenceFlow id="done" sourceRef="ok" targetRef="e"><conditionExpression>${complete}'
    "</conditionExpression></sequenceFlow>"
    '<sequenceFlow id="redo" sourceRef="ok" targetRef="check"/>'
    '<endEvent id="e"/></process></definitions>'
).encode()


def quality(instance, element_id):
    return list(
        ActivityInstance.objects.filter(instance=instance, element_id=element_id)
        .order_by("seq").values_list("quality", flat=True)
    )


def test_each_pass_through_a_gate_is_recorded_and_rework_fails_the_first(settings):
    settings.CELERY_BROKER_URL = ""
    definition = deploy(REVIEW, name="review.bpmn").definitions[0]
    instance = start_instance(definition, variables={"amount": 5})
    for complete in (False, True):
        task = Task.objects.get(instance=instance, state="open")
        complete_task(task.pk, variables={"complete": complete})
    assert quality(instance, "check") == [False, True]
    assert quality(instance, "ok") == [False, True]
    assert quality(instance, "s") == [None], "no gate, nothing measured"


def test_a_gate_that_cannot_be_evaluated_counts_as_failed_and_the_step_goes_on(settings):
    settings.CELERY_BROKER_URL = ""
    definition = deploy(REVIEW, name="review.bpmn").definitions[0]
    instance = start_instance(definition)  # no amount: the gate cannot be evaluated
    task = Task.objects.get(instance=instance, state="open")
    complete_task(task.pk, variables={"complete": True})
    instance.refresh_from_db()
    assert instance.state == "completed"
    assert quality(instance, "check") == [False]
