"""Call activities on the database: the child instance, its link, and what it reports back."""

import pytest

from processes.deployments import deploy
from processes.instances import cancel_instance, complete_task, retry_incident, start_instance
from processes.models import Incident, ProcessInstance, Task
from processes.waiting import waiting_for
from tests.processes.test_services import make_due, no_broker, run_jobs  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

HEADER = (
    '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:baton="http://baton-bpm.org/schema/1.0/bpmn" '
    'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">'
    '<error id="err_refused" errorCode="REFUSED"/><escalation id="esc_help" escalationCode="HELP"/>'
)


def callee(body='<userTask id="bill"/>', ends=True):
    """The billing process: start, then ``bill``, then (if ``ends``) a none end event."""
    end = '<sequenceFlow id="cf2" sourceRef="bill" targetRef="ce"/><endEvent id="ce"/>'
    return (
        '<process id="billing" isExecutable="true"><startEvent id="cs"/>'
        '<sequenceFlow id="cf1" sourceRef="cs" targetRef="bill"/>' + body
        + (end if ends else "") + "</process>"
    )


def caller(call_attributes="", mappings="", boundaries=""):
    return (
        '<process id="order" isExecutable="true"><startEvent id="s"/>'
        '<sequenceFlow id="f1" sourceRef="s" targetRef="call"/>'
        f'<callActivity id="call" calledElement="billing" {call_attributes}>'
        f"<extensionElements>{mappings}</extensionElements></callActivity>"
        '<sequenceFlow id="f2" sourceRef="call" targetRef="after"/><userTask id="after"/>'
        '<sequenceFlow id="f3" sourceRef="after" targetRef="e"/><endEvent id="e"/>'
        + boundaries + "</process>"
    )


def deployed(*processes, name="calls.bpmn"):
    result = deploy((HEADER + "".join(processes) + "</definitions>").encode(), name=name)
    return {definition.key: definition for definition in result.definitions}


def child_of(parent):
    return ProcessInstance.objects.select_related("definition").get(parent=parent)


def open_task(instance):
    return Task.objects.get(instance=instance, state=Task.State.OPEN)


def test_the_child_starts_linked_and_the_caller_resumes_with_its_mapped_variables():
    deployed(callee())
    mappings = (
        '<camunda:in source="order" target="orderId"/>'
        '<camunda:in businessKey="#{execution.processBusinessKey}"/>'
        '<camunda:out source="total" target="invoiceTotal"/>'
    )
    parent = start_instance(deployed(caller(mappings=mappings))["order"],
                            variables={"order": "A-1", "secret": 1}, business_key="order-7")
    child = child_of(parent)
    assert (child.parent_token_id, child.parent_element_id) == (parent.tokens[0]["id"], "call")
    assert child.variables == {"orderId": "A-1"} and child.business_key == "order-7"
    waits = [(w["kind"], w["name"], w["instance"]) for w in waiting_for(parent)]
    assert waits == [("call", "billing", child.pk)]

    complete_task(open_task(child).pk, variables={"total": 99})
    child.refresh_from_db()
    assert child.state == "completed"
    assert run_jobs() == ["done"]
    parent.refresh_from_db()
    assert parent.variables == {"order": "A-1", "secret": 1, "invoiceTotal": 99}
    assert open_task(parent).element_id == "after"
    assert dict(parent.activities.values_list("element_id", "outcome"))["call"] == "completed"


def test_a_child_that_runs_straight_through_resumes_the_caller_through_a_job():
    deployed(callee('<scriptTask id="bill"><script>total = 5</script></scriptTask>'))
    parent = start_instance(deployed(caller(mappings='<baton:out variables="all"/>'))["order"])
    assert child_of(parent).state == "completed"
    run_jobs()
    parent.refresh_from_db()
    assert parent.variables == {"total": 5} and open_task(parent).element_id == "after"


def test_the_binding_picks_the_latest_the_deployments_or_a_given_version():
    first = deployed(callee(), caller('baton:calledElementBinding="deployment"'), name="v1.bpmn")
    deployed(callee('<userTask id="bill" name="v2"/>'), name="v2.bpmn")
    deployed(callee('<userTask id="bill" name="v3"/>'), name="v3.bpmn")
    assert child_of(start_instance(first["order"])).definition.version == 1
    latest = deployed(caller(), name="latest.bpmn")["order"]
    assert child_of(start_instance(latest)).definition.version == 3
    pinned = deployed(caller('baton:calledElementBinding="version" baton:calledElementVersion="2"'),
                      name="pinned.bpmn")["order"]
    assert child_of(start_instance(pinned)).definition.version == 2


