"""Each event type, sent when it happens, with the data a receiver needs to act on it."""

import pytest

from processes.deployments import deploy
from processes.instances import (
    cancel_instance,
    claim_task,
    complete_task,
    retry_incident,
    start_instance,
)
from processes.models import Incident, Task
from processes.task_actions import reassign
from tests.samples import HEADER
from tests.webhooks.conftest import Receiver, run_jobs, subscribe
from webhooks.models import Event


def sent() -> list[tuple[str, dict]]:
    return [(request.type, request.json["data"]) for request in Receiver.received]


def process(body: str, errors: str = ""):
    xml = (f'{HEADER}{errors}<process id="p" isExecutable="true"><startEvent id="s"/>{body}'
           "</process></definitions>")
    return deploy(xml.encode(), name="p.bpmn").definitions[0]


@pytest.fixture
def everything(receiver, owner):
    return subscribe(owner, receiver, list(Event.values))


def test_a_task_claimed_and_completed_then_the_instance_completed(everything, invoice, manager):
    instance = start_instance(invoice)
    task = Task.objects.get(instance=instance)
    claim_task(task.pk, manager)
    complete_task(task.pk, user=manager)
    run_jobs()

    types = [event for event, _ in sent()]
    assert types == ["instance.started", "task.created", "task.assigned", "task.completed",
                     "instance.completed"]
    data = dict(sent())
    assert (data["task.assigned"]["task_id"], data["task.assigned"]["assignee"]) == (task.pk, "max")
    assert data["task.completed"]["completed_by"] == "max"
    assert data["task.completed"]["completed_at"]
    assert data["instance.completed"]["instance_id"] == instance.pk
    assert data["instance.completed"]["ended_at"]


def test_a_process_that_runs_straight_through_started_and_completed(everything):
    instance = start_instance(
        process('<sequenceFlow id="f1" sourceRef="s" targetRef="e"/><endEvent id="e"/>')
    )
    run_jobs()
    assert [event for event, _ in sent()] == ["instance.started", "instance.completed"]
    assert {data["instance_id"] for _, data in sent()} == {instance.pk}


def test_a_task_created_for_someone_is_assigned_too(everything):
    definition = process(
        '<sequenceFlow id="f1" sourceRef="s" targetRef="t"/>'
        '<userTask id="t" name="Check" baton:assignee="emma"/>'
        '<sequenceFlow id="f2" sourceRef="t" targetRef="e"/><endEvent id="e"/>'
    )
    start_instance(definition)
    run_jobs()
    assert [(event, data["assignee"]) for event, data in sent() if event.startswith("task.")] == [
        ("task.created", "emma"), ("task.assigned", "emma"),
    ]


def test_a_reassigned_task_is_assigned_again(everything, invoice, admin_user, employee):
    task = Task.objects.get(instance=start_instance(invoice))
    reassign(task.pk, employee, by=admin_user)
    run_jobs()
    assert ("task.assigned", "emma") in [(e, d.get("assignee")) for e, d in sent()]


def test_a_cancelled_instance(everything, invoice):
    instance = start_instance(invoice)
    cancel_instance(instance.pk)
    run_jobs()
    assert sent()[-1][0] == "instance.cancelled"
    assert sent()[-1][1]["instance_id"] == instance.pk


def test_an_error_end_event_nothing_catches_fails_the_instance(everything):
    definition = process(
        '<sequenceFlow id="f1" sourceRef="s" targetRef="refused"/>'
        '<endEvent id="refused"><errorEventDefinition errorRef="err"/></endEvent>',
        errors='<error id="err" errorCode="REFUSED"/>',
    )
    instance = start_instance(definition)
    run_jobs()
    incident = Incident.objects.get(instance=instance)
    data = dict(sent())
    for event in ("incident.opened", "instance.failed"):
        assert data[event]["incident_id"] == incident.pk
        assert data[event]["element_id"] == "refused"
        assert "REFUSED" in data[event]["message"]
    assert "instance.completed" not in data, "the instance waits for an operator"


def test_a_retried_incident_is_resolved(everything):
    definition = process(
        '<sequenceFlow id="f1" sourceRef="s" targetRef="call"/>'
        '<serviceTask id="call" baton:type="handler" baton:handler="no.such"'
        ' baton:retryCycle="R1/PT1S"/>'
        '<sequenceFlow id="f2" sourceRef="call" targetRef="e"/><endEvent id="e"/>'
    )
    instance = start_instance(definition)
    run_jobs()  # the service fails, out of retries: an incident
    incident = Incident.objects.get(instance=instance)
    retry_incident(incident.pk)
    run_jobs()
    data = dict(sent())
    assert data["incident.opened"]["incident_id"] == incident.pk
    assert "No service handler is registered as 'no.such'" in data["instance.failed"]["message"]
    assert data["incident.resolved"]["incident_id"] == incident.pk
    assert data["incident.resolved"]["resolved_at"]
