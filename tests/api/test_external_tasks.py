"""External tasks through the REST API: fetch and lock by topic, then report how it went."""

import queue
import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from accounts.roles import INTEGRATIONS
from processes.deployments import deploy
from processes.instances import cancel_instance, start_instance
from processes.jobs import doorbell
from processes.models import Job, ProcessInstance
from tests.conftest import make_user
from tests.samples import HEADER

URL = "/api/v1/external-tasks/"
pytestmark = pytest.mark.django_db

SHIPPING = (
    HEADER
    + '<error id="err_stock" errorCode="OUT_OF_STOCK"/>\n'
    '<process id="shipping" isExecutable="true">\n'
    '<startEvent id="start"/>\n'
    '<sequenceFlow id="f1" sourceRef="start" targetRef="ship"/>\n'
    '<serviceTask id="ship" baton:type="external" baton:topic="shipping"/>\n'
    '<boundaryEvent id="no_stock" attachedToRef="ship"><errorEventDefinition errorRef="err_stock"/>'
    "</boundaryEvent>\n"
    '<sequenceFlow id="f2" sourceRef="ship" targetRef="confirm"/>\n'
    '<userTask id="confirm" baton:candidateGroups="Employees"/>\n'
    '<sequenceFlow id="f3" sourceRef="confirm" targetRef="end"/><endEvent id="end"/>\n'
    '<sequenceFlow id="f4" sourceRef="no_stock" targetRef="backorder"/>\n'
    '<userTask id="backorder" baton:candidateGroups="Employees"/>\n'
    '<sequenceFlow id="f5" sourceRef="backorder" targetRef="end_backorder"/>'
    '<endEvent id="end_backorder"/>\n'
    "</process>\n</definitions>\n"
).encode()


@pytest.fixture
def integration(db):
    """Ivan is the shipping system's service account."""
    return make_user("ivan", INTEGRATIONS)


@pytest.fixture
def worker(api_for, integration):
    return api_for(integration)


@pytest.fixture
def shipping():
    return deploy(SHIPPING, name="shipping.bpmn").definitions[0]


def start(definition, **variables):
    return start_instance(definition, variables=variables, business_key="ORDER-7")


def fetch(api, worker_id="w1", topics=None, **body):
    if topics is None:
        topics = [{"name": "shipping", "lock_duration_ms": 60_000}]
    return api.post(f"{URL}fetch-and-lock/", {
        "worker_id": worker_id, "max_tasks": 10, "topics": topics, **body
    }, format="json")


def locked(api, worker_id="w1", **topic):
    """Fetch and lock, expecting exactly one task; return it."""
    topics = [{"name": "shipping", "lock_duration_ms": 60_000, **topic}]
    tasks = fetch(api, worker_id, topics).json()
    assert len(tasks) == 1, tasks
    return tasks[0]


def report(api, task_id, action, **body):
    return api.post(f"{URL}{task_id}/{action}/", body, format="json")


def waits_at(instance) -> list[str]:
    instance = ProcessInstance.objects.get(pk=instance.pk)
    return sorted(t["element_id"] for t in instance.tokens if t["state"] == "waiting")


def test_fetch_and_lock_hands_out_the_task_with_the_variables_asked_for(worker, shipping):
    instance = start(shipping, order="A-1", weight=3, card="4111")
    task = locked(worker, variables=["order", "weight", "not_set"])
    assert task["topic"] == "shipping" and task["worker_id"] == "w1"
    assert (task["instance"], task["business_key"]) == (instance.pk, "ORDER-7")
    assert (task["definition_key"], task["definition_version"]) == ("shipping", 1)
    assert task["element_id"] == "ship" and task["retries"] == 3
    assert task["error_message"] is None and task["error_details"] is None
    assert task["variables"] == {"order": "A-1", "weight": 3}
    assert task["lock_expiration_time"] > timezone.now().isoformat()
    assert fetch(worker, "w2").json() == [], "a locked task is not handed out again"


def test_all_variables_come_when_none_are_named(worker, shipping):
    start(shipping, order="A-1", weight=3)
    assert locked(worker)["variables"] == {"order": "A-1", "weight": 3}


