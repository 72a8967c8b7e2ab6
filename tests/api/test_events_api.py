"""Messages and signals through the REST API, and thrown by instances to other instances."""

import pytest

from processes.deployments import deploy
from processes.instances import start_instance
from processes.jobs import dispatcher, executor
from processes.models import EventSubscription, Incident, Job, ProcessInstance
from tests.samples import HEADER

pytestmark = pytest.mark.django_db

ROOTS = '<message id="m_paid" name="payment received"/><signal id="s_recall" name="recall"/>'


def deploy_xml(body: str):
    xml = HEADER + ROOTS + body + "</definitions>"
    return deploy(xml.encode(), name="events.bpmn").definitions


ORDER = (
    '<process id="order" isExecutable="true"><startEvent id="s"/>'
    '<sequenceFlow id="f1" sourceRef="s" targetRef="wait_payment"/>'
    '<intermediateCatchEvent id="wait_payment"><messageEventDefinition messageRef="m_paid"/></intermediateCatchEvent>'
    '<sequenceFlow id="f2" sourceRef="wait_payment" targetRef="ship"/><userTask id="ship"/>'
    '<boundaryEvent id="recalled" attachedToRef="ship"><signalEventDefinition signalRef="s_recall"/></boundaryEvent>'
    '<sequenceFlow id="f3" sourceRef="ship" targetRef="done"/><endEvent id="done"/>'
    '<sequenceFlow id="f4" sourceRef="recalled" targetRef="stopped"/><endEvent id="stopped"/></process>'
)


@pytest.fixture
def order():
    return deploy_xml(ORDER)[0]


def test_a_message_reaches_the_instance_with_its_business_key(api_for, employee, order):
    first = start_instance(order, business_key="A-1")
    second = start_instance(order, business_key="A-2")
    response = api_for(employee).post("/api/v1/messages/", {
        "name": "payment received", "business_key": "A-2", "variables": {"paid": 30},
    }, format="json")
    assert response.status_code == 200 and response.json() == {"instances": [second.pk]}
    second.refresh_from_db()
    first.refresh_from_db()
    assert second.variables == {"paid": 30} and second.tokens[0]["element_id"] == "ship"
    assert first.tokens[0]["element_id"] == "wait_payment", "the other order still waits"


def test_a_message_is_correlated_by_variable_values(api_for, employee, order):
    start_instance(order, variables={"order_no": 1})
    wanted = start_instance(order, variables={"order_no": 2})
    response = api_for(employee).post("/api/v1/messages/", {
        "name": "payment received", "correlation_keys": {"order_no": 2},
    }, format="json")
    assert response.json() == {"instances": [wanted.pk]}


def test_a_message_nothing_waits_for_is_a_404_naming_it(api_for, employee, order):
    start_instance(order, business_key="A-1")
    response = api_for(employee).post("/api/v1/messages/", {
        "name": "payment received", "business_key": "nope",
    }, format="json")
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["code"] == "nothing_waits" and "payment received" in error["message"]


def test_the_same_message_twice_resumes_the_instance_once(api_for, employee, order):
    instance = start_instance(order, business_key="A-1")
    api = api_for(employee)
    body = {"name": "payment received", "business_key": "A-1"}
    assert api.post("/api/v1/messages/", body, format="json").status_code == 200
    assert api.post("/api/v1/messages/", body, format="json").status_code == 404
    assert instance.activities.filter(element_id="wait_payment").count() == 1


def test_a_message_starts_the_process_whose_start_event_waits_for_it(api_for, employee):
    deploy_xml(
        '<process id="refund" isExecutable="true"><startEvent id="s">'
        '<messageEventDefinition messageRef="m_paid"/></startEvent>'
        '<sequenceFlow id="f1" sourceRef="s" targetRef="e"/><endEvent id="e"/></process>'
    )
    response = api_for(employee).post("/api/v1/messages/", {
        "name": "payment received", "business_key": "R-9", "variables": {"amount": 4},
    }, format="json")
    started = ProcessInstance.objects.get(pk=response.json()["instances"][0])
    assert started.business_key == "R-9" and started.variables == {"amount": 4}
    assert started.state == "completed"


