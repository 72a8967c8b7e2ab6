"""The designer's pages: who may open them, drafts begun three ways, the panel's answers."""

import json

import pytest

from processes.deployments import deploy
from processes.drafts import new_draft
from processes.models import Draft
from tests.samples import approval_process

pytestmark = pytest.mark.django_db

CAMUNDA_FILE = "tests/designer/files/camunda_modeler_invoice.bpmn"


def post_json(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_only_designers_open_the_designer_and_only_their_own_drafts(client_for, owner, employee):
    draft = new_draft(owner, "Onboarding", "onboarding")
    assert client_for(employee).get("/designer/").status_code == 403
    assert client_for(employee).get(f"/designer/{draft.pk}/").status_code == 403

    other_owner = type(owner).objects.create(username="otto")
    other_owner.groups.set(owner.groups.all())
    assert client_for(other_owner).get(f"/designer/{draft.pk}/").status_code == 404
    page = client_for(owner).get(f"/designer/{draft.pk}/")
    assert page.status_code == 200
    assert b"bpmn-modeler.production.min.js" in page.content
    assert b'"uri": "http://baton-bpm.org/schema/1.0/bpmn"' in page.content, "moddle descriptor"


def test_a_new_process_opens_in_the_designer(client_for, owner):
    client = client_for(owner)
    response = client.post("/designer/new/", {"name": "Onboarding", "key": "onboarding"})
    draft = Draft.objects.get(owner=owner)
    assert response.url == f"/designer/{draft.pk}/"
    bad = client.post("/designer/new/", {"name": "X", "key": "9 lives"})
    assert bad.status_code == 400 and b"Start with a letter" in bad.content


def test_an_uploaded_camunda_file_is_kept_as_it_is(client_for, owner):
    client = client_for(owner)
    with open(CAMUNDA_FILE, "rb") as upload:
        response = client.post("/designer/upload/", {"file": upload})
    draft = Draft.objects.get(owner=owner)
    assert response.url == f"/designer/{draft.pk}/"
    assert draft.name == "camunda_modeler_invoice"
    assert 'camunda:candidateGroups="accounting"' in draft.xml
    assert 'bpmnElement="Flow_no"' in draft.xml


def test_a_file_without_a_diagram_is_laid_out(client_for, owner):
    client = client_for(owner)
    from io import BytesIO

    upload = BytesIO(approval_process())
    upload.name = "approval.bpmn"
    client.post("/designer/upload/", {"file": upload})
    assert "BPMNShape" in Draft.objects.get(owner=owner).xml


def test_a_hostile_file_is_refused_with_the_reason_and_nothing_stored(client_for, owner):
    from io import BytesIO

    upload = BytesIO(b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>')
    upload.name = "evil.bpmn"
    response = client_for(owner).post("/designer/upload/", {"file": upload})
    assert response.status_code == 400 and b"DOCTYPE" in response.content
    assert not Draft.objects.exists()


def test_a_deployed_version_opens_as_a_draft_of_its_next_version(client_for, owner):
    definition = deploy(approval_process(), name="approval.bpmn").definitions[0]
    response = client_for(owner).post(f"/designer/open/{definition.pk}/")
    draft = Draft.objects.get(owner=owner)
    assert response.url == f"/designer/{draft.pk}/" and draft.based_on == definition


def test_the_panel_shows_the_fields_of_the_selected_element(client_for, owner):
    draft = new_draft(owner, "Onboarding", "onboarding")
    client = client_for(owner)
    panel = post_json(client, f"/designer/{draft.pk}/panel/", {"xml": draft.xml, "element_id": "onboarding"})
    assert panel.status_code == 200
    assert b'name="key"' in panel.content and b'value="onboarding"' in panel.content
    flow = post_json(client, f"/designer/{draft.pk}/panel/", {"xml": draft.xml, "element_id": "flow_start_end"})
    assert b"Condition" not in flow.content, "a flow from an event has no condition"


def test_a_change_is_answered_with_edits_or_with_the_message_for_the_field(client_for, owner):
    draft = new_draft(owner, "Onboarding", "onboarding")
    client = client_for(owner)
    url = f"/designer/{draft.pk}/change/"
    ok = post_json(client, url, {"xml": draft.xml, "element_id": "start", "field": "name", "value": "Hired"})
    assert ok.json()["edits"] == [
        {"op": "update", "target": "element", "properties": {"name": "Hired"}}
    ]
    taken = post_json(client, url, {"xml": draft.xml, "element_id": "start", "field": "id", "value": "end"})
    assert taken.status_code == 200
    assert taken.json()["error"] == "The id 'end' is already used by another element."


@pytest.mark.parametrize(
    "body, message",
    [
        ("not json", b"not JSON"),
        ('["a list"]', b"JSON object"),
        ('{"xml": "<definitions", "element_id": "x"}', b"not well-formed"),
        ('{"xml": "%s", "element_id": "ghost"}', b"no element 'ghost'"),
    ],
)
def test_bad_panel_requests_get_a_400_naming_the_problem(client_for, owner, body, message):
    draft = new_draft(owner, "Onboarding", "onboarding")
    if "%s" in body:
        body = body % draft.xml.replace('"', '\\"').replace("\n", " ")
    response = client_for(owner).post(
        f"/designer/{draft.pk}/panel/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert message in response.content