def test_cancelling_the_caller_cancels_the_child_and_its_task():
    deployed(callee())
    parent = start_instance(deployed(caller())["order"])
    child = child_of(parent)
    cancel_instance(parent.pk)
    child.refresh_from_db()
    assert child.state == "cancelled" and Task.objects.get(instance=child).state == "cancelled"
    run_jobs()  # the child's news finds the caller gone
    parent.refresh_from_db()
    assert parent.state == "cancelled" and not Incident.objects.filter(instance=parent).exists()


def test_an_interrupting_timer_on_the_call_activity_cancels_the_child():
    deployed(callee())
    timer = (
        '<boundaryEvent id="late" attachedToRef="call"><timerEventDefinition>'
        "<timeDuration>PT1H</timeDuration></timerEventDefinition></boundaryEvent>"
        '<sequenceFlow id="f4" sourceRef="late" targetRef="late_end"/><endEvent id="late_end"/>'
    )
    parent = start_instance(deployed(caller(boundaries=timer))["order"])
    make_due(instance=parent, kind="engine.timer")
    run_jobs()
    parent.refresh_from_db()
    assert parent.state == "completed" and child_of(parent).state == "cancelled"


def test_an_error_the_child_leaves_uncaught_is_caught_by_a_boundary_on_the_call_activity():
    refuse = ('<userTask id="bill"/><sequenceFlow id="cf3" sourceRef="bill" targetRef="refused"/>'
              '<endEvent id="refused"><errorEventDefinition errorRef="err_refused"/></endEvent>')
    deployed(callee(refuse, ends=False))
    boundary = (
        '<boundaryEvent id="failed" attachedToRef="call">'
        '<errorEventDefinition errorRef="err_refused"/></boundaryEvent>'
        '<sequenceFlow id="f4" sourceRef="failed" targetRef="fix"/><userTask id="fix"/>'
        '<sequenceFlow id="f5" sourceRef="fix" targetRef="e2"/><endEvent id="e2"/>'
    )
    parent = start_instance(deployed(caller(boundaries=boundary))["order"])
    child = child_of(parent)
    complete_task(open_task(child).pk)
    assert run_jobs() == ["done"]
    parent.refresh_from_db()
    child.refresh_from_db()
    assert open_task(parent).element_id == "fix"
    assert dict(parent.activities.values_list("element_id", "outcome"))["call"] == "error"
    assert child.state == "cancelled"
    assert not Incident.objects.filter(instance=child, resolved_at__isnull=True).exists()


def test_an_error_nobody_catches_holds_the_call_activity_with_an_incident():
    refuse = '<endEvent id="bill"><errorEventDefinition errorRef="err_refused"/></endEvent>'
    deployed(callee(refuse, ends=False))
    parent = start_instance(deployed(caller())["order"])
    run_jobs()
    incident = Incident.objects.get(instance=parent)
    assert incident.element_id == "call" and "REFUSED" in incident.message


def test_an_escalation_of_the_child_reaches_a_boundary_on_the_call_activity():
    escalate = (
        '<intermediateThrowEvent id="bill"><escalationEventDefinition escalationRef="esc_help"/>'
        "</intermediateThrowEvent>"
    )
    deployed(callee(escalate))
    boundary = (
        '<boundaryEvent id="help" attachedToRef="call" cancelActivity="false">'
        '<escalationEventDefinition escalationRef="esc_help"/></boundaryEvent>'
        '<sequenceFlow id="f4" sourceRef="help" targetRef="assist"/><userTask id="assist"/>'
        '<sequenceFlow id="f5" sourceRef="assist" targetRef="e2"/><endEvent id="e2"/>'
    )
    parent = start_instance(deployed(caller(boundaries=boundary))["order"])
    child = child_of(parent)
    assert not Incident.objects.filter(instance=child).exists(), "passed up, not recorded"
    run_jobs()
    parent.refresh_from_db()
    tasks = Task.objects.filter(instance=parent).values_list("element_id", flat=True)
    assert sorted(tasks) == ["after", "assist"]


def test_a_missing_called_process_is_an_incident_naming_the_element_and_key_until_deployed():
    parent = start_instance(deployed(caller())["order"])
    incident = Incident.objects.get(instance=parent)
    assert incident.element_id == "call" and "'billing'" in incident.message
    assert not ProcessInstance.objects.filter(parent=parent).exists()
    deployed(callee())
    retry_incident(incident.pk)
    assert child_of(parent).state == "active"


def test_a_child_cancelled_by_someone_else_holds_the_caller_with_an_incident():
    deployed(callee())
    parent = start_instance(deployed(caller())["order"])
    child = child_of(parent)
    cancel_instance(child.pk)
    run_jobs()
    incident = Incident.objects.get(instance=parent)
    assert incident.element_id == "call" and f"Instance {child.pk}" in incident.message

