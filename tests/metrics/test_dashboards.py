"""The dashboard pages: who may see them, and what a manager finds on them."""

import json
from datetime import timedelta

import pytest

from processes.deployments import deploy
from processes.instances import complete_task, start_instance
from processes.models import Task
from tests.samples import approval_process

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(settings):
    """Three approvals finished (one refused), one still waiting for review."""
    settings.CELERY_BROKER_URL = ""
    definition = deploy(approval_process(), name="approval.bpmn").definitions[0]
    for approved in (True, True, False):
        instance = start_instance(definition, variables={"amount": 10})
        task = Task.objects.get(instance=instance)
        complete_task(task.pk, variables={"approved": approved, "amount": 10})
    start_instance(definition, variables={"amount": 3})
    return definition


def chart(response, name):
    return json.loads(response.content.split(f'id="chart-{name}"'.encode())[1].split(b">", 1)[1]
                      .split(b"</script>")[0])


def test_managers_see_the_dashboards_and_employees_do_not(client_for, manager, employee, history):
    assert client_for(employee).get("/dashboards/").status_code == 403
    assert client_for(employee).get("/dashboards/approval/").status_code == 403
    page = client_for(manager).get("/dashboards/")
    assert page.status_code == 200
    card = page.content.decode().split('data-process="approval"')[1]
    assert "3 finished" in card


def test_the_process_page_shows_the_kpis_charts_and_heatmap_of_the_history(client_for, manager,
                                                                              history):
    page = client_for(manager).get("/dashboards/approval/?days=30&period=day")
    assert page.status_code == 200
    text = page.content.decode()
    assert "n=3" in text, "three completed instances measured"
    assert sum(chart(page, "histogram")["data"]["datasets"][0]["data"]) == 3
    assert len(chart(page, "individuals")["data"]["datasets"][0]["data"]) == 3
    heat = json.loads(text.split('id="heatmap-stats"')[1].split(">", 1)[1].split("</script>")[0])
    assert heat["review"]["label"].startswith("3 ×"), "review ran three times (the fourth waits)"


def test_the_heatmap_downloads_as_an_svg_painted_by_the_server(client_for, manager, history):
    response = client_for(manager).get("/dashboards/approval/heatmap.svg")
    assert response["Content-Type"] == "image/svg+xml"
    svg = response.content.decode()
    assert 'class="heat-label"' in svg and "3 ×" in svg


def test_an_unknown_process_is_a_404(client_for, manager, history):
    assert client_for(manager).get("/dashboards/nothing/").status_code == 404


def test_running_instances_past_their_sla_are_listed(client_for, manager, settings):
    settings.CELERY_BROKER_URL = ""
    xml = approval_process().replace(b'name="Approval"', b'name="Approval" baton:sla="PT1H"')
    definition = deploy(xml, name="approval.bpmn").definitions[0]
    late = start_instance(definition, variables={"amount": 3}, business_key="LATE-1")
    type(late).objects.filter(pk=late.pk).update(started_at=late.started_at - timedelta(hours=2))
    page = client_for(manager).get("/dashboards/approval/").content.decode()
    row = page.split('class="sla-breached"')[1].split("</tr>")[0]
    assert "LATE-1" in row and "(breached)" in row
