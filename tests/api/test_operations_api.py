"""Operating instances through the API: suspend and resume, variables, filters, forms,
incidents retried in bulk, where the running instances of a version are."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from processes.jobs import dispatcher, executor
from processes.models import Job, ProcessInstance
from tests.samples import HEADER, approval_process

pytestmark = pytest.mark.django_db

TIMER_THEN_TASK = (
    '<process id="waiting" isExecutable="true"><startEvent id="s"/>'
    '<sequenceFlow id="f1" sourceRef="s" targetRef="pause"/>'
    '<intermediateCatchEvent id="pause"><timerEventDefinition><timeDuration>PT1H</timeDuration>'
    "</timerEventDefinition></intermediateCatchEvent>"
    '<sequenceFlow id="f2" sourceRef="pause" targetRef="check"/>'
    '<userTask id="check" name="Check" baton:candidateGroups="Employees"/>'
    '<sequenceFlow id="f3" sourceRef="check" targetRef="e"/><endEvent id="e"/></process>'
)
WAIT_FOR_STOCK = (
    '<process id="stock" isExecutable="true"><startEvent id="s"/>'
    '<sequenceFlow id="f1" sourceRef="s" targetRef="enough"/>'
    '<intermediateCatchEvent id="enough"><conditionalEventDefinition>'
    "<condition>${stock &gt;= 10}</condition></conditionalEventDefinition></intermediateCatchEvent>"
    '<sequenceFlow id="f2" sourceRef="enough" targetRef="e"/><endEvent id="e"/></process>'
)
FAILING = (
    '<process id="failing" isExecutable="true"><startEvent id="s"/>'
    '<sequenceFlow id="f1" sourceRef="s" targetRef="compute"/>'
    '<scriptTask id="compute"><script>ratio = 1 / divisor</script></scriptTask>'
    '<sequenceFlow id="f2" sourceRef="compute" targetRef="e"/><endEvent id="e"/></process>'
)


@pytest.fixture(autouse=True)
def no_broker(settings):
    settings.CELERY_BROKER_URL = ""  # jobs run below, when the test says


def deploy(api, xml: bytes) -> list[dict]:
    response = api.post("/api/v1/deployments/", {"file": SimpleUploadedFile("m.bpmn", xml)},
                        format="multipart")
    assert response.status_code == 201, response.json()
    return response.json()["definitions"]


def model(body: str) -> bytes:
    return (HEADER + body + "</definitions>").encode()


def start(api, key, **body) -> dict:
    response = api.post("/api/v1/instances/", {"definition_key": key, **body}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def run_due_jobs():
    Job.objects.exclude(due_at__year=9999).update(due_at=timezone.now() - timedelta(seconds=1))
    dispatcher.dispatch("tests", "embedded", 100)
    return [executor.run_job(job.pk, job.lock_token, "tests")
            for job in Job.objects.exclude(lock_token="").order_by("pk")]


def test_a_suspended_instance_holds_its_timer_and_tasks_until_resumed(api_for, admin_user):
    api = api_for(admin_user)
    deploy(api, model(TIMER_THEN_TASK))
    instance = start(api, "waiting")
    url = f"/api/v1/instances/{instance['id']}/"

    assert api.post(url + "suspend/").json()["state"] == "suspended"
    assert run_due_jobs() == [], "the timer waits, without spending a retry"
    [timer] = Job.objects.filter(instance_id=instance["id"])
    assert timer.retries_left > 0
    assert api.post(url + "suspend/").status_code == 409

    assert api.post(url + "resume/").json()["state"] == "active"
    assert run_due_jobs() == ["done"]
    task = api.get(f"/api/v1/tasks/?instance={instance['id']}").json()["results"][0]
    api.post(url + "suspend/")
    refused = api.post(f"/api/v1/tasks/{task['id']}/complete/", {"variables": {}}, format="json")
    assert refused.status_code == 409
    assert "suspended" in refused.json()["error"]["message"]
    api.post(url + "resume/")
    done = api.post(f"/api/v1/tasks/{task['id']}/complete/", {"variables": {}}, format="json")
    assert done.status_code == 200
    assert api.get(url).json()["state"] == "completed"


def test_a_job_whose_instance_was_suspended_while_it_ran_is_parked_not_failed(
    api_for, admin_user
):
    api = api_for(admin_user)
    deploy(api, model(TIMER_THEN_TASK))
    instance = start(api, "waiting")
    Job.objects.update(due_at=timezone.now() - timedelta(seconds=1))
    dispatcher.dispatch("tests", "embedded", 100)
    job = Job.objects.get(instance_id=instance["id"])
    # The suspension commits while a worker holds the job.
    ProcessInstance.objects.filter(pk=instance["id"]).update(state="suspended")
    assert executor.run_job(job.pk, job.lock_token, "tests") == "parked"
    parked = Job.objects.get(pk=job.pk)
    assert parked.retries_left == job.retries_left, "no retry spent"
    assert parked.due_at.year == 9999 and not parked.lock_token
    api.post(f"/api/v1/instances/{instance['id']}/resume/")
    assert run_due_jobs() == ["done"]


def test_variables_are_read_and_changed_and_conditions_react(api_for, admin_user, employee):
    api = api_for(admin_user)
    deploy(api, model(WAIT_FOR_STOCK))
    instance = start(api, "stock", variables={"stock": 3, "sku": "A-1"})
    url = f"/api/v1/instances/{instance['id']}/variables/"
    assert api.get(url).json() == {"variables": {"stock": 3, "sku": "A-1"}}

    changed = api.patch(url, {"variables": {"stock": 12}}, format="json")
    assert changed.json() == {"variables": {"stock": 12, "sku": "A-1"}}
    assert api.get(f"/api/v1/instances/{instance['id']}/").json()["state"] == "completed"

    assert api_for(employee).patch(url, {"variables": {"stock": 1}}, format="json").status_code == 403
    bad = api.patch(url, {"variables": ["stock"]}, format="json")
    assert bad.status_code == 400 and bad.json()["error"]["details"][0]["field"] == "variables"


def test_instances_are_found_by_variable_value_and_start_time(api_for, admin_user):
    api = api_for(admin_user)
    deploy(api, approval_process())
    big = start(api, "approval", variables={"amount": 1200, "city": "Lyon"})
    start(api, "approval", variables={"amount": 90, "city": "Lyon"})

    def ids(query):
        response = api.get(f"/api/v1/instances/?{query}")
        assert response.status_code == 200, response.json()
        return [i["id"] for i in response.json()["results"]]

    assert ids("variable=amount:1200") == [big["id"]]
    assert len(ids('variable=city:"Lyon"')) == 2
    assert ids("variable=city:Lyon,amount:1200") == [big["id"]]
    assert ids("variable=amount:7") == []
    soon = (timezone.now() + timedelta(minutes=1)).isoformat().replace("+00:00", "Z")
    assert ids(f"started_after={soon}") == []
    assert len(ids(f"started_before={soon}")) == 2
    assert ids("ordering=id") == sorted(ids("ordering=-id"))

    for query, field in [("variable=amount", "variable"), ("variable=a__b:1", "variable"),
                         ("started_after=yesterday", "started_after"), ("state=sleeping", "state")]:
        response = api.get(f"/api/v1/instances/?{query}")
        assert response.status_code == 400, query
        assert response.json()["error"]["details"][0]["field"] == field


def test_bad_filter_values_are_400s_naming_the_parameter(api_for, admin_user):
    api = api_for(admin_user)
    for url, field in [("/api/v1/tasks/?instance=abc", "instance"),
                       ("/api/v1/incidents/?open=perhaps", "open"),
                       ("/api/v1/definitions/?suspended=2", "suspended")]:
        response = api.get(url)
        assert response.status_code == 400, url
        assert response.json()["error"]["details"][0]["field"] == field


def test_a_task_form_describes_its_fields_for_a_client_to_render(api_for, owner, employee):
    deploy(api_for(owner), approval_process())
    api = api_for(employee)
    instance = start(api, "approval", variables={"amount": 50})
    [task] = api.get(f"/api/v1/tasks/?instance={instance['id']}").json()["results"]
    form = api.get(f"/api/v1/tasks/{task['id']}/form/").json()
    assert form["task"] == task["id"]
    approved, amount = form["fields"]
    assert (approved["id"], approved["type"], approved["required"]) == ("approved", "boolean", False)
    assert (amount["id"], amount["required"], amount["min"], amount["value"]) == ("amount", True, "1", 50)


def test_incidents_are_retried_in_bulk_each_on_its_own(api_for, admin_user):
    api = api_for(admin_user)
    deploy(api, model(FAILING))
    for divisor in (0, 0):
        start(api, "failing", variables={"divisor": divisor})
    incidents = api.get("/api/v1/incidents/?open=true").json()["results"]
    assert len(incidents) == 2
    first, second = incidents
    api.patch(f"/api/v1/instances/{first['instance']}/variables/", {"variables": {"divisor": 4}},
              format="json")
    result = api.post("/api/v1/incidents/retry/", {"ids": [first["id"], second["id"], 999999]},
                      format="json").json()["results"]
    assert [(r["id"], r["retried"]) for r in result] == [
        (first["id"], True), (second["id"], True), (999999, False)
    ]
    assert result[2]["message"] == "No such incident."
    logged = api.get("/api/v1/audit/?action=incident.retry").json()["results"]
    assert sorted(e["instance_ids"][0] for e in logged) == sorted([first["instance"], second["instance"]])
    assert api.get(f"/api/v1/instances/{first['instance']}/").json()["state"] == "completed"
    assert len(api.get("/api/v1/incidents/?open=true").json()["results"]) == 1, "still dividing by 0"
    assert api.post("/api/v1/incidents/retry/", {"ids": []}, format="json").status_code == 400


def test_a_version_is_suspended_resumed_and_shows_where_its_instances_wait(
    api_for, owner, employee
):
    [definition] = deploy(api_for(owner), approval_process())
    for _ in range(2):
        start(api_for(employee), "approval", variables={"amount": 5})
    url = f"/api/v1/definitions/{definition['id']}/"
    assert api_for(employee).get(url + "statistics/").json() == [
        {"element_id": "review", "instances": 2, "incidents": 0}
    ]
    assert api_for(employee).post(url + "suspend/").status_code == 403
    assert api_for(owner).post(url + "suspend/").json()["suspended"] is True
    refused = api_for(employee).post("/api/v1/instances/", {"definition_key": "approval"},
                                     format="json")
    assert refused.status_code == 409
    assert api_for(owner).post(url + "resume/").json()["suspended"] is False
    assert api_for(employee).post(
        "/api/v1/instances/", {"definition_key": "approval", "variables": {"amount": 1}},
        format="json",
    ).status_code == 201
