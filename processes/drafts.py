"""Drafts: models being designed, saved without losing work, deployed once they hold together.

The designer (issue 7) edits a draft's XML; every save runs the same checks as deployment
and keeps what they found, and deployment refuses a draft with errors.
"""

from django.conf import settings

from processes.bpmn import BpmnError, load_definitions
from processes.bpmn.layout import layout
from processes.bpmn.writer import to_bytes
from processes.bpmn.xml import parse_xml
from processes.deployments import DeployResult, deploy, problem_dict
from processes.models import Draft

BLANK = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:baton="http://baton-bpm.org/schema/1.0/bpmn" id="definitions_{key}"
  targetNamespace="http://baton-bpm.org/processes">
  <process id="{key}" name="{name}" isExecutable="true">
    <startEvent id="start"/>
    <sequenceFlow id="flow_start_end" sourceRef="start" targetRef="end"/>
    <endEvent id="end"/>
  </process>
</definitions>
"""


class DraftHasErrors(Exception):
    """Deployment refused: the draft's problems say why."""


def new_draft(owner, name: str, key: str) -> Draft:
    """A draft of a new process that already holds together: start → end, laid out."""
    xml = to_bytes(layout(parse_xml(BLANK.format(key=key, name=name).encode()))).decode()
    return save(Draft(owner=owner, name=name), xml)


def draft_of(definition, owner) -> Draft:
    """A draft to change ``definition``: its deployed XML, to become its next version."""
    xml = definition.deployment.diagram_xml.decode("utf-8")
    return save(Draft(owner=owner, name=definition.display_name, based_on=definition), xml)


def save(draft: Draft, xml: str) -> Draft:
    """Keep the XML whatever its state and record what the checks found."""
    draft.xml = xml
    try:
        result = load_definitions(xml.encode(), max_bytes=settings.BPMN_MAX_UPLOAD_BYTES)
        draft.problems = [problem_dict(p) for p in result.problems]
    except BpmnError as error:
        draft.problems = [problem_dict(p) for p in error.problems]
    draft.save()
    return draft


def deploy_draft(draft: Draft, user) -> DeployResult:
    """Deploy the draft as the next version of its processes; refused while errors remain."""
    if draft.has_errors:
        raise DraftHasErrors(f"The draft '{draft.name}' has errors: fix them before deploying.")
    return deploy(draft.xml.encode(), name=f"{draft.name}.bpmn", user=user)
