"""Draw one BPMN diagram (the BPMNDI shapes and edges of a document) as standalone SVG.

The drawing reads the lxml tree directly. Every DI shape and every DI edge becomes one
<g> that carries the id of the BPMN element it shows and CSS classes naming its kind,
so pages can paint token positions and heatmaps by overriding the embedded <style>.
"""

import math
from functools import lru_cache
from typing import NamedTuple

from . import icons

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"

DIAGRAM = f"{{{BPMNDI}}}BPMNDiagram"
SHAPE = f"{{{BPMNDI}}}BPMNShape"
EDGE = f"{{{BPMNDI}}}BPMNEdge"
LABEL = f"{{{BPMNDI}}}BPMNLabel"
BOUNDS = f"{{{DC}}}Bounds"
WAYPOINT = f"{{{DI}}}waypoint"

TASKS = frozenset({
    "task", "userTask", "manualTask", "serviceTask", "scriptTask", "sendTask",
    "receiveTask", "businessRuleTask",
})
CONTAINERS = frozenset({"subProcess", "transaction", "adHocSubProcess", "callActivity"})
ACTIVITIES = TASKS | CONTAINERS
EVENTS = frozenset({
    "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent",
    "boundaryEvent", "implicitThrowEvent",
})
THROW_EVENTS = frozenset({"endEvent", "intermediateThrowEvent", "implicitThrowEvent"})
GATEWAYS = frozenset({
    "exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway",
    "complexGateway",
})
DATA_OBJECTS = frozenset({"dataObjectReference", "dataObject", "dataInput", "dataOutput"})
DATA_STORES = frozenset({"dataStoreReference", "dataStore"})

FONT_SIZE = 11
LINE_HEIGHT = 13
MARGIN = 20
INK = "#22242a"
PAPER = "#fff"

STYLE = f"""
.bpmn-diagram{{font-family:Arial,Helvetica,sans-serif;font-size:{FONT_SIZE}px}}
.bpmn-outline{{fill:{PAPER};stroke:{INK};stroke-width:2}}
.bpmn-inner,.bpmn-band{{fill:none;stroke:{INK};stroke-width:1.5}}
.bpmn-participant .bpmn-outline{{stroke-width:1.5}}
.bpmn-lane .bpmn-outline{{fill:none;stroke-width:1}}
.bpmn-event-intermediate .bpmn-outline{{stroke-width:1.5}}
.bpmn-event-end .bpmn-outline{{stroke-width:4}}
.bpmn-non-interrupting .bpmn-outline,.bpmn-non-interrupting .bpmn-inner{{stroke-dasharray:5.5 3}}
.bpmn-callActivity .bpmn-outline{{stroke-width:5}}
.bpmn-event-subprocess .bpmn-outline{{stroke-dasharray:1.5 4;stroke-linecap:round}}
.bpmn-group .bpmn-outline{{fill:none;stroke-width:1.5;stroke-dasharray:10 4 2 4}}
.bpmn-textAnnotation .bpmn-outline{{fill:none;stroke-width:1.5}}
.bpmn-unknown .bpmn-outline{{stroke-dasharray:4 2}}
.bpmn-icon path{{vector-effect:non-scaling-stroke;stroke-linejoin:round}}
.bpmn-icon-line{{fill:none;stroke:{INK};stroke-width:1.2}}
.bpmn-icon-bold{{fill:none;stroke:{INK};stroke-width:2.5}}
.bpmn-icon-fill{{fill:{INK};stroke:{INK};stroke-width:1}}
.bpmn-icon-hollow{{fill:{PAPER};stroke:{INK};stroke-width:1.2}}
.bpmn-icon-light{{fill:none;stroke:{PAPER};stroke-width:1.2}}
.bpmn-line{{fill:none;stroke:{INK};stroke-width:1.5;stroke-linejoin:round}}
.bpmn-messageFlow .bpmn-line{{stroke-dasharray:10 6}}
.bpmn-association .bpmn-line,.bpmn-dataInputAssociation .bpmn-line,\
.bpmn-dataOutputAssociation .bpmn-line{{stroke-dasharray:0.5 5;stroke-linecap:round}}
.bpmn-arrow{{fill:{INK};stroke:{INK};stroke-width:1;stroke-linejoin:round}}
.bpmn-arrow-hollow{{fill:{PAPER};stroke:{INK};stroke-width:1.2}}
.bpmn-arrow-open{{fill:none;stroke:{INK};stroke-width:1.5}}
.bpmn-label{{fill:{INK}}}
"""

