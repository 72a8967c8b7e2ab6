"""The elements of the coverage issue, driven only through the REST API, as an integration would."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.roles import EMPLOYEES
from tests.conftest import make_user
from tests.samples import HEADER

pytestmark = pytest.mark.django_db


def deployed(api, body: str):
    xml = (HEADER + body + "</definitions>").encode()
    response = api.post("/api/v1/deployments/", {"file": SimpleUploadedFile("m.bpmn", xml)},
                        format="multipart")
    assert response.status_code == 201, response.json()
    return response.json()


def start(api, key, **body):
    response = api.post("/api/v1/instances/", {"definition_key": key, **body}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def open_tasks(api, instance_id):
    return api.get(f"/api/v1/tasks/?instance={instance_id}&state=open").json()["results"]


def complete(api, task, variables=None):
    response = api.post(f"/api/v1/tasks/{task['id']}/complete/", {"variables": variables or {}},
                        format="json")
    assert response.status_code == 200, response.json()


REVIEWS = (
    '<process id="reviews" isExecutable="true"><startEvent id="s"/>'
    '<sequenceFlow id="f1" sourceRef="s" targetRef="review"/>'
    '<userTask id="review" name="Review" baton:assignee="${reviewer}">'
    '<multiInstanceLoopCharacteristics baton:collection="${reviewers}" baton:elementVariable="reviewer">'
    '<loopDataOutputRef>verdicts</loopDataOutputRef><outputDataItem name="verdict"/>'
    "</multiInstanceLoopCharacteristics></userTask>"
    '<sequenceFlow id="f2" sourceRef="review" targetRef="e"/><endEvent id="e"/></process>'
)


def test_a_multi_instance_review_is_one_task_per_reviewer_and_gathers_their_verdicts(
    api_for, owner, employee
):
    deployed(api_for(owner), REVIEWS)
    reviewers = [employee, make_user("ethan", EMPLOYEES)]
    instance = start(api_for(employee), "reviews", variables={"reviewers": ["emma", "ethan"]})
    for reviewer in reversed(reviewers):
        api = api_for(reviewer)
        [task] = open_tasks(api, instance["id"])  # each sees only the review assigned to them
        assert task["assignee"] == reviewer.username
        complete(api, task, {"verdict": f"ok from {reviewer.username}"})
    after = api_for(employee).get(f"/api/v1/instances/{instance['id']}/").json()
    assert after["state"] == "completed"
    assert after["variables"]["verdicts"] == ["ok from emma", "ok from ethan"], "in input order"


CALLER = (
    '<process id="order" isExecutable="true"><startEvent id="s"/>'
    '<sequenceFlow id="f1" sourceRef="s" targetRef="check"/>'
    '<callActivity id="check" calledElement="credit_check">'
    '<extensionElements><baton:in source="amount" target="amount"/>'
    '<baton:out source="approved" target="credit_ok"/></extensionElements></callActivity>'
    '<sequenceFlow id="f2" sourceRef="check" targetRef="e"/><endEvent id="e"/></process>'
    '<process id="credit_check" isExecutable="true"><startEvent id="cs"/>'
    '<sequenceFlow id="g1" sourceRef="cs" targetRef="decide"/>'
    '<userTask id="decide" name="Decide credit" baton:candidateGroups="Employees"/>'
    '<sequenceFlow id="g2" sourceRef="decide" targetRef="ce"/><endEvent id="ce"/></process>'
)


def test_a_call_activity_runs_a_child_whose_task_and_result_go_through_the_api(
    api_for, owner, employee, settings
):
    settings.CELERY_BROKER_URL = ""
    from processes.jobs import dispatcher, executor
    from processes.models import Job

    deployed(api_for(owner), CALLER)
    api = api_for(employee)
    parent = start(api, "order", variables={"amount": 300})
    [child_id] = api.get(f"/api/v1/instances/{parent['id']}/").json()["children"]
    child = api.get(f"/api/v1/instances/{child_id}/").json()
    assert child["parent"] == parent["id"] and child["variables"] == {"amount": 300}
    [task] = open_tasks(api, child_id)
    complete(api, task, {"approved": True})
    dispatcher.dispatch("tests", "embedded", 100)  # the child reports to its caller by a job
    for job in Job.objects.exclude(lock_token=""):
        executor.run_job(job.pk, job.lock_token, "tests")
    after = api.get(f"/api/v1/instances/{parent['id']}/").json()
    assert after["state"] == "completed" and after["variables"]["credit_ok"] is True


BOOKING = (
    '<process id="booking" isExecutable="true"><startEvent id="s"/>'
    '<sequenceFlow id="f1" sourceRef="s" targetRef="trip"/>'
    '<transaction id="trip"><startEvent id="ts"/>'
    '<sequenceFlow id="t1" sourceRef="ts" targetRef="book"/>'
    '<scriptTask id="book" name="Book hotel"><script>booked = true</script></scriptTask>'
    '<boundaryEvent id="book_c" attachedToRef="book"><compensateEventDefinition/></boundaryEvent>'
    '<scriptTask id="unbook" name="Cancel hotel" isForCompensation="true"><script>booked = false</script></scriptTask>'
    '<association id="a1" sourceRef="book_c" targetRef="unbook"/>'
    '<sequenceFlow id="t2" sourceRef="book" targetRef="confirm"/>'
    '<userTask id="confirm" name="Confirm trip" baton:candidateGroups="Employees"/>'
    '<sequenceFlow id="t3" sourceRef="confirm" targetRef="ok"/>'
    '<exclusiveGateway id="ok" default="t5"/>'
    '<sequenceFlow id="t4" sourceRef="ok" targetRef="done"><conditionExpression>${confirmed}</conditionExpression></sequenceFlow>'
    '<sequenceFlow id="t5" sourceRef="ok" targetRef="abort"/>'
    '<endEvent id="done"/><endEvent id="abort"><cancelEventDefinition/></endEvent></transaction>'
    '<boundaryEvent id="cancelled" attachedToRef="trip"><cancelEventDefinition/></boundaryEvent>'
    '<sequenceFlow id="f2" sourceRef="trip" targetRef="e"/><endEvent id="e"/>'
    '<sequenceFlow id="f3" sourceRef="cancelled" targetRef="e_cancelled"/><endEvent id="e_cancelled"/>'
    "</process>"
)


def test_a_cancelled_transaction_undoes_its_booking_and_the_history_says_so(api_for, owner, employee):
    deployed(api_for(owner), BOOKING)
    api = api_for(employee)
    instance = start(api, "booking")
    [task] = open_tasks(api, instance["id"])
    complete(api, task, {"confirmed": False})
    after = api.get(f"/api/v1/instances/{instance['id']}/").json()
    assert after["state"] == "completed" and after["variables"]["booked"] is False
    history = api.get(f"/api/v1/instances/{instance['id']}/history/").json()
    ended = {(e["element_id"], e["event"]) for e in history if e["event"] != "started"}
    assert ("book", "compensated") in ended and ("e_cancelled", "completed") in ended
    assert ("e", "completed") not in ended
