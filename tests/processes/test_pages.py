"""The process owner's pages: list, definition, versions, download, upload."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from lxml import etree

from processes.deployments import deploy
from processes.models import ProcessDefinition, ProcessInstance
from tests.samples import gateway_without_default, simple_process


def upload(client, data, name="model.bpmn"):
    return client.post(
        reverse("process-upload"), {"file": SimpleUploadedFile(name, data)}, follow=True
    )


def test_an_owner_deploys_a_file_and_lands_on_its_definition_page(client_for, owner):
    response = upload(client_for(owner), simple_process())
    assert response.redirect_chain[-1][0] == reverse("definition-version", args=["invoice", 1])
    page = response.content.decode()
    assert "Deployed Invoice approval v1" in page
    assert 'data-element-id="task"' in page, "the diagram is drawn on the page"


def test_a_refused_file_shows_each_problem_next_to_its_element(client_for, owner):
    response = upload(client_for(owner), gateway_without_default())
    assert response.status_code == 400
    page = response.content.decode()
    assert "The file was not deployed" in page
    assert 'data-element-id="choice"' in page
    svg = etree.fromstring(page[page.index("<svg"):page.index("</svg>") + 6].encode())
    marked = [g.get("data-element-id") for g in svg.iter("{*}g") if "has-problem" in (g.get("class") or "")]
    assert marked == ["choice"], "the offending gateway is highlighted on the diagram"
    assert not ProcessDefinition.objects.exists()


@pytest.mark.parametrize("data, message", [
    (b"", "empty"),
    (b"<html><body>hi</body></html>", "not a BPMN 2.0 file"),
    (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>', "DOCTYPE"),
])
def test_broken_files_get_a_clear_message_not_a_server_error(client_for, owner, data, message):
    response = upload(client_for(owner), data)
    assert response.status_code == 400
    assert message.lower() in response.content.decode().lower()


def test_an_oversized_file_is_refused_before_parsing(client_for, owner, settings):
    settings.BPMN_MAX_UPLOAD_BYTES = 1000
    response = upload(client_for(owner), simple_process() + b" " * 1000)
    assert response.status_code == 400
    assert "the limit is" in response.content.decode()


@pytest.mark.parametrize("persona", ["employee", "manager", "outsider"])
def test_only_process_owners_and_administrators_may_deploy(client_for, request, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("process-upload")).status_code == 403
    assert upload(client, simple_process()).status_code == 403
    assert not ProcessDefinition.objects.exists()


def test_the_list_shows_each_key_with_latest_version_and_version_count(client_for, manager):
    deploy(simple_process(task="A"), name="a.bpmn")
    deploy(simple_process(task="B"), name="b.bpmn")
    deploy(simple_process(key="hiring", name="Hiring"), name="h.bpmn")
    invoice_v1 = ProcessDefinition.objects.get(key="invoice", version=1)
    for state in ("active", "active", "completed"):
        ProcessInstance.objects.create(definition=invoice_v1, state=state, started_at=timezone.now())
    response = client_for(manager).get(reverse("process-list"))
    rows = {d.key: (d.version, count, running) for d, count, running in response.context["rows"]}
    assert rows == {"invoice": (2, 2, 2), "hiring": (1, 1, 0)}


def test_an_employee_cannot_open_the_process_pages(client_for, employee):
    deploy(simple_process(), name="a.bpmn")
    client = client_for(employee)
    assert client.get(reverse("process-list")).status_code == 403
    assert client.get(reverse("definition-detail", args=["invoice"])).status_code == 403


def test_the_definition_page_lists_versions_and_downloads_the_exact_file(client_for, manager):
    data = simple_process()
    deploy(data, name="a.bpmn")
    deploy(simple_process(task="Other"), name="b.bpmn")
    client = client_for(manager)
    page = client.get(reverse("definition-detail", args=["invoice"]))
    assert page.context["definition"].version == 2
    assert [v.version for v in page.context["versions"]] == [2, 1]
    download = client.get(reverse("definition-xml", args=["invoice", 1]))
    assert download.content == data
    assert download["Content-Disposition"] == 'attachment; filename="invoice-v1.bpmn"'
    svg = client.get(reverse("definition-svg", args=["invoice", 1]))
    assert svg["Content-Type"] == "image/svg+xml"
    assert etree.fromstring(svg.content).tag.endswith("svg")


def test_an_unknown_key_or_version_is_not_found(client_for, manager):
    client = client_for(manager)
    assert client.get(reverse("definition-detail", args=["nope"])).status_code == 404
    deploy(simple_process(), name="a.bpmn")
    assert client.get(reverse("definition-version", args=["invoice", 9])).status_code == 404


def test_an_owner_suspends_and_resumes_a_version(client_for, owner, manager):
    deploy(simple_process(), name="a.bpmn")
    suspend = reverse("definition-suspend", args=["invoice", 1])
    assert client_for(manager).post(suspend).status_code == 403
    client = client_for(owner)
    response = client.post(suspend, follow=True)
    assert "no new instances can start" in response.content.decode()
    assert not ProcessDefinition.objects.get().can_start
    client.post(reverse("definition-resume", args=["invoice", 1]))
    assert ProcessDefinition.objects.get().can_start
