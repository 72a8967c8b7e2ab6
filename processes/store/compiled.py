"""The compiled model of each deployment, built once and kept in memory."""

from functools import lru_cache

from processes.bpmn.model import Definitions, Process
from processes.bpmn.parser import compile_definitions
from processes.bpmn.xml import parse_xml
from processes.models import Deployment


@lru_cache(maxsize=128)
def definitions_of(deployment_id: int) -> Definitions:
    """Return the model of a deployment's file (validated when it was deployed)."""
    data = bytes(Deployment.objects.values_list("content", flat=True).get(pk=deployment_id))
    return compile_definitions(parse_xml(data, max_bytes=len(data) + 1))


def process_for(definition) -> Process:
    """Return the compiled process of a definition."""
    return definitions_of(definition.deployment_id).processes[definition.key]
