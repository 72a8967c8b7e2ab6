"""Draw process definitions as SVG, choosing the diagram that shows each process."""

import re
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


# The heat scale: from a pale to a deep orange, by an element's mean duration.
COOL, HOT = (255, 245, 235), (217, 72, 1)


def heatmap(svg: str, stats: dict) -> str:
    """Paint ``stats`` ({element id: (count, mean seconds)}) on a drawing, for exports.

    Each element is filled by its mean duration relative to the slowest one and labelled
    with how often it ran and how long it took on average, as the page's overlays are.
    """
    if not stats:
        return svg
    slowest = max(mean for _, mean in stats.values()) or 1
    root = etree.fromstring(svg.encode())
    for group in root.iter("{*}g"):
        found = stats.get(group.get("data-element-id"))
        outline = group.find("{*}*[@class='bpmn-outline']")
        if found is None or outline is None:
            continue
        count, mean = found
        outline.set("style", f"fill:{heat_colour(mean / slowest)}")
        x, y = _top_centre(outline)
        label = etree.SubElement(group, "{http://www.w3.org/2000/svg}text",
                                 {"class": "heat-label", "x": f"{x:g}", "y": f"{y - 6:g}",
                                  "text-anchor": "middle"})
        label.text = f"{count} × {short_duration(mean)}"
    return etree.tostring(root, encoding="unicode")


def short_duration(seconds: float) -> str:
    """3 s, 12 min, 5.2 h, 3.1 d: a duration to read at a glance."""
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            value = seconds / size
            return f"{value:.1f} {unit}" if value < 10 else f"{value:.0f} {unit}"
    return f"{seconds:.0f} s"


def heat_colour(share: float) -> str:
    """The colour of an element ``share`` (0 to 1) of the way to the slowest one."""
    red, green, blue = (round(c + (h - c) * share) for c, h in zip(COOL, HOT, strict=True))
    return f"#{red:02x}{green:02x}{blue:02x}"


def _top_centre(shape) -> tuple[float, float]:
    """The middle of the top of a rect, a circle or a gateway's diamond path."""
    if shape.get("r") is not None:
        return float(shape.get("cx")), float(shape.get("cy")) - float(shape.get("r"))
    if shape.get("d") is not None:
        numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", shape.get("d"))]
        xs, ys = numbers[0::2], numbers[1::2]
        return (min(xs) + max(xs)) / 2, min(ys)
    return float(shape.get("x")) + float(shape.get("width")) / 2, float(shape.get("y"))