# Drawing order: containers first so that what they contain stays visible.
POOL_LAYER, LANE_LAYER, CONTAINER_LAYER, NODE_LAYER, BOUNDARY_LAYER = 0, 1, 2, 3, 4
EDGE_LAYER, GROUP_LAYER = 5, 6


class DiagramInfo(NamedTuple):
    id: str
    name: str
    index: int


class DiagramNotFound(LookupError):
    """The requested diagram is not in the document."""


def diagrams(tree) -> list[DiagramInfo]:
    """List the document's diagrams so a page can offer one view per diagram."""
    return [
        DiagramInfo(element.get("id", ""), element.get("name", ""), index)
        for index, element in enumerate(_diagram_elements(_root(tree)))
    ]


def render_svg(tree, diagram: int | str = 0) -> str:
    """Draw one diagram of the document, chosen by position or id, as an SVG string.

    A document without any diagram draws as an empty picture.
    """
    found = _diagram_elements(_root(tree))
    if not found and diagram == 0:
        return _document("", _Extent(), "")
    return _Painter(_root(tree), _pick(found, diagram)).svg()


def local(tag) -> str:
    """Return the name of a tag without its namespace ("" for comments)."""
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def reference(value: str | None) -> str:
    """Return the id a QName attribute refers to, dropping any prefix."""
    return (value or "").rpartition(":")[2].strip()


def _root(tree):
    return tree.getroot() if hasattr(tree, "getroot") else tree


def _diagram_elements(root) -> list:
    return list(root.iter(DIAGRAM))


def _pick(found: list, diagram: int | str):
    if isinstance(diagram, int):
        if 0 <= diagram < len(found):
            return found[diagram]
    else:
        for element in found:
            if element.get("id") == diagram:
                return element
    raise DiagramNotFound(f"no diagram {diagram!r} among {len(found)}")


def _number(value: str | None) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _bounds(element) -> tuple[float, float, float, float] | None:
    """Return (x, y, width, height) of the element's own dc:Bounds, if usable."""
    bounds = element.find(BOUNDS) if element is not None else None
    if bounds is None:
        return None
    values = [_number(bounds.get(name)) for name in ("x", "y", "width", "height")]
    if None in values or values[2] < 0 or values[3] < 0:
        return None
    return tuple(values)


def _waypoints(edge) -> list[tuple[float, float]]:
    points = []
    for point in edge.iter(WAYPOINT):
        x, y = _number(point.get("x")), _number(point.get("y"))
        if x is not None and y is not None:
            points.append((x, y))
    return points


def _n(value: float) -> str:
    if value == int(value):
        return str(int(value))
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _esc(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        .replace('"', "&quot;")
    )


class _Extent:
    """Grow a bounding box as parts of the drawing are placed."""

    def __init__(self):
        self.left = self.top = math.inf
        self.right = self.bottom = -math.inf

    def add(self, x: float, y: float, width: float = 0, height: float = 0) -> None:
        self.left = min(self.left, x)
        self.top = min(self.top, y)
        self.right = max(self.right, x + width)
        self.bottom = max(self.bottom, y + height)

    def view_box(self) -> tuple[float, float, float, float]:
        if self.left > self.right:
            return 0, 0, 100, 100
        return (
            self.left - MARGIN, self.top - MARGIN,
            self.right - self.left + 2 * MARGIN, self.bottom - self.top + 2 * MARGIN,
        )


def _document(body: str, extent: _Extent, diagram_id: str) -> str:
    x, y, width, height = extent.view_box()
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="bpmn-diagram" '
        f'data-diagram-id="{_esc(diagram_id)}" width="{math.ceil(width)}" '
        f'height="{math.ceil(height)}" viewBox="{_n(x)} {_n(y)} {_n(width)} {_n(height)}">'
        f"<style>{STYLE}</style>{body}</svg>"
    )