def test_only_tasks_of_the_topics_asked_for_are_handed_out(worker, shipping):
    start(shipping)
    assert fetch(worker, topics=[{"name": "billing", "lock_duration_ms": 1000}]).json() == []


def test_completing_moves_the_instance_on_with_the_variables(worker, shipping):
    instance = start(shipping, order="A-1")
    task = locked(worker)
    response = report(worker, task["id"], "complete", worker_id="w1", variables={"tracking": "T-9"})
    assert response.status_code == 204
    assert waits_at(instance) == ["confirm"]
    variables = ProcessInstance.objects.get(pk=instance.pk).variables
    assert variables == {"order": "A-1", "tracking": "T-9"}
    again = report(worker, task["id"], "complete", worker_id="w1")
    assert again.status_code == 404 and again.json()["error"]["code"] == "not_found"
    assert worker.get(f"{URL}{task['id']}/").status_code == 404


def test_another_worker_cannot_complete_the_task(worker, shipping):
    instance = start(shipping)
    task = locked(worker, "w1")
    response = report(worker, task["id"], "complete", worker_id="w2")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "lock_not_held" and "'w1'" in error["message"]
    assert waits_at(instance) == ["ship"]


def test_an_expired_lock_returns_the_task_to_the_pool(worker, shipping):
    start(shipping)
    task = locked(worker, "w1")
    Job.objects.filter(pk=task["id"]).update(locked_until=timezone.now() - timedelta(seconds=1))
    late = report(worker, task["id"], "complete", worker_id="w1")
    assert late.status_code == 409 and "expired" in late.json()["error"]["message"]
    assert locked(worker, "w2")["id"] == task["id"]
    refused = report(worker, task["id"], "complete", worker_id="w1")
    assert refused.status_code == 409 and "'w2'" in refused.json()["error"]["message"]


def test_a_failure_with_retries_hides_the_task_until_its_retry_timeout(worker, shipping):
    start(shipping)
    task = locked(worker)
    response = report(worker, task["id"], "failure", worker_id="w1", error_message="Carrier down",
                      error_details="HTTP 503 from carrier", retries=2, retry_timeout_ms=60_000)
    assert response.status_code == 200
    assert response.json()["worker_id"] is None and response.json()["retries"] == 2
    assert fetch(worker, "w2").json() == [], "it rests until the retry timeout"
    Job.objects.filter(pk=task["id"]).update(due_at=timezone.now())  # the timeout has passed
    again = locked(worker, "w2")
    assert (again["id"], again["retries"]) == (task["id"], 2)
    assert again["error_message"] == "Carrier down"
    assert again["error_details"] == "HTTP 503 from carrier"


def test_a_failure_without_retries_opens_an_incident_that_a_retry_resolves(
    worker, api_for, admin_user, shipping
):
    instance = start(shipping)
    task = locked(worker)
    report(worker, task["id"], "failure", worker_id="w1", error_message="Address unknown",
           retries=0, retry_timeout_ms=0)
    assert fetch(worker).json() == []
    operator = api_for(admin_user)
    incidents = operator.get(f"/api/v1/incidents/?instance={instance.pk}").json()["results"]
    assert [(i["element_id"], i["message"]) for i in incidents] == [("ship", "Address unknown")]
    assert worker.get(f"{URL}?with_retries_left=false").json()["results"][0]["id"] == task["id"]
    retried = operator.post(f"/api/v1/incidents/{incidents[0]['id']}/retry/")
    assert retried.status_code == 200 and retried.json()["resolved_at"]
    back = locked(worker, "w2")
    assert (back["element_id"], back["retries"]) == ("ship", 1)
    assert back["error_message"] == "Address unknown", "the worker sees why it failed before"


def test_a_bpmn_error_is_caught_by_the_error_boundary_event(worker, shipping):
    instance = start(shipping)
    task = locked(worker)
    response = report(worker, task["id"], "bpmn-error", worker_id="w1", error_code="OUT_OF_STOCK",
                      error_message="Only 2 left", variables={"available": 2})
    assert response.status_code == 204
    assert waits_at(instance) == ["backorder"]
    assert ProcessInstance.objects.get(pk=instance.pk).variables == {"available": 2}


