"""Instances, tasks and incidents through the REST API."""

import pytest

from processes.deployments import deploy
from processes.instances import start_instance
from tests.processes.test_call_activities import callee, caller, child_of, deployed
from tests.samples import HEADER, approval_process

pytestmark = pytest.mark.django_db


@pytest.fixture
def approval():
    return deploy(approval_process(), name="approval.bpmn").definitions[0]


def start(api, **body):
    return api.post("/api/v1/instances/", {"definition_key": "approval", **body}, format="json")


def test_starting_an_instance_returns_it_waiting_at_its_first_task(api_for, employee, approval):
    response = start(api_for(employee), business_key="PO-1", variables={"amount": 5})
    assert response.status_code == 201
    body = response.json()
    assert body["definition"] == {"id": approval.pk, "key": "approval", "version": 1}
    assert body["business_key"] == "PO-1" and body["state"] == "active"
    assert body["variables"] == {"amount": 5}
    assert body["active_elements"] == ["review"]
    assert body["incidents"] == [] and body["ended_at"] is None


def test_an_unknown_key_or_version_names_the_field(api_for, employee, approval):
    response = start(api_for(employee), definition_key="nope")
    assert response.status_code == 400
    assert response.json()["error"]["details"][0]["field"] == "definition_key"
    assert start(api_for(employee), version=7).status_code == 400


def test_a_suspended_definition_cannot_start(api_for, employee, approval):
    approval.suspended = True
    approval.save()
    response = start(api_for(employee))
    assert response.status_code == 409
    assert "suspended" in response.json()["error"]["message"]


def test_a_manager_may_not_start_instances(api_for, manager, approval):
    assert start(api_for(manager)).status_code == 403


def test_an_employee_claims_and_completes_the_task_and_the_instance_ends(api_for, employee, approval):
    api = api_for(employee)
    instance = start(api).json()
    tasks = api.get(f"/api/v1/tasks/?instance={instance['id']}").json()["results"]
    assert [(t["element_id"], t["candidate_groups"], t["state"]) for t in tasks] == [
        ("review", ["Employees"], "open")
    ]
    task_id = tasks[0]["id"]
    assert api.post(f"/api/v1/tasks/{task_id}/claim/").json()["assignee"] == "emma"
    done = api.post(f"/api/v1/tasks/{task_id}/complete/",
                    {"variables": {"approved": True, "amount": "12"}}, format="json")
    assert done.status_code == 200 and done.json()["completed_by"] == "emma"
    after = api.get(f"/api/v1/instances/{instance['id']}/").json()
    assert after["state"] == "completed" and after["active_elements"] == []
    assert after["variables"] == {"approved": True, "amount": 12}
    history = api.get(f"/api/v1/instances/{instance['id']}/history/").json()
    ended = [(e["element_id"], e["event"]) for e in history if e["event"] != "started"]
    assert ended == [("start", "completed"), ("review", "completed"), ("decide", "completed"),
                     ("approved_end", "completed")]
    review = next(e for e in history if e["element_id"] == "review" and e["event"] == "completed")
    assert review["actor"] == "emma"
    assert review["variables"] == {"approved": True, "amount": 12}, "the history keeps who set what"


