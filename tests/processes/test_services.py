"""Service tasks through the job queue: Python handlers, the HTTP connector, retries, incidents.

Jobs are leased by the real dispatcher and run by the real executor, one call at a time, so
each test sees every step; the HTTP connector calls a real HTTP server on this machine.
"""

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from processes.connectors import BpmnErrorRaised, service_handler
from processes.deployments import deploy
from processes.instances import retry_incident, start_instance
from processes.jobs import dispatcher, executor
from processes.models import Incident, Job, ProcessInstance

HEADER = (
    '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:baton="http://baton-bpm.org/schema/1.0/bpmn" id="d" targetNamespace="t">'
    '<error id="err_stock" errorCode="OUT_OF_STOCK"/>'
)
calls = []


@service_handler("tests.reserve")
def reserve(variables, context):
    calls.append((variables["quantity"], context.element_id, context.business_key))
    if variables["quantity"] > 100:
        raise BpmnErrorRaised("BLOCKED", "the customer is blocked")
    if variables["quantity"] > 10:
        raise BpmnErrorRaised("OUT_OF_STOCK", "only 10 left")
    return {"reserved": variables["quantity"]}


def unreliable(variables, context):
    raise ConnectionError("the stock system is down")


@pytest.fixture(autouse=True)
def no_broker(settings):
    """Jobs wait for the dispatcher below, whatever broker the suite runs with."""
    settings.CELERY_BROKER_URL = ""
    calls.clear()


def run_jobs() -> list[str]:
    """Lease every due job as the dispatcher does, then run each as a worker would."""
    dispatcher.dispatch("tests", "embedded", 100)
    return [
        executor.run_job(job.pk, job.lock_token, "tests")
        for job in Job.objects.exclude(lock_token="").order_by("pk")
    ]


def make_due(**where):
    Job.objects.filter(**where).update(due_at=timezone.now() - timedelta(seconds=1))


def process(service: str, extra: str = "") -> object:
    xml = (
        HEADER + '<process id="p" isExecutable="true"><startEvent id="s"/>'
        '<sequenceFlow id="f1" sourceRef="s" targetRef="call"/>' + service + extra
        + '<sequenceFlow id="f2" sourceRef="call" targetRef="done"/><endEvent id="done"/>'
        "</process></definitions>"
    )
    return deploy(xml.encode(), name="services.bpmn").definitions[0]


RESERVE = (
    '<serviceTask id="call" baton:type="handler" baton:handler="tests.reserve"/>'
    '<boundaryEvent id="no_stock" attachedToRef="call"><errorEventDefinition errorRef="err_stock"/>'
    '</boundaryEvent><sequenceFlow id="f3" sourceRef="no_stock" targetRef="backorder"/>'
    '<endEvent id="backorder"/>'
)


@pytest.mark.django_db
def test_a_handler_runs_in_a_job_and_its_result_becomes_variables():
    instance = start_instance(process(RESERVE), variables={"quantity": 3}, business_key="order-7")
    assert instance.state == "active" and calls == [], "the handler runs in a job, not in the request"
    assert run_jobs() == ["done"]
    instance.refresh_from_db()
    assert calls == [(3, "call", "order-7")]
    assert instance.state == "completed" and instance.variables["reserved"] == 3


@pytest.mark.django_db
def test_a_bpmn_error_from_a_handler_leaves_by_the_boundary_event():
    instance = start_instance(process(RESERVE), variables={"quantity": 50})
    run_jobs()
    instance.refresh_from_db()
    assert instance.state == "completed"
    ended = dict(instance.activities.values_list("element_id", "outcome"))
    assert ended["call"] == "error" or ended["call"] == "cancelled"
    assert ended["backorder"] == "completed" and "done" not in ended


@pytest.mark.django_db
def test_a_bpmn_error_no_boundary_catches_becomes_an_incident():
    instance = start_instance(process(RESERVE), variables={"quantity": 500})
    run_jobs()
    incident = Incident.objects.get(instance=instance)
    assert "BLOCKED" in incident.message and incident.element_id == "call"