def test_an_uncaught_bpmn_error_opens_an_incident(worker, shipping):
    instance = start(shipping)
    task = locked(worker)
    report(worker, task["id"], "bpmn-error", worker_id="w1", error_code="BLOCKED")
    incident = instance.incidents.get()
    assert incident.element_id == "ship" and "BLOCKED" in incident.message


def test_only_the_lock_holder_may_report_a_bpmn_error(worker, shipping):
    start(shipping)
    task = locked(worker, "w1")
    response = report(worker, task["id"], "bpmn-error", worker_id="w2", error_code="OUT_OF_STOCK")
    assert response.status_code == 409


def test_the_lock_holder_extends_its_lock(worker, shipping):
    start(shipping)
    task = locked(worker, "w1", lock_duration_ms=1000)
    response = report(worker, task["id"], "extend-lock", worker_id="w1", new_duration_ms=600_000)
    assert response.status_code == 200
    assert response.json()["lock_expiration_time"] > task["lock_expiration_time"]
    assert report(worker, task["id"], "extend-lock", worker_id="w2",
                  new_duration_ms=1000).status_code == 409


def test_unlocking_returns_the_task_to_the_pool_at_once(worker, shipping):
    start(shipping)
    task = locked(worker, "w1")
    response = worker.post(f"{URL}{task['id']}/unlock/")
    assert response.status_code == 200
    assert response.json()["worker_id"] is None and response.json()["lock_expiration_time"] is None
    assert locked(worker, "w2")["id"] == task["id"]


def test_a_cancelled_instance_takes_its_task_away(worker, shipping):
    instance = start(shipping)
    task = locked(worker)
    cancel_instance(instance.pk)
    assert report(worker, task["id"], "complete", worker_id="w1").status_code == 404


def test_tasks_are_listed_and_filtered(worker, shipping):
    first, second = start(shipping), start(shipping)
    task = fetch(worker, "w1", max_tasks=1).json()[0]
    everything = worker.get(URL).json()["results"]
    assert [t["instance"] for t in everything] == [first.pk, second.pk]
    assert [t["id"] for t in worker.get(f"{URL}?locked=true").json()["results"]] == [task["id"]]
    unlocked = worker.get(f"{URL}?locked=false").json()["results"]
    assert [t["instance"] for t in unlocked] == [second.pk]
    assert len(worker.get(f"{URL}?worker_id=w1&topic=shipping").json()["results"]) == 1
    second_ready = worker.get(f"{URL}?instance={second.pk}&with_retries_left=true").json()
    assert len(second_ready["results"]) == 1
    assert worker.get(f"{URL}?topic=billing").json()["results"] == []
    detail = worker.get(f"{URL}{task['id']}/").json()
    assert detail["worker_id"] == "w1" and "variables" not in detail


def test_tasks_wait_for_workers_even_when_a_job_worker_listens(worker, shipping, monkeypatch):
    """The doorbell leases due jobs for the job workers; never an external task."""
    inbox = queue.SimpleQueue()
    monkeypatch.setattr(doorbell, "embedded_inbox", inbox)
    start(shipping)
    assert locked(worker)["element_id"] == "ship"
    assert inbox.empty()


@pytest.mark.django_db(transaction=True)
def test_a_long_poll_returns_the_task_that_appears_while_it_waits(api_for, integration, shipping):
    api = api_for(integration)

    def start_soon():
        try:
            time.sleep(0.3)
            start(shipping)
        finally:
            connection.close()

    thread = threading.Thread(target=start_soon)
    thread.start()
    tasks = fetch(api, async_response_timeout_ms=20_000).json()
    thread.join()
    assert [t["element_id"] for t in tasks] == ["ship"]


def test_a_long_poll_ends_at_once_when_tasks_are_there(worker, shipping):
    start(shipping)
    tasks = fetch(worker, async_response_timeout_ms=10**12).json()
    assert len(tasks) == 1