_NARROW = dict.fromkeys(".,:;'!|()[]ijlftrI-", 3.3)
_WIDE = dict.fromkeys("mwMW@%", 9.2)
_SPACE = 3.3 * FONT_SIZE / 11


@lru_cache(maxsize=8192)
def _word_width(word: str) -> float:
    width = 0.0
    for ch in word:
        width += _NARROW.get(ch) or _WIDE.get(ch) or (7.3 if ch.isupper() else 6.1)
    return width * FONT_SIZE / 11


def text_width(text: str) -> float:
    """Estimate the width of a line of text in pixels, as no font metrics are at hand."""
    words = text.split(" ")
    return sum(map(_word_width, words)) + _SPACE * (len(words) - 1)


def wrap(text: str, width: float) -> list[str]:
    """Break text into lines no wider than width, keeping the author's line breaks."""
    lines = []
    for paragraph in text.splitlines() or [""]:
        line, line_width = [], 0.0
        for word in paragraph.split():
            word_width = _word_width(word)
            if line and line_width + _SPACE + word_width > width:
                lines.append(" ".join(line))
                line, line_width = [word], word_width
            else:
                line_width += (_SPACE if line else 0) + word_width
                line.append(word)
        lines.append(" ".join(line))
    while lines and not lines[-1]:
        lines.pop()
    return lines


def _icon(icon, css: str, transform: str) -> str:
    paths = "".join(f'<path class="bpmn-icon-{style}" d="{d}"/>' for style, d in icon)
    return f'<g class="bpmn-icon {css}" transform="{transform}">{paths}</g>'


def _rect(x, y, width, height, css="bpmn-outline", radius=0.0) -> str:
    corner = f' rx="{_n(radius)}"' if radius else ""
    return (
        f'<rect class="{css}" x="{_n(x)}" y="{_n(y)}" width="{_n(width)}" '
        f'height="{_n(height)}"{corner}/>'
    )


def _circle(cx, cy, r, css="bpmn-outline") -> str:
    return f'<circle class="{css}" cx="{_n(cx)}" cy="{_n(cy)}" r="{_n(r)}"/>'


def _path(d: str, css: str) -> str:
    return f'<path class="{css}" d="{d}"/>'


def _polyline(points) -> str:
    return "M" + " L".join(f"{_n(x)},{_n(y)}" for x, y in points)


_PAINTERS = {
    "participant": ("pool", POOL_LAYER),
    "lane": ("lane", LANE_LAYER),
    "textAnnotation": ("annotation", NODE_LAYER),
    "group": ("group_box", GROUP_LAYER),
    "boundaryEvent": ("event", BOUNDARY_LAYER),
    **dict.fromkeys(EVENTS - {"boundaryEvent"}, ("event", NODE_LAYER)),
    **dict.fromkeys(GATEWAYS, ("gateway", NODE_LAYER)),
    **dict.fromkeys(DATA_OBJECTS, ("data_object", NODE_LAYER)),
    **dict.fromkeys(DATA_STORES, ("data_store", NODE_LAYER)),
}