@pytest.mark.django_db
def test_a_failing_handler_is_retried_then_opens_an_incident_that_a_retry_resolves(settings):
    settings.BATON_SERVICE_HANDLERS = {"tests.unreliable": "tests.processes.test_services.unreliable"}
    definition = process(
        '<serviceTask id="call" baton:type="handler" baton:handler="tests.unreliable" '
        'baton:retryCycle="R2/PT30S"/>'
    )
    instance = start_instance(definition)
    assert run_jobs() == ["failed"]
    job = Job.objects.get(instance=instance)
    assert job.retries_left == 1 and "the stock system is down" in job.last_error
    assert job.due_at > timezone.now() + timedelta(seconds=25), "R2/PT30S: the next try in 30 s"
    assert run_jobs() == [], "not before it is due"
    make_due(pk=job.pk)
    assert run_jobs() == ["failed"]
    incident = Incident.objects.get(instance=instance)
    assert incident.element_id == "call" and "the stock system is down" in incident.message
    assert incident.resolved_at is None

    settings.BATON_SERVICE_HANDLERS = {"tests.unreliable": "tests.processes.test_services.reserve"}
    ProcessInstance.objects.filter(pk=instance.pk).update(variables={"quantity": 2})
    retry_incident(incident.pk)
    assert run_jobs() == ["done"]
    instance.refresh_from_db()
    incident.refresh_from_db()
    assert incident.resolved_at is not None
    assert instance.state == "completed" and instance.variables["reserved"] == 2


@pytest.mark.django_db
def test_an_unknown_handler_becomes_an_incident_naming_it():
    instance = start_instance(process(
        '<serviceTask id="call" baton:type="handler" baton:handler="no.such" baton:retryCycle="R1/PT1S"/>'
    ))
    run_jobs()
    incident = Incident.objects.get(instance=instance)
    assert "No service handler is registered as 'no.such'" in incident.message


class Recorder(BaseHTTPRequestHandler):
    """Answers every request with JSON and remembers what it was sent."""

    received: list = []
    status = 200

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"] or 0))
        Recorder.received.append((self.command, self.path, dict(self.headers), json.loads(body)))
        answer = json.dumps({"booking": "B-1", "echo": json.loads(body)}).encode()
        self.send_response(Recorder.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


@pytest.fixture
def http_server():
    Recorder.received, Recorder.status = [], 200
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def http_task(base: str) -> str:
    return (
        '<serviceTask id="call" baton:resultVariable="booking" baton:retryCycle="R1/PT1S">'
        f'<extensionElements><baton:http url="{base}/orders/${{order_id}}/book" method="post" timeout="5">'
        '<baton:header name="X-Order" value="${order_id}"/>'
        "<baton:body>${ {'quantity': quantity, 'rush': quantity &gt; 5} }</baton:body>"
        "</baton:http></extensionElements></serviceTask>"
    )


@pytest.mark.django_db
def test_the_http_connector_sends_the_request_the_model_describes(http_server, settings):
    settings.BATON_HTTP_ALLOW_PRIVATE = True
    instance = start_instance(process(http_task(http_server)), variables={"order_id": 42, "quantity": 7})
    assert run_jobs() == ["done"]
    method, path, headers, body = Recorder.received[0]
    assert (method, path, body) == ("POST", "/orders/42/book", {"quantity": 7, "rush": True})
    assert headers["X-Order"] == "42" and headers["Content-Type"] == "application/json"
    assert headers["Idempotency-Key"], "receivers can drop a repeated delivery"
    instance.refresh_from_db()
    assert instance.state == "completed"
    assert instance.variables["booking"]["status"] == 200
    assert instance.variables["booking"]["body"]["booking"] == "B-1"


@pytest.mark.django_db
def test_an_http_error_status_fails_the_job_with_the_answer(http_server, settings):
    settings.BATON_HTTP_ALLOW_PRIVATE = True
    Recorder.status = 503
    instance = start_instance(process(http_task(http_server)), variables={"order_id": 1, "quantity": 1})
    run_jobs()
    incident = Incident.objects.get(instance=instance)
    assert "answered 503" in incident.message and "/orders/1/book" in incident.message


@pytest.mark.django_db
def test_the_http_connector_refuses_private_addresses_unless_allowed(http_server, settings):
    settings.BATON_HTTP_ALLOW_PRIVATE = False
    instance = start_instance(process(http_task(http_server)), variables={"order_id": 1, "quantity": 1})
    run_jobs()
    assert Recorder.received == [], "the request was never sent"
    assert "a private address: refused" in Incident.objects.get(instance=instance).message
