"""The drafts resource the designer saves to."""

import pytest

from processes.deployments import deploy
from tests.samples import approval_process

pytestmark = pytest.mark.django_db


def test_an_owner_creates_saves_and_deploys_a_draft(api_for, owner):
    api = api_for(owner)
    draft = api.post("/api/v1/drafts/", {"name": "Onboarding", "key": "onboarding"}, format="json").json()
    assert draft["has_errors"] is False and 'id="onboarding"' in draft["xml"]
    broken = draft["xml"].replace('targetRef="end"', 'targetRef="nowhere"')
    saved = api.patch(f"/api/v1/drafts/{draft['id']}/", {"xml": broken}, format="json").json()
    assert saved["xml"] == broken and saved["has_errors"] is True
    refused = api.post(f"/api/v1/drafts/{draft['id']}/deploy/")
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "draft_has_errors"
    assert refused.json()["error"]["details"], "the problems name their elements"
    api.patch(f"/api/v1/drafts/{draft['id']}/", {"xml": draft["xml"]}, format="json")
    deployed = api.post(f"/api/v1/drafts/{draft['id']}/deploy/")
    assert deployed.status_code == 201
    assert [(d["key"], d["version"]) for d in deployed.json()["definitions"]] == [("onboarding", 1)]


def test_a_draft_of_a_definition_starts_from_its_xml(api_for, owner):
    definition = deploy(approval_process(), name="approval.bpmn").definitions[0]
    draft = api_for(owner).post("/api/v1/drafts/", {"definition": definition.pk}, format="json").json()
    assert draft["based_on"] == definition.pk and 'id="review"' in draft["xml"]


def test_drafts_are_their_owners_and_employees_may_not_design(api_for, owner, admin_user, employee):
    draft = api_for(owner).post("/api/v1/drafts/", {"name": "A", "key": "a"}, format="json").json()
    assert api_for(admin_user).get(f"/api/v1/drafts/{draft['id']}/").status_code == 404
    assert api_for(employee).get("/api/v1/drafts/").status_code == 403
    assert api_for(owner).post("/api/v1/drafts/", {"name": "B"}, format="json").status_code == 400