def test_a_signal_reaches_every_waiting_instance(api_for, employee, order):
    shipping = [start_instance(order) for _ in range(3)]
    api = api_for(employee)
    for instance in shipping[:2]:
        api.post("/api/v1/messages/", {"name": "payment received", "correlation_keys": {},
                                       "business_key": ""}, format="json")
    response = api.post("/api/v1/signals/", {"name": "recall"}, format="json")
    recalled = sorted(response.json()["instances"])
    assert len(recalled) == 2, "only the two instances at the shipping task wait for it"
    for pk in recalled:
        instance = ProcessInstance.objects.get(pk=pk)
        assert instance.state == "completed" and instance.activities.filter(element_id="stopped").exists()
    assert not EventSubscription.objects.filter(kind="signal").exists()


def test_outsiders_may_not_send_messages(api_for, outsider, order):
    response = api_for(outsider).post("/api/v1/messages/", {"name": "payment received"}, format="json")
    assert response.status_code == 403


def run_jobs():
    dispatcher.dispatch("tests", "embedded", 100)
    for job in Job.objects.exclude(lock_token="").order_by("pk"):
        executor.run_job(job.pk, job.lock_token, "tests")


def test_a_message_thrown_by_an_instance_reaches_one_of_the_same_deployment(settings, order):
    settings.CELERY_BROKER_URL = ""
    customer, supplier = deploy_xml(
        '<process id="customer" isExecutable="true"><startEvent id="s"/>'
        '<sequenceFlow id="f1" sourceRef="s" targetRef="pay"/>'
        '<intermediateThrowEvent id="pay"><messageEventDefinition messageRef="m_paid"/></intermediateThrowEvent>'
        '<sequenceFlow id="f2" sourceRef="pay" targetRef="e"/><endEvent id="e"/></process>'
        '<process id="supplier" isExecutable="true"><startEvent id="s2"/>'
        '<sequenceFlow id="g1" sourceRef="s2" targetRef="wait"/>'
        '<receiveTask id="wait" messageRef="m_paid"/>'
        '<sequenceFlow id="g2" sourceRef="wait" targetRef="e2"/><endEvent id="e2"/></process>'
    )
    other_deployment = start_instance(order, business_key="K-1")
    waiting = start_instance(supplier, business_key="K-1")
    start_instance(customer, business_key="K-1")
    run_jobs()
    waiting.refresh_from_db()
    other_deployment.refresh_from_db()
    assert waiting.state == "completed"
    assert other_deployment.state == "active", "a message stays within its deployment"


def test_an_uncaught_escalation_is_recorded_as_a_resolved_incident():
    definition = deploy_xml(
        '<escalation id="x" escalationCode="LATE"/><process id="p" isExecutable="true"><startEvent id="s"/>'
        '<sequenceFlow id="f1" sourceRef="s" targetRef="up"/>'
        '<intermediateThrowEvent id="up"><escalationEventDefinition escalationRef="x"/></intermediateThrowEvent>'
        '<sequenceFlow id="f2" sourceRef="up" targetRef="e"/><endEvent id="e"/></process>'
    )[0]
    instance = start_instance(definition)
    assert instance.state == "completed"
    incident = Incident.objects.get(instance=instance)
    assert "LATE" in incident.message and incident.resolved_at is not None