@pytest.mark.parametrize("body, field", [
    ({"topics": [{"name": "shipping", "lock_duration_ms": -5}]}, "topics[0].lock_duration_ms"),
    ({"topics": [{"name": "shipping", "lock_duration_ms": 10**15}]}, "topics[0].lock_duration_ms"),
    ({"topics": [{"name": "shipping", "lock_duration_ms": "soon"}]}, "topics[0].lock_duration_ms"),
    ({"topics": [{"lock_duration_ms": 1000}]}, "topics[0].name"),
    ({"topics": [{"name": "shipping", "lock_duration_ms": 1, "variables": "order"}]},
     "topics[0].variables"),
    ({"topics": [{"name": "a", "lock_duration_ms": 1}, {"name": "a", "lock_duration_ms": 1}]},
     "topics[1].name"),
    ({"topics": []}, "topics"),
    ({"topics": "shipping"}, "topics"),
    ({"max_tasks": "many"}, "max_tasks"),
    ({"max_tasks": 0}, "max_tasks"),
    ({"worker_id": ""}, "worker_id"),
    ({"async_response_timeout_ms": -1}, "async_response_timeout_ms"),
])
def test_a_bad_fetch_is_a_400_naming_the_field(worker, body, field):
    response = fetch(worker, **body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid" and field in [d["field"] for d in error["details"]]


def test_a_huge_max_tasks_is_capped(worker, shipping, settings):
    settings.EXTERNAL_TASK_MAX_TASKS = 2
    for _ in range(3):
        start(shipping)
    assert len(fetch(worker, max_tasks=10**30).json()) == 2


@pytest.mark.parametrize("action, body, field", [
    ("complete", {"worker_id": "w1", "variables": ["tracking"]}, "variables"),
    ("complete", {}, "worker_id"),
    ("complete", {"worker_id": "w1", "variables": {"note": "nul\u0000"}}, "variables"),
    ("bpmn-error", {"worker_id": "w1", "error_code": "X", "variables": {"a\u0000": 1}},
     "variables"),
    ("failure", {"worker_id": "w1", "error_message": "x", "retries": -1}, "retries"),
    ("failure", {"worker_id": "w1", "error_message": "x", "retries": 1,
                 "retry_timeout_ms": 10**20}, "retry_timeout_ms"),
    ("failure", {"worker_id": "w1", "retries": 1}, "error_message"),
    ("bpmn-error", {"worker_id": "w1"}, "error_code"),
    ("extend-lock", {"worker_id": "w1", "new_duration_ms": "longer"}, "new_duration_ms"),
    ("extend-lock", {"worker_id": "w1", "new_duration_ms": 0}, "new_duration_ms"),
])
def test_a_bad_report_is_a_400_naming_the_field(worker, shipping, action, body, field):
    start(shipping)
    task = locked(worker)
    response = report(worker, task["id"], action, **body)
    assert response.status_code == 400
    assert field in [d["field"] for d in response.json()["error"]["details"]]


@pytest.mark.parametrize("task_id", ["987654", "abc", "99999999999999999999999"])
def test_an_unknown_task_is_a_404(worker, task_id):
    response = report(worker, task_id, "complete", worker_id="w1")
    assert response.status_code == 404
    assert worker.post(f"{URL}{task_id}/unlock/").status_code == 404
    assert worker.get(f"{URL}{task_id}/").status_code == 404


@pytest.mark.parametrize("query, field", [
    ("instance=abc", "instance"),
    ("locked=perhaps", "locked"),
    ("with_retries_left=2", "with_retries_left"),
])
def test_a_bad_filter_is_a_400_naming_it(worker, query, field):
    response = worker.get(f"{URL}?{query}")
    assert response.status_code == 400
    assert response.json()["error"]["details"][0]["field"] == field


@pytest.mark.parametrize("body", ["[1, 2]", "{not json", "[" * 100_000 + "]" * 100_000])
def test_a_body_that_is_not_an_object_is_a_400(worker, body):
    response = worker.post(f"{URL}fetch-and-lock/", body, content_type="application/json")
    assert response.status_code == 400 and response.json()["error"]["message"]


def test_people_without_the_capability_are_refused(api_for, employee, manager, shipping):
    start(shipping)
    for person in (employee, manager):
        api = api_for(person)
        assert fetch(api).status_code == 403
        assert api.get(URL).status_code == 403
    task_id = Job.objects.get().pk
    assert report(api_for(employee), task_id, "complete", worker_id="w1").status_code == 403


def test_administrators_may_work_on_external_tasks(api_for, admin_user, shipping):
    start(shipping)
    assert len(fetch(api_for(admin_user)).json()) == 1
