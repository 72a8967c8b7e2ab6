"""Drafts: saved whatever their state, checked on every save, deployed only without errors."""

import pytest

from processes.deployments import deploy
from processes.drafts import DraftHasErrors, deploy_draft, draft_of, new_draft, save
from tests.samples import approval_process

pytestmark = pytest.mark.django_db


def test_a_new_draft_is_a_valid_process_with_its_diagram(owner):
    draft = new_draft(owner, "Onboarding", "onboarding")
    assert 'id="start"' in draft.xml and "BPMNShape" in draft.xml
    assert not draft.has_errors


def test_a_broken_save_keeps_the_xml_and_names_the_problem(owner):
    draft = new_draft(owner, "Onboarding", "onboarding")
    broken = draft.xml.replace('<endEvent id="end"', '<sequenceFlow id="f" sourceRef="start" targetRef="nowhere"/><endEvent id="end"')
    draft = save(draft, broken)
    draft.refresh_from_db()
    assert draft.xml == broken, "no work is lost"
    assert draft.has_errors and any(p["element_id"] == "f" for p in draft.problems)
    with pytest.raises(DraftHasErrors):
        deploy_draft(draft, owner)


def test_a_draft_of_a_definition_deploys_as_its_next_version(owner):
    definition = deploy(approval_process(), name="approval.bpmn").definitions[0]
    draft = draft_of(definition, owner)
    draft = save(draft, draft.xml.replace('name="Review"', 'name="Review carefully"'))
    result = deploy_draft(draft, owner)
    assert [(d.key, d.version) for d in result.definitions] == [("approval", 2)]


def test_malformed_xml_is_saved_with_a_clear_problem(owner):
    draft = save(new_draft(owner, "X", "x"), "<definitions")
    assert draft.xml == "<definitions" and draft.has_errors
