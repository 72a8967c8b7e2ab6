"""Draw process definitions as SVG, choosing the diagram that shows each process."""

from functools import lru_cache

from lxml import etree

from processes.bpmn.render import render_svg
from processes.bpmn.xml import parse_xml
from processes.models import Deployment

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
BPMNDI = "{http://www.omg.org/spec/BPMN/20100524/DI}"


def diagram_index(tree, process_id: str) -> int:
    """Return the index of the diagram whose plane shows ``process_id``, directly or as a pool."""
    root = tree.getroot()
    pools = {
        collaboration.get("id")
        for collaboration in root.iter(f"{BPMN}collaboration")
        for participant in collaboration.iter(f"{BPMN}participant")
        if participant.get("processRef") == process_id
    }
    for index, diagram in enumerate(root.iter(f"{BPMNDI}BPMNDiagram")):
        plane = diagram.find(f"{BPMNDI}BPMNPlane")
        shown = plane.get("bpmnElement") if plane is not None else None
        if shown == process_id or shown in pools:
            return index
    return 0


def definition_svg(definition) -> str:
    """Return the SVG of a definition (cached: deployments never change)."""
    return _definition_svg(definition.deployment_id, definition.key)


@lru_cache(maxsize=256)
def _definition_svg(deployment_id: int, process_id: str) -> str:
    tree = parse_xml(Deployment.objects.get(pk=deployment_id).diagram_xml)
    return render_svg(tree, diagram_index(tree, process_id))


def highlight(svg: str, element_ids, css_class: str) -> str:
    """Add ``css_class`` to the groups drawing ``element_ids``, to mark them on the diagram."""
    wanted = set(element_ids)
    if not wanted:
        return svg
    root = etree.fromstring(svg.encode())
    for group in root.iter("{*}g"):
        if group.get("data-element-id") in wanted:
            group.set("class", f"{group.get('class', '')} {css_class}".strip())
    return etree.tostring(root, encoding="unicode")
