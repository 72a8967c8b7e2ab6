"""Unclaim, delegate, resolve, reassign, comments and attachments through the REST API."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.roles import EMPLOYEES
from processes.deployments import deploy
from processes.instances import claim_task, start_instance
from processes.models import Task
from tests.conftest import make_user
from tests.samples import approval_process

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def ethan(db):
    return make_user("ethan", EMPLOYEES)


@pytest.fixture
def task(db):
    """A Review task offered to the Employees group."""
    definition = deploy(approval_process(), name="approval.bpmn").definitions[0]
    return Task.objects.get(instance=start_instance(definition))


def url(task, action):
    return f"/api/v1/tasks/{task.pk}/{action}/"


def error(response):
    return response.json()["error"]


def test_the_assignee_unclaims(api_for, employee, task):
    claim_task(task.pk, employee)
    response = api_for(employee).post(url(task, "unclaim"))
    assert response.status_code == 200 and response.json()["assignee"] == ""


def test_a_colleague_may_not_unclaim(api_for, employee, ethan, task):
    claim_task(task.pk, employee)
    response = api_for(ethan).post(url(task, "unclaim"))
    assert response.status_code == 403 and error(response)["code"] == "not_allowed"


def test_an_outsider_finds_no_task_to_act_on(api_for, outsider, employee, task):
    api = api_for(outsider)
    for action in ("unclaim", "delegate", "resolve", "comments", "attachments"):
        assert api.post(url(task, action), {"user": "emma", "text": "x"}).status_code == 404
    assert api.get(url(task, "comments")).status_code == 404


def test_delegation_round_trip(api_for, employee, ethan, task):
    claim_task(task.pk, employee)
    delegated = api_for(employee).post(url(task, "delegate"), {"user": "ethan"}, format="json")
    assert delegated.status_code == 200
    body = delegated.json()
    assert (body["owner"], body["assignee"], body["delegation"]) == ("emma", "ethan", "pending")

    blocked = api_for(ethan).post(url(task, "complete"), {"variables": {"amount": 1}}, format="json")
    assert blocked.status_code == 409 and error(blocked)["code"] == "delegation_pending"
    assert api_for(employee).post(url(task, "resolve")).status_code == 403

    resolved = api_for(ethan).post(url(task, "resolve")).json()
    assert (resolved["assignee"], resolved["delegation"]) == ("emma", "resolved")
    done = api_for(employee).post(url(task, "complete"), {"variables": {"amount": 1}}, format="json")
    assert done.json()["state"] == "completed"


def test_resolving_a_task_not_delegated_is_a_409(api_for, employee, task):
    response = api_for(employee).post(url(task, "resolve"))
    assert response.status_code == 409 and error(response)["code"] == "not_delegated"


def test_delegating_to_an_unknown_or_unfit_user_names_the_field(api_for, employee, outsider, task):
    api = api_for(employee)
    for name in ("nobody", "charlie", "emma"):
        response = api.post(url(task, "delegate"), {"user": name}, format="json")
        assert response.status_code == 400
        assert error(response)["details"][0]["field"] == "user"


def test_a_manager_reassigns_a_task_outside_his_groups(api_for, employee, ethan, manager, task):
    claim_task(task.pk, employee)
    response = api_for(manager).post(url(task, "reassign"), {"user": "ethan"}, format="json")
    assert response.status_code == 200 and response.json()["assignee"] == "ethan"


def test_an_employee_may_not_reassign(api_for, employee, ethan, task):
    response = api_for(employee).post(url(task, "reassign"), {"user": "ethan"}, format="json")
    assert response.status_code == 403 and error(response)["code"] == "not_allowed"


def test_reassigning_a_missing_task_is_a_404(api_for, manager):
    assert api_for(manager).post("/api/v1/tasks/999/reassign/", {"user": "x"}).status_code == 404
    assert api_for(manager).post("/api/v1/tasks/abc/reassign/", {"user": "x"}).status_code == 404


def test_comments_are_added_and_listed(api_for, employee, task):
    api = api_for(employee)
    created = api.post(url(task, "comments"), {"text": "Checked the amount."}, format="json")
    assert created.status_code == 201 and created.json()["author"] == "emma"
    assert [c["text"] for c in api.get(url(task, "comments")).json()] == ["Checked the amount."]
    empty = api.post(url(task, "comments"), {"text": ""}, format="json")
    assert empty.status_code == 400 and error(empty)["details"][0]["field"] == "text"


def test_a_file_is_attached(api_for, employee, task):
    upload = SimpleUploadedFile("invoice.pdf", b"%PDF-1.4", content_type="application/pdf")
    response = api_for(employee).post(url(task, "attachments"), {"file": upload}, format="multipart")
    assert response.status_code == 201
    assert {k: response.json()[k] for k in ("name", "content_type", "size", "uploaded_by")} == {
        "name": "invoice.pdf", "content_type": "application/pdf", "size": 8, "uploaded_by": "emma"
    }
    assert [a["name"] for a in api_for(employee).get(url(task, "attachments")).json()] == ["invoice.pdf"]


def test_an_attachment_too_large_or_of_a_wrong_type_names_the_field(api_for, employee, task, settings):
    settings.TASK_ATTACHMENT_MAX_BYTES = 4
    api = api_for(employee)
    for upload in (SimpleUploadedFile("big.pdf", b"12345"), SimpleUploadedFile("x.html", b"<p>")):
        response = api.post(url(task, "attachments"), {"file": upload}, format="multipart")
        assert response.status_code == 400
        assert error(response)["details"] == [{"field": "file", "message": error(response)["message"]}]
    missing = api.post(url(task, "attachments"), {}, format="multipart")
    assert missing.status_code == 400 and error(missing)["details"][0]["field"] == "file"