def test_an_instance_says_what_it_waits_for(api_for, employee):
    definition = deploy_xml(
        '<process id="p" isExecutable="true"><startEvent id="s"/>'
        '<sequenceFlow id="f0" sourceRef="s" targetRef="fork"/><parallelGateway id="fork"/>'
        '<sequenceFlow id="f1" sourceRef="fork" targetRef="review"/>'
        '<sequenceFlow id="f2" sourceRef="fork" targetRef="paid"/>'
        '<sequenceFlow id="f3" sourceRef="fork" targetRef="ship"/>'
        '<userTask id="review" name="Review" baton:candidateGroups="Employees"/>'
        '<intermediateCatchEvent id="paid"><messageEventDefinition messageRef="m_paid"/></intermediateCatchEvent>'
        '<serviceTask id="ship" baton:type="external" baton:topic="shipping"/>'
        '<boundaryEvent id="late" attachedToRef="review"><timerEventDefinition>'
        '<timeDuration>P1D</timeDuration></timerEventDefinition></boundaryEvent>'
        '<sequenceFlow id="f4" sourceRef="late" targetRef="e1"/><endEvent id="e1"/>'
        '<sequenceFlow id="f5" sourceRef="review" targetRef="e2"/><endEvent id="e2"/>'
        '<sequenceFlow id="f6" sourceRef="paid" targetRef="e3"/><endEvent id="e3"/>'
        '<sequenceFlow id="f7" sourceRef="ship" targetRef="e4"/><endEvent id="e4"/></process>'
    )[0]
    instance = start_instance(definition)
    waits = api_for(employee).get(f"/api/v1/instances/{instance.pk}/").json()["waiting_for"]
    assert [(w["element_id"], w["kind"], w.get("name")) for w in waits] == [
        ("late", "timer", None), ("paid", "message", "payment received"),
        ("review", "task", "Review"), ("ship", "external", "shipping"),
    ]
    assert waits[0]["due_at"]


def test_a_message_starts_the_event_subprocess_of_a_running_instance(api_for, employee):
    definition = deploy_xml(
        '<process id="p" isExecutable="true"><startEvent id="s"/>'
        '<sequenceFlow id="f1" sourceRef="s" targetRef="t"/><userTask id="t"/>'
        '<sequenceFlow id="f2" sourceRef="t" targetRef="e"/><endEvent id="e"/>'
        '<subProcess id="cancelled" triggeredByEvent="true"><startEvent id="cs">'
        '<messageEventDefinition messageRef="m_paid"/></startEvent>'
        '<sequenceFlow id="g1" sourceRef="cs" targetRef="ce"/><endEvent id="ce"/></subProcess></process>'
    )[0]
    instance = start_instance(definition, business_key="X-1")
    response = api_for(employee).post("/api/v1/messages/", {
        "name": "payment received", "business_key": "X-1"}, format="json")
    assert response.json() == {"instances": [instance.pk]}
    instance.refresh_from_db()
    assert instance.state == "completed"
    assert instance.tasks.get().state == "cancelled"


def test_a_message_for_all_reaches_every_matching_instance(api_for, employee, order):
    waiting = [start_instance(order, business_key="SAME") for _ in range(3)]
    start_instance(order, business_key="OTHER")
    response = api_for(employee).post("/api/v1/messages/", {
        "name": "payment received", "business_key": "SAME", "all": True,
    }, format="json")
    assert sorted(response.json()["instances"]) == sorted(i.pk for i in waiting)


def test_a_signal_starts_the_processes_whose_start_event_waits_for_it(api_for, employee):
    deploy_xml(
        '<process id="recall_notice" isExecutable="true"><startEvent id="s">'
        '<signalEventDefinition signalRef="s_recall"/></startEvent>'
        '<sequenceFlow id="f1" sourceRef="s" targetRef="t"/><userTask id="t"/>'
        '<sequenceFlow id="f2" sourceRef="t" targetRef="e"/><endEvent id="e"/></process>'
    )
    response = api_for(employee).post("/api/v1/signals/", {"name": "recall", "variables": {"lot": 7}},
                                      format="json")
    [started] = response.json()["instances"]
    instance = ProcessInstance.objects.get(pk=started)
    assert instance.definition.key == "recall_notice" and instance.variables == {"lot": 7}