class _Painter:
    """Draw the shapes and edges of one diagram, given the document they belong to."""

    def __init__(self, root, diagram):
        self.diagram = diagram
        self.elements = {}
        self.defaults = set()
        for element in root.iter():
            if not isinstance(element.tag, str) or element.tag.startswith(f"{{{BPMNDI}}}"):
                continue
            if element.get("id"):
                self.elements.setdefault(element.get("id"), element)
            if element.get("default"):
                self.defaults.add(element.get("default"))
        self.parts = list(diagram.iter(SHAPE, EDGE))
        self.shown = {reference(di.get("bpmnElement")) for di in self.parts if di.tag == SHAPE}
        self.extent = _Extent()

    def svg(self) -> str:
        drawn = []
        for order, di in enumerate(self.parts):
            if di.tag == SHAPE:
                key, text = self.shape(di)
            else:
                key, text = (EDGE_LAYER, 0), self.edge(di)
            drawn.append((key, order, text))
        drawn.sort(key=lambda item: item[:2])
        body = "".join(text for _, _, text in drawn)
        return _document(body, self.extent, self.diagram.get("id", ""))

    def element(self, di):
        return self.elements.get(reference(di.get("bpmnElement")))

    def group(self, di, classes: list[str], body: str) -> str:
        return (
            f'<g class="{" ".join(classes)}" '
            f'data-element-id="{_esc(reference(di.get("bpmnElement")))}">{body}</g>'
        )

    # Shapes

    def shape(self, di) -> tuple[tuple, str]:
        """Draw one DI shape; return its drawing-order key and its SVG group."""
        element = self.element(di)
        tag = local(element.tag) if element is not None else ""
        classes = ["djs-element", "djs-shape", f"bpmn-{tag or 'unknown'}"]
        draw, layer = self.painter_for(tag, di, element)
        bounds = _bounds(di)
        if bounds is None:
            return (layer, 0), self.group(di, classes, "")
        self.extent.add(*bounds)
        body = draw(di, element, bounds, classes)
        area = -bounds[2] * bounds[3] if layer == CONTAINER_LAYER else 0
        return (layer, area), self.group(di, classes, body)

    def painter_for(self, tag: str, di, element):
        """Pick the method that draws this kind of element, and the layer it goes in."""
        if tag in ACTIVITIES:
            if self.is_expanded(di, element):
                return self.expanded, CONTAINER_LAYER
            return self.activity, NODE_LAYER
        name, layer = _PAINTERS.get(tag, ("unknown", NODE_LAYER))
        return getattr(self, name), layer

    def is_expanded(self, di, element) -> bool:
        """Tell whether a container is drawn open, as DI says or as its drawn children show."""
        flag = di.get("isExpanded")
        if flag is not None or local(element.tag) not in CONTAINERS:
            return flag == "true"
        return any(child.get("id") in self.shown for child in element)

    def label(self, di, text: str, default_box) -> str:
        """Draw an outside name in the DI label bounds if given, else in the default box.

        The bounds were measured by the exporting tool with its own font, so the text may
        run a little wider before it wraps.
        """
        box = _bounds(di.find(LABEL))
        if box is None or box[2] <= 1:
            return self.text(text, default_box, valign="top")
        return self.text(text, box, slack=10)

    def text(self, text: str, box, align="middle", valign="middle", rotate=False,
             slack=0) -> str:
        """Write text wrapped to the box, or nothing when there is no text."""
        x, y, width, height = box
        lines = wrap((text or "").strip(), max(width, 20) + slack)
        if not lines:
            return ""
        block = len(lines) * LINE_HEIGHT
        top = y + (height - block) / 2 if valign == "middle" else y
        if align == "start":
            anchor, line_x = "start", x
        else:
            anchor, line_x = "middle", x + width / 2
        widest = max(text_width(line) for line in lines)
        left = line_x if anchor == "start" else line_x - widest / 2
        if not rotate:
            self.extent.add(left, top, widest, block)
        spans = "".join(
            f'<tspan x="{_n(line_x)}" y="{_n(top + FONT_SIZE + i * LINE_HEIGHT - 1)}">'
            f"{_esc(line)}</tspan>"
            for i, line in enumerate(lines)
        )
        turn = ""
        if rotate:
            turn = f' transform="rotate(-90 {_n(x + width / 2)} {_n(y + height / 2)})"'
        return f'<text class="bpmn-label" text-anchor="{anchor}"{turn}>{spans}</text>'

    def below(self, bounds) -> tuple[float, float, float, float]:
        """Return the box under a small shape where its name goes when DI gives none."""
        x, y, width, height = bounds
        return x + width / 2 - 45, y + height + 5, 90, LINE_HEIGHT * 3

    def pool(self, di, element, bounds, classes) -> str:
        x, y, width, height = bounds
        body = _rect(x, y, width, height)
        name = element.get("name", "")
        if not element.get("processRef"):
            return body + self.text(name, bounds)
        if di.get("isHorizontal") == "false":
            body += _path(f"M{_n(x)},{_n(y + 30)} H{_n(x + width)}", "bpmn-band")
            return body + self.text(name, (x, y, width, 30))
        body += _path(f"M{_n(x + 30)},{_n(y)} V{_n(y + height)}", "bpmn-band")
        return body + self.rotated(name, x, y, height)

    def lane(self, di, element, bounds, classes) -> str:
        x, y, width, height = bounds
        body = _rect(x, y, width, height)
        if di.get("isHorizontal") == "false":
            return body + self.text(element.get("name", ""), (x, y, width, 30))
        return body + self.rotated(element.get("name", ""), x, y, height)

    def rotated(self, name: str, x: float, y: float, height: float) -> str:
        """Write a name upwards in the 30-pixel band at the left of a pool or lane."""
        box = (x + 15 - height / 2, y + height / 2 - 15, height, 30)
        return self.text(name, box, rotate=True)

    def activity(self, di, element, bounds, classes) -> str:
        x, y, width, height = bounds
        tag = local(element.tag)
        classes.append("bpmn-activity")
        if tag in CONTAINERS:
            classes.append("bpmn-collapsed")
        body = _rect(x, y, width, height, radius=min(10, width / 4, height / 4))
        body += self.activity_frame(element, bounds, classes)
        kind = self.task_kind(element)
        if kind in icons.TASK_ICONS:
            body += _icon(icons.TASK_ICONS[kind], f"bpmn-icon-{kind}",
                          f"translate({_n(x + 4)},{_n(y + 4)})")
        body += self.markers(element, bounds, collapsed=tag in CONTAINERS)
        box = (x + 5, y + 5, width - 10, height - 10)
        return body + self.text(element.get("name", ""), box)

    def expanded(self, di, element, bounds, classes) -> str:
        x, y, width, height = bounds
        classes.extend(["bpmn-activity", "bpmn-expanded"])
        body = _rect(x, y, width, height, radius=min(10, width / 4, height / 4))
        body += self.activity_frame(element, bounds, classes)
        body += self.markers(element, bounds, collapsed=False)
        box = (x + 8, y + 6, width - 16, LINE_HEIGHT * 2)
        return body + self.text(element.get("name", ""), box, "start", "top")

    def activity_frame(self, element, bounds, classes) -> str:
        """Add the double border of a transaction and name the special activity kinds."""
        if element.get("triggeredByEvent") == "true":
            classes.append("bpmn-event-subprocess")
        if element.get("isForCompensation") == "true":
            classes.append("bpmn-for-compensation")
        if local(element.tag) != "transaction":
            return ""
        x, y, width, height = bounds
        return _rect(x + 3, y + 3, width - 6, height - 6, "bpmn-inner",
                     min(7, width / 4, height / 4))

    def markers(self, element, bounds, collapsed: bool) -> str:
        """Draw the loop, multi-instance, sub-process, ad-hoc and compensation markers."""
        names = self.marker_names(element, collapsed)
        if not names:
            return ""
        x, y, width, height = bounds
        step = 17
        first = x + width / 2 - step * (len(names) - 1) / 2
        return "".join(
            _icon(icons.ACTIVITY_MARKERS[name], f"bpmn-marker bpmn-marker-{name}",
                  f"translate({_n(first + i * step)},{_n(y + height - 10)})")
            for i, name in enumerate(names)
        )

    def marker_names(self, element, collapsed: bool) -> list[str]:
        names = []
        for child in element:
            kind = local(child.tag)
            if kind == "standardLoopCharacteristics":
                names.append("loop")
            elif kind == "multiInstanceLoopCharacteristics":
                sequential = child.get("isSequential") == "true"
                names.append("sequential" if sequential else "parallel")
        if collapsed and not self.called(element).startswith("global"):
            names.append("subprocess")
        if local(element.tag) == "adHocSubProcess":
            names.append("adhoc")
        if element.get("isForCompensation") == "true":
            names.append("compensation")
        return names

    def called(self, element) -> str:
        """Return the tag of the element a call activity calls, "" if unknown."""
        target = self.elements.get(reference(element.get("calledElement")))
        return local(target.tag) if target is not None else ""

    def task_kind(self, element) -> str:
        """Name the task type whose icon an activity shows; a call shows the called task's."""
        tag = local(element.tag)
        called = self.called(element) if tag == "callActivity" else ""
        if called.startswith("global") and len(called) > 6:
            return called[6].lower() + called[7:]
        return tag

    def event(self, di, element, bounds, classes) -> str:
        x, y, width, height = bounds
        tag = local(element.tag)
        cx, cy, r = x + width / 2, y + height / 2, min(width, height) / 2
        classes.append(self.event_position(tag))
        throw = tag in THROW_EVENTS
        classes.append("bpmn-throw" if throw else "bpmn-catch")
        if self.is_non_interrupting(element):
            classes.append("bpmn-non-interrupting")
        body = _circle(cx, cy, r)
        if tag not in ("startEvent", "endEvent"):
            body += _circle(cx, cy, max(r - 3, 1), "bpmn-inner")
        kind = self.event_kind(element)
        icon = icons.event_icon(kind, throw) if kind else None
        if icon:
            classes.append(f"bpmn-event-{kind}")
            body += _icon(icon, f"bpmn-icon-{kind}",
                          f"translate({_n(cx)},{_n(cy)}) scale({_n(r / 18)})")
        return body + self.label(di, element.get("name", ""), self.below(bounds))

    @staticmethod
    def event_position(tag: str) -> str:
        if tag == "startEvent":
            return "bpmn-event-start"
        if tag == "endEvent":
            return "bpmn-event-end"
        return "bpmn-event-intermediate"

    @staticmethod
    def is_non_interrupting(element) -> bool:
        tag = local(element.tag)
        if tag == "boundaryEvent":
            return element.get("cancelActivity") == "false"
        return tag == "startEvent" and element.get("isInterrupting") == "false"

    def event_kind(self, element) -> str:
        """Name the event's trigger: one definition kind, multiple, or "" for none."""
        kinds = []
        for child in element:
            name = local(child.tag)
            if name == "eventDefinitionRef":
                target = self.elements.get(reference(child.text))
                name = local(target.tag) if target is not None else ""
            if name.endswith("EventDefinition"):
                kinds.append(name[: -len("EventDefinition")])
        if len(kinds) > 1:
            return "parallelMultiple" if element.get("parallelMultiple") == "true" else "multiple"
        return kinds[0] if kinds else ""

    def gateway(self, di, element, bounds, classes) -> str:
        x, y, width, height = bounds
        cx, cy = x + width / 2, y + height / 2
        body = _path(
            f"M{_n(cx)},{_n(y)} L{_n(x + width)},{_n(cy)} L{_n(cx)},{_n(y + height)} "
            f"L{_n(x)},{_n(cy)} Z", "bpmn-outline")
        marker = self.gateway_marker(di, element)
        if marker:
            classes.append(f"bpmn-gateway-{marker}")
            scale = min(width, height) / 50
            body += _icon(icons.GATEWAY_MARKERS[marker], f"bpmn-marker-{marker}",
                          f"translate({_n(cx)},{_n(cy)}) scale({_n(scale)})")
        return body + self.label(di, element.get("name", ""), self.below(bounds))

    @staticmethod
    def gateway_marker(di, element) -> str:
        """Pick the gateway's marker; an exclusive one shows its X unless DI hides it."""
        tag = local(element.tag)
        if tag == "exclusiveGateway":
            return "" if di.get("isMarkerVisible") == "false" else "exclusive"
        if tag == "eventBasedGateway" and element.get("instantiate") == "true":
            if element.get("eventGatewayType") == "Parallel":
                return "eventBasedParallelStart"
            return "eventBasedStart"
        return tag[: -len("Gateway")]

    def data_object(self, di, element, bounds, classes) -> str:
        x, y, width, height = bounds
        fold = min(width, height) * 0.3
        body = _path(
            f"M{_n(x)},{_n(y)} H{_n(x + width - fold)} L{_n(x + width)},{_n(y + fold)} "
            f"V{_n(y + height)} H{_n(x)} Z", "bpmn-outline")
        body += _path(f"M{_n(x + width - fold)},{_n(y)} V{_n(y + fold)} H{_n(x + width)}",
                      "bpmn-inner")
        tag = local(element.tag)
        if tag in ("dataInput", "dataOutput"):
            kind = tag[4:].lower()
            classes.append(f"bpmn-data-{kind}")
            body += _icon(icons.DATA_MARKERS[kind], f"bpmn-marker-{kind}",
                          f"translate({_n(x + 9)},{_n(y + 9)})")
        if self.is_collection(element):
            classes.append("bpmn-collection")
            body += _icon(icons.DATA_MARKERS["collection"], "bpmn-marker-collection",
                          f"translate({_n(x + width / 2)},{_n(y + height - 9)})")
        return body + self.label(di, self.data_name(element), self.below(bounds))

    def is_collection(self, element) -> bool:
        """Tell whether the data is a collection, as said here or on the object referred to."""
        target = self.elements.get(reference(element.get("dataObjectRef")))
        flagged = [element] if target is None else [element, target]
        return any(item.get("isCollection") == "true" for item in flagged)

    @staticmethod
    def data_name(element) -> str:
        name = element.get("name", "")
        for child in element:
            if local(child.tag) == "dataState" and child.get("name"):
                return f"{name}\n[{child.get('name')}]"
        return name

    def data_store(self, di, element, bounds, classes) -> str:
        x, y, width, height = bounds
        rx, ry = width / 2, min(height / 8, 8)
        arc = f"a{_n(rx)},{_n(ry)} 0 0,0 {_n(width)},0"
        body = _path(
            f"M{_n(x)},{_n(y + ry)} {arc} a{_n(rx)},{_n(ry)} 0 0,0 {_n(-width)},0 "
            f"V{_n(y + height - ry)} {arc} V{_n(y + ry)}", "bpmn-outline")
        body += _path(
            f"M{_n(x)},{_n(y + 2 * ry)} {arc} M{_n(x)},{_n(y + 3 * ry)} {arc}", "bpmn-inner")
        return body + self.label(di, element.get("name", ""), self.below(bounds))

    def annotation(self, di, element, bounds, classes) -> str:
        x, y, width, height = bounds
        body = _path(
            f"M{_n(x + 10)},{_n(y)} H{_n(x)} V{_n(y + height)} H{_n(x + 10)}", "bpmn-outline")
        text = "".join(child.text or "" for child in element if local(child.tag) == "text")
        return body + self.text(text, (x + 5, y + 5, width - 10, height - 10), "start", "top")

    def group_box(self, di, element, bounds, classes) -> str:
        x, y, width, height = bounds
        body = _rect(x, y, width, height, radius=10)
        value = self.elements.get(reference(element.get("categoryValueRef")))
        name = value.get("value", "") if value is not None else element.get("name", "")
        return body + self.label(di, name, (x + 10, y + 6, width - 20, LINE_HEIGHT * 2))

    def unknown(self, di, element, bounds, classes) -> str:
        classes.append("bpmn-unknown")
        name = element.get("name", "") if element is not None else ""
        x, y, width, height = bounds
        return _rect(*bounds) + self.text(name, (x + 5, y + 5, width - 10, height - 10))

    # Edges

    def edge(self, di) -> str:
        """Draw one DI edge as its line, end markers and name."""
        element = self.element(di)
        tag = local(element.tag) if element is not None else ""
        classes = ["djs-element", "djs-connection", f"bpmn-{tag or 'unknown'}"]
        points = _waypoints(di)
        if len(points) < 2:
            return self.group(di, classes, "")
        for point in points:
            self.extent.add(*point)
        body = _path(_polyline(points), "bpmn-line")
        body += self.edge_ends(tag, element, points, classes)
        if element is not None and element.get("name", "").strip():
            body += self.label(di, element.get("name"), self.beside(points))
        return self.group(di, classes, body)

    def edge_ends(self, tag: str, element, points, classes) -> str:
        if tag == "sequenceFlow":
            return _arrow(points[-2], points[-1], "bpmn-arrow") + self.flow_start(
                element, points, classes)
        if tag == "messageFlow":
            return (_circle(*points[0], 4.5, "bpmn-arrow-hollow")
                    + _arrow(points[-2], points[-1], "bpmn-arrow-hollow"))
        if tag in ("dataInputAssociation", "dataOutputAssociation"):
            return _open_arrow(points[-2], points[-1])
        if tag == "association":
            direction = element.get("associationDirection")
            ends = _open_arrow(points[-2], points[-1]) if direction in ("One", "Both") else ""
            return ends + (_open_arrow(points[1], points[0]) if direction == "Both" else "")
        return ""

    def flow_start(self, element, points, classes) -> str:
        """Mark a default flow with a slash and a conditional flow out of a task with a diamond."""
        if element.get("id") in self.defaults:
            classes.append("bpmn-default-flow")
            return _slash(points[0], points[1])
        source = self.elements.get(reference(element.get("sourceRef")))
        has_condition = any(local(child.tag) == "conditionExpression" for child in element)
        if has_condition:
            classes.append("bpmn-conditional-flow")
            if source is not None and local(source.tag) in ACTIVITIES:
                return _diamond(points[0], points[1])
        return ""

    @staticmethod
    def beside(points) -> tuple[float, float, float, float]:
        """Return a box near the middle of a line, where a flow's name goes by default."""
        lengths = [math.dist(a, b) for a, b in zip(points, points[1:])]
        remaining = sum(lengths) / 2
        for (a, b), length in zip(zip(points, points[1:]), lengths):
            if remaining <= length and length:
                t = remaining / length
                x, y = a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t
                return x - 45, y + 4, 90, LINE_HEIGHT * 2
            remaining -= length
        return points[0][0] - 45, points[0][1] + 4, 90, LINE_HEIGHT * 2