def test_invalid_form_data_is_a_400_naming_the_field(api_for, employee, approval):
    api = api_for(employee)
    instance = start(api).json()
    task_id = api.get(f"/api/v1/tasks/?instance={instance['id']}").json()["results"][0]["id"]
    response = api.post(f"/api/v1/tasks/{task_id}/complete/",
                        {"variables": {"amount": "zero"}}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_form"
    assert error["details"] == [{"field": "variables.amount", "message": "Amount must be a whole number."}]


def test_completing_a_task_twice_is_a_409(api_for, employee, approval):
    api = api_for(employee)
    instance = start(api).json()
    task_id = api.get(f"/api/v1/tasks/?instance={instance['id']}").json()["results"][0]["id"]
    body = {"variables": {"amount": 3}}
    assert api.post(f"/api/v1/tasks/{task_id}/complete/", body, format="json").status_code == 200
    again = api.post(f"/api/v1/tasks/{task_id}/complete/", body, format="json")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "task_not_open"


def test_a_task_claimed_by_someone_else_cannot_be_claimed_or_completed(api_for, employee, approval):
    from tests.conftest import make_user

    ethan = make_user("ethan", "Employees")
    instance = start(api_for(employee)).json()
    task_id = api_for(employee).get(f"/api/v1/tasks/?instance={instance['id']}").json()["results"][0]["id"]
    api_for(employee).post(f"/api/v1/tasks/{task_id}/claim/")
    assert api_for(ethan).post(f"/api/v1/tasks/{task_id}/claim/").status_code == 409
    response = api_for(ethan).post(f"/api/v1/tasks/{task_id}/complete/", {"variables": {"amount": 1}}, format="json")
    assert response.status_code == 403


def test_a_user_outside_the_candidate_group_sees_no_task(api_for, employee, outsider, approval):
    instance = start(api_for(employee)).json()
    assert api_for(outsider).get("/api/v1/tasks/").json()["results"] == []
    task_id = api_for(employee).get(f"/api/v1/tasks/?instance={instance['id']}").json()["results"][0]["id"]
    assert api_for(outsider).get(f"/api/v1/tasks/{task_id}/").status_code == 404
    assert api_for(outsider).get(f"/api/v1/instances/{instance['id']}/").status_code == 404


def test_tasks_can_be_filtered_by_candidate_group_and_state(api_for, employee, admin_user, approval):
    api = api_for(employee)
    start(api)
    start(api)
    admin = api_for(admin_user)
    assert len(admin.get("/api/v1/tasks/?candidate_group=Employees&state=open").json()["results"]) == 2
    assert admin.get("/api/v1/tasks/?candidate_group=Managers").json()["results"] == []


def test_cancelling_an_instance_cancels_its_task(api_for, employee, admin_user, approval):
    instance = start(api_for(employee)).json()
    admin = api_for(admin_user)
    assert api_for(employee).post(f"/api/v1/instances/{instance['id']}/cancel/").status_code == 403
    body = admin.post(f"/api/v1/instances/{instance['id']}/cancel/").json()
    assert body["state"] == "cancelled" and body["ended_at"]
    tasks = admin.get(f"/api/v1/tasks/?instance={instance['id']}").json()["results"]
    assert [t["state"] for t in tasks] == ["cancelled"]
    assert admin.post(f"/api/v1/instances/{instance['id']}/cancel/").status_code == 409


def test_a_process_that_starts_only_by_timer_cannot_be_started_by_hand(api_for, employee):
    xml = (
        HEADER + '<process id="nightly" isExecutable="true"><startEvent id="tick">'
        "<timerEventDefinition><timeDuration>PT1H</timeDuration></timerEventDefinition></startEvent>"
        '<sequenceFlow id="f1" sourceRef="tick" targetRef="e"/><endEvent id="e"/></process></definitions>'
    )
    deploy(xml.encode(), name="nightly.bpmn")
    response = api_for(employee).post("/api/v1/instances/", {"definition_key": "nightly"}, format="json")
    assert response.status_code == 409
    assert "no start event" in response.json()["error"]["message"]


def test_the_api_shows_the_parent_and_children(api_for, manager):
    deployed(callee())
    parent = start_instance(deployed(caller())["order"])
    child = child_of(parent)
    api = api_for(manager)
    assert api.get(f"/api/v1/instances/{parent.pk}/").json()["children"] == [child.pk]
    body = api.get(f"/api/v1/instances/{child.pk}/").json()
    assert (body["parent"], body["children"]) == (parent.pk, [])


def test_starting_checks_the_start_form_as_the_page_does(api_for, employee):
    from processes.demo import deploy_demo_processes

    deploy_demo_processes()
    response = api_for(employee).post("/api/v1/instances/", {
        "definition_key": "accounts_payable", "variables": {"vendor": "ACME", "amount": "lots"},
    }, format="json")
    assert response.status_code == 400
    fields = {d["field"] for d in response.json()["error"]["details"]}
    assert {"variables.amount", "variables.invoice_number"} <= fields
