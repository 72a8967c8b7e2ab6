"""The audit log: administrative actions are kept with who, when, which instances and why."""

import pytest

from processes.deployments import deploy
from processes.instances import start_instance
from processes.models import AuditEntry
from tests.samples import approval_process

pytestmark = pytest.mark.django_db


@pytest.fixture
def instance(settings):
    settings.CELERY_BROKER_URL = ""
    definition = deploy(approval_process(), name="approval.bpmn").definitions[0]
    return start_instance(definition, variables={"amount": 3})


def test_operations_on_an_instance_are_logged_with_who_and_why(api_for, admin_user, instance):
    api = api_for(admin_user)
    url = f"/api/v1/instances/{instance.pk}/"
    api.post(url + "suspend/")
    api.post(url + "resume/")
    api.patch(url + "variables/", {"variables": {"amount": 7}, "reason": "typo in the order"},
              format="json")
    log = api.get("/api/v1/audit/").json()["results"]
    assert [entry["action"] for entry in log] == [
        "instance.variables", "instance.resume", "instance.suspend"
    ]
    changed = log[0]
    assert changed["actor"] == "ada" and changed["instance_ids"] == [instance.pk]
    assert changed["details"] == {"changed": ["amount"]}
    assert changed["reason"] == "typo in the order"
    assert [e["action"] for e in api.get("/api/v1/audit/?action=instance.suspend").json()["results"]] == [
        "instance.suspend"
    ]


def test_a_refused_operation_leaves_no_entry(api_for, admin_user, instance):
    api = api_for(admin_user)
    api.post(f"/api/v1/instances/{instance.pk}/cancel/")
    assert api.post(f"/api/v1/instances/{instance.pk}/suspend/").status_code == 409
    assert list(AuditEntry.objects.values_list("action", flat=True)) == ["instance.cancel"]


def test_suspending_a_version_in_a_page_or_the_api_is_logged(client_for, api_for, owner, instance):
    definition = instance.definition
    client_for(owner).post(f"/processes/{definition.key}/v{definition.version}/suspend/")
    api_for(owner).post(f"/api/v1/definitions/{definition.pk}/resume/")
    assert list(AuditEntry.objects.order_by("pk").values_list("action", "target")) == [
        ("definition.suspend", "approval v1"), ("definition.resume", "approval v1"),
    ]


def test_only_operators_read_the_log(api_for, employee, manager, admin_user):
    assert api_for(employee).get("/api/v1/audit/").status_code == 403
    assert api_for(manager).get("/api/v1/audit/").status_code == 403
    assert api_for(admin_user).get("/api/v1/audit/").status_code == 200