def _direction(start, end) -> tuple[float, float]:
    length = math.dist(start, end)
    if not length:
        return 1.0, 0.0
    return (end[0] - start[0]) / length, (end[1] - start[1]) / length


def _arrow(before, tip, css: str) -> str:
    """Draw a closed arrowhead at tip pointing away from before."""
    ux, uy = _direction(before, tip)
    bx, by = tip[0] - 11 * ux, tip[1] - 11 * uy
    return _path(
        f"M{_n(tip[0])},{_n(tip[1])} L{_n(bx - 3.5 * uy)},{_n(by + 3.5 * ux)} "
        f"L{_n(bx + 3.5 * uy)},{_n(by - 3.5 * ux)} Z", css)


def _open_arrow(before, tip) -> str:
    """Draw a line arrowhead (two strokes) at tip, as associations use."""
    ux, uy = _direction(before, tip)
    bx, by = tip[0] - 10 * ux, tip[1] - 10 * uy
    return _path(
        f"M{_n(bx - 5 * uy)},{_n(by + 5 * ux)} L{_n(tip[0])},{_n(tip[1])} "
        f"L{_n(bx + 5 * uy)},{_n(by - 5 * ux)}", "bpmn-arrow-open")


def _slash(start, after) -> str:
    ux, uy = _direction(start, after)
    cx, cy = start[0] + 11 * ux, start[1] + 11 * uy
    dx, dy = 5 * (ux - uy), 5 * (uy + ux)
    return _path(f"M{_n(cx - dx)},{_n(cy - dy)} L{_n(cx + dx)},{_n(cy + dy)}",
                 "bpmn-arrow-open bpmn-marker-default")


def _diamond(start, after) -> str:
    ux, uy = _direction(start, after)
    (sx, sy), (mx, my) = start, (start[0] + 8 * ux, start[1] + 8 * uy)
    return _path(
        f"M{_n(sx)},{_n(sy)} L{_n(mx - 5 * uy)},{_n(my + 5 * ux)} "
        f"L{_n(sx + 16 * ux)},{_n(sy + 16 * uy)} L{_n(mx + 5 * uy)},{_n(my - 5 * ux)} Z",
        "bpmn-arrow-hollow bpmn-marker-conditional")
