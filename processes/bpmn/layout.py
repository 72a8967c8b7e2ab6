"""Lay out BPMN models that come without diagram interchange (BPMNDI).

Flow nodes go into columns by their longest path from the start events over sequence
flows (a flow that jumps back closes a loop and is left out of that count), are stacked
within each column and joined by right-angle edges. A flow that spans several columns
gets a placeholder in each column it crosses, so it keeps a free track instead of
running through shapes. Sub-processes are laid out recursively and drawn open; a
collaboration gets one pool per participant, and lanes become horizontal bands.
"""

import copy
import re
from collections import defaultdict, deque
from dataclasses import dataclass, field

from lxml import etree

from .render import (
    ACTIVITIES, BOUNDS, BPMN, BPMNDI, CONTAINERS, DC, DI, EDGE, EVENTS, GATEWAYS, LABEL,
    LINE_HEIGHT, SHAPE, WAYPOINT, local, reference, text_width, wrap,
)

TASK_SIZE = (100, 80)
EVENT_SIZE = (36, 36)
GATEWAY_SIZE = (50, 50)
ARTIFACT_SIZES = {
    "dataObjectReference": (36, 50),
    "dataStoreReference": (50, 50),
    "textAnnotation": (100, 30),
}
GAP_X = 50            # between columns
SPACE_Y = 20          # above and below a stacked node
TRACK_SPACE = 8       # above and below a flow passing through a column
NAME_SPACE = 35       # under an event, gateway or data shape, for its name
BOUNDARY_SPACE = 50   # under a task carrying boundary events
BOUNDARY_DROP = 30    # under a task, where flows from its boundary events turn
LOOP_SPACE = 14       # between flows that loop back under the content
PAD = 30              # inside pools, lanes and sub-processes
HEADER = 30           # name band of an open sub-process
BAND = 30             # name band of a pool or lane
POOL_GAP = 60         # between pools, where message flows run
MIN_LANE = 120
ORIGIN = (60.0, 60.0)

FLOW_NODES = ACTIVITIES | EVENTS | GATEWAYS

Box = tuple[float, float, float, float]
Point = tuple[float, float]


def layout(tree):
    """Return a copy of the document with a diagram for each part that lacks a full one.

    A collaboration, or a process outside any collaboration, keeps its diagram when each
    of its flow nodes and sequence flows is drawn somewhere (a pool or message flow left
    out by the modelling tool is not worth losing a hand-made layout for). Otherwise its
    diagram is replaced by a generated one, since placed and generated shapes would overlap.
    """
    result = copy.deepcopy(tree)
    root = result.getroot() if hasattr(result, "getroot") else result
    index = {el.get("id"): el for el in root.iter(f"{{{BPMN}}}*") if el.get("id")}
    shown = {reference(di.get("bpmnElement")) for di in root.iter(SHAPE, EDGE)}
    for subject in _subjects(root):
        if _needed(subject, index) <= shown:
            continue
        for diagram in _diagrams_of(root, subject):
            diagram.getparent().remove(diagram)
        drawing = _draw_subject(subject, index)
        _insert_diagram(root, subject, drawing)
    return result


def _subjects(root) -> list:
    """List what gets a diagram: each collaboration, then each process outside them."""
    collaborations = list(root.iterchildren(f"{{{BPMN}}}collaboration"))
    in_pools = {
        reference(p.get("processRef"))
        for collaboration in collaborations for p in collaboration if _tag(p) == "participant"
    }
    processes = [
        el for el in root.iterchildren(f"{{{BPMN}}}process") if el.get("id") not in in_pools
    ]
    return collaborations + processes


def _tag(element) -> str:
    return local(element.tag)


def _needed(subject, index) -> set[str]:
    """Collect the ids a complete diagram of the subject must draw."""
    if _tag(subject) != "collaboration":
        return _process_ids(subject)
    ids = set()
    for participant in subject:
        process = index.get(reference(participant.get("processRef")))
        if _tag(participant) == "participant" and process is not None:
            ids |= _process_ids(process)
    return ids


def _process_ids(process) -> set[str]:
    return {
        child.get("id") for child in process
        if _tag(child) in FLOW_NODES or _tag(child) == "sequenceFlow"
    }


def _diagrams_of(root, subject) -> list:
    """Find the diagrams whose plane shows the subject or one of its processes."""
    owned = {subject.get("id")}
    if _tag(subject) == "collaboration":
        owned |= {reference(p.get("processRef")) for p in subject if _tag(p) == "participant"}
    return [
        diagram for diagram in root.iter(f"{{{BPMNDI}}}BPMNDiagram")
        if any(reference(plane.get("bpmnElement")) in owned
               for plane in diagram.iter(f"{{{BPMNDI}}}BPMNPlane"))
    ]


@dataclass
class _Drawing:
    """Shapes and edges placed so far, in drawing order, with their extent."""

    shapes: list = field(default_factory=list)   # (element, box, DI attributes)
    edges: list = field(default_factory=list)    # (element, waypoints)
    width: float = 0.0
    height: float = 0.0
    bands: list = field(default_factory=list)    # (top, height) of each leaf lane
    labels: dict = field(default_factory=dict)   # element id -> label box

    def boxes(self) -> dict[str, Box]:
        return {element.get("id"): box for element, box, _ in self.shapes}

    def extend(self, other: "_Drawing", dx: float, dy: float) -> None:
        """Add another drawing's shapes and edges, moved by (dx, dy)."""
        for element, (x, y, w, h), attrs in other.shapes:
            self.shapes.append((element, (x + dx, y + dy, w, h), attrs))
        for element, points in other.edges:
            self.edges.append((element, [(x + dx, y + dy) for x, y in points]))
        for element_id, (x, y, w, h) in other.labels.items():
            self.labels[element_id] = (x + dx, y + dy, w, h)


# Processes and sub-processes


class _Scope:
    """Lay out the flow elements directly inside one process or sub-process."""

    def __init__(self, container, index, lanes=()):
        self.index = index
        self.nodes: dict[str, object] = {}
        self.boundaries: dict[str, list] = defaultdict(list)
        self.host_of: dict[str, str] = {}
        self.event_subprocesses, self.artifacts, self.links = [], [], []
        self.flows = []
        self.lanes = list(lanes)
        self.sort(container)
        self.inner = {node_id: _open(el, index) for node_id, el in self.nodes.items()}
        self.inner.update({el.get("id"): _open(el, index) for el in self.event_subprocesses})

    def sort(self, container) -> None:
        """Put each child where the layout wants it: node, boundary, flow or artifact."""
        pending_boundaries, pending_flows = [], []
        for child in container:
            tag = _tag(child)
            if tag == "boundaryEvent":
                pending_boundaries.append(child)
            elif tag in FLOW_NODES and child.get("triggeredByEvent") == "true":
                self.event_subprocesses.append(child)
            elif tag in FLOW_NODES and child.get("id"):
                self.nodes[child.get("id")] = child
            elif tag == "sequenceFlow":
                pending_flows.append(child)
            elif tag in ARTIFACT_SIZES and child.get("id"):
                self.artifacts.append(child)
            elif tag == "association":
                self.links.append(child)
        for event in pending_boundaries:
            host = reference(event.get("attachedToRef"))
            if host in self.nodes and event.get("id"):
                self.boundaries[host].append(event)
                self.host_of[event.get("id")] = host
            elif event.get("id"):
                self.nodes[event.get("id")] = event
        for flow in pending_flows:
            source, target = reference(flow.get("sourceRef")), reference(flow.get("targetRef"))
            if (source in self.nodes or source in self.host_of) and target in self.nodes:
                self.flows.append((flow, source, target))

    def size(self, node_id: str) -> tuple[float, float]:
        return self.size_of(self.nodes[node_id])

    def size_of(self, element) -> tuple[float, float]:
        """Return a node's width and height; an open sub-process fits its content."""
        inner = self.inner.get(element.get("id"))
        if inner is not None:
            return (max(inner.width + 2 * PAD, TASK_SIZE[0]),
                    max(inner.height + HEADER + PAD, TASK_SIZE[1]))
        if _tag(element) in EVENTS:
            return EVENT_SIZE
        if _tag(element) in GATEWAYS:
            return GATEWAY_SIZE
        return TASK_SIZE

    def space_below(self, node_id: str) -> float:
        element = self.nodes[node_id]
        below = SPACE_Y
        if self.boundaries.get(node_id):
            below += BOUNDARY_SPACE
        elif _tag(element) in EVENTS | GATEWAYS and element.get("name"):
            below += NAME_SPACE
        return below

    def draw(self) -> _Drawing:
        """Place every node, boundary event, flow and artifact of the scope."""
        graph = _Graph(self)
        groups = self.groups()
        placed = _Placement(self, graph, groups)
        drawing = _Drawing()
        for node_id in graph.real_order():
            self.add_node(drawing, node_id, placed.boxes[node_id])
        for number, (flow, source, target) in enumerate(self.flows):
            drawing.edges.append((flow, placed.route(number, source, target)))
        placed.add_artifacts(drawing)
        placed.add_event_subprocesses(drawing)
        drawing.width, drawing.height = placed.width, placed.height
        drawing.bands = placed.bands
        return drawing

    def groups(self) -> dict[str, int]:
        """Assign each node the band (leaf lane) it sits in; 0 when there are no lanes."""
        group = {}
        for number, lane in enumerate(self.lanes):
            for ref in lane.iter(f"{{{BPMN}}}flowNodeRef"):
                group.setdefault((ref.text or "").strip(), number)
        return {node_id: group.get(node_id, 0) for node_id in self.nodes}

    def add_node(self, drawing: _Drawing, node_id: str, box: Box) -> None:
        element = self.nodes[node_id]
        inner = self.inner.get(node_id)
        drawing.shapes.append((element, box, _shape_attributes(element, inner is not None)))
        if inner is not None:
            drawing.extend(inner, box[0] + PAD, box[1] + HEADER)
        events = self.boundaries.get(node_id, [])
        x, y, w, h = box
        for number, event in enumerate(events):
            cx = x + w * (number + 1) / (len(events) + 1)
            drawing.shapes.append((event, (cx - 18, y + h - 18, 36, 36), {}))
            if event.get("name", "").strip():
                drawing.labels[event.get("id")] = _side_label(event.get("name"), cx + 20, y + h + 4)


def _side_label(name: str, x: float, y: float) -> Box:
    """Size a name put beside a boundary event, clear of the flow leaving its bottom."""
    lines = wrap(name, 90)
    return x, y, max(text_width(line) for line in lines), LINE_HEIGHT * len(lines)


def _open(element, index) -> _Drawing | None:
    """Lay out a sub-process's content, or return None when it has none to show."""
    if _tag(element) not in CONTAINERS - {"callActivity"}:
        return None
    if not any(_tag(child) in FLOW_NODES for child in element):
        return None
    return _Scope(element, index).draw()


def _shape_attributes(element, expanded: bool) -> dict[str, str]:
    tag = _tag(element)
    if expanded:
        return {"isExpanded": "true"}
    if tag == "exclusiveGateway":
        return {"isMarkerVisible": "true"}
    return {}


class _Graph:
    """The layering of a scope: columns, back edges and placeholders for long flows."""

    def __init__(self, scope: _Scope):
        self.scope = scope
        self.edges = []      # (from, to, flow number, leaves from a boundary event)
        for number, (_, source, target) in enumerate(scope.flows):
            host = scope.host_of.get(source)
            self.edges.append((host or source, target, number, host is not None))
        self.dfs_order, self.back = self.find_back_edges()
        self.layer = self.longest_paths()
        self.chains = self.add_placeholders()
        self.columns = self.order_columns()

    def find_back_edges(self) -> tuple[list[str], set[int]]:
        """Walk depth-first from the start events; an edge to a node on the path loops back."""
        succ = defaultdict(list)
        for source, target, number, _ in self.edges:
            succ[source].append((target, number))
        nodes = self.scope.nodes
        has_incoming = {target for _, target, _, _ in self.edges}
        starts = [n for n, el in nodes.items() if _tag(el) == "startEvent"]
        roots = starts + [n for n in nodes if n not in has_incoming] + list(nodes)
        state, order, back = {}, [], set()
        for root in roots:
            if root in state:
                continue
            state[root] = "open"
            order.append(root)
            stack = [(root, iter(succ[root]))]
            while stack:
                node, successors = stack[-1]
                for target, number in successors:
                    if state.get(target) == "open":
                        back.add(number)
                    elif target not in state:
                        state[target] = "open"
                        order.append(target)
                        stack.append((target, iter(succ[target])))
                        break
                else:
                    state[node] = "done"
                    stack.pop()
        return order, back

    def forward(self):
        return [edge for edge in self.edges if edge[2] not in self.back]

    def longest_paths(self) -> dict[str, int]:
        succ, indegree = defaultdict(list), defaultdict(int)
        for source, target, _, _ in self.forward():
            succ[source].append(target)
            indegree[target] += 1
        layer = {node: 0 for node in self.dfs_order}
        ready = deque(node for node in self.dfs_order if not indegree[node])
        while ready:
            node = ready.popleft()
            for target in succ[node]:
                layer[target] = max(layer[target], layer[node] + 1)
                indegree[target] -= 1
                if not indegree[target]:
                    ready.append(target)
        return layer

    def add_placeholders(self) -> dict[int, list[str]]:
        """Give each forward flow its chain of nodes, one per column, placeholders between."""
        self.preds = defaultdict(list)   # node -> [(pred, leaves from a boundary event)]
        chains = {}
        for source, target, number, from_boundary in self.forward():
            chain = [source]
            for column in range(self.layer[source] + 1, self.layer[target]):
                placeholder = f"\0{number}:{column}"
                self.layer[placeholder] = column
                chain.append(placeholder)
            chain.append(target)
            for before, after in zip(chain, chain[1:]):
                self.preds[after].append((before, from_boundary and before == source))
            chains[number] = chain
        return chains

    def order_columns(self) -> list[list[str]]:
        """Order each column by the mean position of its neighbours, a few sweeps each way."""
        count = max(self.layer.values(), default=-1) + 1
        columns = [[] for _ in range(count)]
        rank = {node: i for i, node in enumerate(self.dfs_order)}
        for node in sorted(self.layer, key=lambda n: (rank.get(n, len(rank)), n)):
            columns[self.layer[node]].append(node)
        succs = defaultdict(list)
        for node, preds in self.preds.items():
            for pred, _ in preds:
                succs[pred].append(node)
        for _ in range(2):
            self.sweep(columns, range(1, count), lambda n: [p for p, _ in self.preds[n]])
            self.sweep(columns, range(count - 2, -1, -1), lambda n: succs[n])
        self.sweep(columns, range(1, count), lambda n: [p for p, _ in self.preds[n]])
        return columns

    @staticmethod
    def sweep(columns, steps, neighbours) -> None:
        position = {n: i for column in columns for i, n in enumerate(column)}
        for step in steps:
            keys = {}
            for own, node in enumerate(columns[step]):
                near = [position[n] for n in neighbours(node) if n in position]
                keys[node] = sum(near) / len(near) if near else own
            columns[step].sort(key=keys.__getitem__)
            position.update({n: i for i, n in enumerate(columns[step])})

    def real_order(self) -> list[str]:
        return [node for column in self.columns for node in column if node in self.scope.nodes]


class _Placement:
    """Give every node of a scope its box and every flow its waypoints."""

    def __init__(self, scope: _Scope, graph: _Graph, groups: dict[str, int]):
        self.scope, self.graph = scope, graph
        self.group = dict(groups)
        for number, chain in graph.chains.items():
            for placeholder in chain[1:-1]:
                self.group[placeholder] = groups[chain[0]]
        self.group_count = max(len(scope.lanes), 1)
        self.sizes = {n: scope.size(n) for n in scope.nodes}
        self.links = self.artifact_links()
        self.anchor = {}
        for _, artifact_id, node_id, _ in self.links:
            self.anchor.setdefault(artifact_id, node_id)
        self.place_columns()
        self.centre_y = self.place_groups()
        self.boxes = {
            n: (self.column_x[graph.layer[n]] + (self.column_width[graph.layer[n]] - w) / 2,
                self.centre_y[n] - h / 2, w, h)
            for n, (w, h) in self.sizes.items()
        }

    def place_columns(self) -> None:
        self.column_width, self.column_x = [], []
        x = 0.0
        for column in self.graph.columns:
            width = max((self.sizes[n][0] for n in column if n in self.sizes), default=0)
            self.column_x.append(x)
            self.column_width.append(width)
            x += width + GAP_X
        self.content_width = max(x - GAP_X, 0)

    def place_groups(self) -> dict[str, float]:
        """Stack the bands; each holds its nodes, then its loops and artifacts underneath."""
        centre, self.bands = {}, []
        self.loop_y, self.artifact_row, self.event_row = {}, {}, 0.0
        inset = PAD if self.scope.lanes else 0
        top = 0.0
        for group in range(self.group_count):
            local_centres, bottom = self.stack_group(group)
            centre.update({n: top + inset + c for n, c in local_centres.items()})
            height = self.reserve_rows(group, top + inset, bottom) + 2 * inset
            if self.scope.lanes:
                height = max(height, MIN_LANE)
            self.bands.append((top, height))
            top += height
        self.width, self.height = self.content_width, top
        return centre

    def reserve_rows(self, group: int, inner_top: float, bottom: float) -> float:
        """Make room under a band's nodes for its loops, its artifacts and, in the last
        band, the event sub-processes; return the band's new content height."""
        loops = [n for n in sorted(self.graph.back) if self.group_of_flow(n) == group]
        for k, number in enumerate(loops):
            self.loop_y[number] = inner_top + bottom + LOOP_SPACE * (k + 1)
        if loops:
            bottom += LOOP_SPACE * (len(loops) + 1)
        self.artifact_row[group] = inner_top + bottom + SPACE_Y
        bottom += self.artifact_height(group)
        if group == self.group_count - 1 and self.scope.event_subprocesses:
            self.event_row = inner_top + bottom + SPACE_Y
            bottom += SPACE_Y + self.event_subprocess_height()
        return bottom

    def group_of_flow(self, number: int) -> int:
        _, source, _ = self.scope.flows[number]
        return self.group[self.scope.host_of.get(source, source)]

    def stack_group(self, group: int) -> tuple[dict[str, float], float]:
        """Place the group's nodes column by column, each near its predecessors."""
        centre = {}
        for column in self.graph.columns:
            items = [n for n in column if self.group[n] == group]
            centre.update(self.stack_column(items, centre))
        if not centre:
            return {}, 0.0
        tops = [centre[n] - self.height_of(n) / 2 - self.space_above(n) for n in centre]
        bottoms = [centre[n] + self.height_of(n) / 2 + self.space_below(n) for n in centre]
        shift = -min(tops)
        return {n: c + shift for n, c in centre.items()}, max(bottoms) + shift

    def stack_column(self, items: list[str], placed: dict[str, float]) -> dict[str, float]:
        """Stack one column's nodes in order, then move the stack toward where they want to be."""
        centres, wanted, cursor = {}, {}, None
        for node in items:
            height = self.height_of(node)
            want = self.wanted_centre(node, placed)
            lowest = cursor + self.space_above(node) if cursor is not None else None
            if want is None:
                top = lowest or 0.0
            else:
                wanted[node] = want
                top = want - height / 2 if lowest is None else max(want - height / 2, lowest)
            centres[node] = top + height / 2
            cursor = top + height + self.space_below(node)
        if wanted:
            shift = sum(centres[n] - w for n, w in wanted.items()) / len(wanted)
            centres = {n: c - shift for n, c in centres.items()}
        return centres

    def wanted_centre(self, node: str, placed: dict[str, float]) -> float | None:
        """Return the mean height of the node's placed predecessors in the same band."""
        heights = []
        for pred, from_boundary in self.graph.preds.get(node, []):
            if pred in placed and self.group[pred] == self.group[node]:
                drop = self.height_of(pred) / 2 + BOUNDARY_DROP if from_boundary else 0
                heights.append(placed[pred] + drop)
        return sum(heights) / len(heights) if heights else None

    def height_of(self, node: str) -> float:
        return self.sizes[node][1] if node in self.sizes else 0.0

    def space_above(self, node: str) -> float:
        return SPACE_Y if node in self.sizes else TRACK_SPACE

    def space_below(self, node: str) -> float:
        return self.scope.space_below(node) if node in self.sizes else TRACK_SPACE

    # Flows

    def route(self, number: int, source: str, target: str) -> list[Point]:
        """Route a flow at right angles, turning only in the gaps between columns.

        A gateway sends a flow off its top or bottom corner, and takes one in there,
        when nothing stands in the way in its column.
        """
        if number in self.graph.back:
            return self.loop_back(number, source, target)
        chain = self.graph.chains[number]
        heights = [self.centre_y[n] for n in chain]
        boundary = self.boundary_box(source)
        if boundary is not None:
            points, height = self.leave_boundary(boundary, chain, heights[1])
        else:
            points, height = self.leave_node(source, heights[1])
        for step, node in enumerate(chain[1:-1], start=1):
            points += self.jog(node, height, heights[step])
            height = heights[step]
        x, y, w, h = self.boxes[target]
        corner_y = y if height < y + h / 2 else y + h
        if self.is_gateway(target) and abs(height - (y + h / 2)) >= h / 2 and \
                self.column_clear(target, height, corner_y):
            return _tidy(points + [(x + w / 2, height), (x + w / 2, corner_y)])
        return _tidy(points + self.jog(target, height, y + h / 2) + [(x, y + h / 2)])

    def jog(self, node: str, height: float, wanted: float) -> list[Point]:
        """Change height in the gap before the node's column, if the height must change."""
        if height == wanted:
            return []
        gap_x = self.column_x[self.graph.layer[node]] - GAP_X / 2
        return [(gap_x, height), (gap_x, wanted)]

    def leave_node(self, source: str, after: float) -> tuple[list[Point], float]:
        x, y, w, h = self.boxes[source]
        corner_y = y if after < y + h / 2 else y + h
        if self.is_gateway(source) and abs(after - (y + h / 2)) >= h / 2 and \
                self.column_clear(source, corner_y, after):
            return [(x + w / 2, corner_y), (x + w / 2, after)], after
        return [(x + w, y + h / 2)], y + h / 2

    def leave_boundary(self, box: Box, chain, after: float) -> tuple[list[Point], float]:
        """Leave a boundary event downward, turning under its host toward the next gap."""
        x, y, w, h = box
        host = chain[0]
        if after > y + h + 5 and self.column_clear(host, y + h, after):
            return [(x + w / 2, y + h), (x + w / 2, after)], after
        column = self.graph.layer[host]
        gap_x = self.column_x[column] + self.column_width[column] + GAP_X / 2
        turn = y + h / 2 + BOUNDARY_DROP
        return [(x + w / 2, y + h), (x + w / 2, turn), (gap_x, turn), (gap_x, after)], after

    def column_clear(self, node: str, y1: float, y2: float) -> bool:
        """Tell whether a vertical run between two heights misses the column's other shapes."""
        low, high = min(y1, y2), max(y1, y2)
        for other in self.graph.columns[self.graph.layer[node]]:
            if other != node and other in self.sizes:
                top = self.centre_y[other] - self.sizes[other][1] / 2
                if top < high and top + self.sizes[other][1] > low:
                    return False
        return True

    def loop_back(self, number: int, source: str, target: str) -> list[Point]:
        """Route a flow that jumps back along a track under the band's content.

        It drops from the bottom of a shape with nothing under it, else it runs down the
        gap beside the shape's column.
        """
        track = self.loop_y[number]
        x, y, w, h = self.boxes[target]
        if self.clear_below(target, track):
            entry = [(x + w / 2, track), (x + w / 2, y + h)]
        else:
            gap_x = self.column_x[self.graph.layer[target]] - GAP_X * 0.3
            entry = [(gap_x, track), (gap_x, y + h / 2), (x, y + h / 2)]
        boundary = self.boundary_box(source)
        x, y, w, h = boundary or self.boxes[source]
        if boundary is not None or self.clear_below(source, track):
            return _tidy([(x + w / 2, y + h), (x + w / 2, track)] + entry)
        column = self.graph.layer[source]
        gap_x = self.column_x[column] + self.column_width[column] + GAP_X * 0.3
        return _tidy([(x + w, y + h / 2), (gap_x, y + h / 2), (gap_x, track)] + entry)

    def clear_below(self, node: str, track: float) -> bool:
        """Tell whether a line can drop from the node's bottom to the loop track."""
        bottom = self.centre_y[node] + self.sizes[node][1] / 2
        return not self.scope.boundaries.get(node) and self.column_clear(node, bottom, track)

    def boundary_box(self, source: str) -> Box | None:
        host = self.scope.host_of.get(source)
        if host is None:
            return None
        events = self.scope.boundaries[host]
        number = next(i for i, e in enumerate(events) if e.get("id") == source)
        x, y, w, h = self.boxes[host]
        cx = x + w * (number + 1) / (len(events) + 1)
        return cx - 18, y + h - 18, 36, 36

    def is_gateway(self, node: str) -> bool:
        return node in self.scope.nodes and _tag(self.scope.nodes[node]) in GATEWAYS

    # Artifacts and event sub-processes

    def artifact_links(self) -> list[tuple[object, str, str, bool]]:
        """List (edge element, artifact id, node id, points at the node) for each link."""
        artifact_ids = {a.get("id") for a in self.scope.artifacts}
        links = []
        for node_id, element in self.scope.nodes.items():
            for child in element:
                kind = _tag(child)
                if kind == "dataInputAssociation":
                    refs = [r for r in child if _tag(r) == "sourceRef"]
                    links += [(child, (r.text or "").strip(), node_id, True) for r in refs[:1]]
                elif kind == "dataOutputAssociation":
                    refs = [r for r in child if _tag(r) == "targetRef"]
                    links += [(child, (r.text or "").strip(), node_id, False) for r in refs[:1]]
        for association in self.scope.links:
            source = reference(association.get("sourceRef"))
            target = reference(association.get("targetRef"))
            if target in artifact_ids and source in self.scope.nodes:
                links.append((association, target, source, False))
            elif source in artifact_ids and target in self.scope.nodes:
                links.append((association, source, target, True))
        return [link for link in links if link[1] in artifact_ids]

    def artifact_height(self, group: int) -> float:
        members = self.artifacts_in(group)
        if not members:
            return 0.0
        tallest = max(ARTIFACT_SIZES[_tag(a)][1] for a in members)
        return SPACE_Y + tallest + NAME_SPACE

    def artifacts_in(self, group: int) -> list:
        return [
            a for a in self.scope.artifacts
            if self.group.get(self.anchor.get(a.get("id")), 0) == group
        ]

    def add_artifacts(self, drawing: _Drawing) -> None:
        """Put data and annotations in a row under their band, below the shape they serve."""
        boxes = {}
        for group in range(self.group_count):
            boxes.update(self.artifact_row_boxes(group))
        for artifact in self.scope.artifacts:
            drawing.shapes.append((artifact, boxes[artifact.get("id")], {}))
        for element, artifact_id, node_id, towards_node in self.links:
            points = _link(boxes[artifact_id], self.boxes[node_id])
            drawing.edges.append((element, points if towards_node else points[::-1]))
        self.width = max([self.width] + [x + w for x, _, w, _ in boxes.values()])

    def artifact_row_boxes(self, group: int) -> dict[str, Box]:
        """Place the band's artifacts left to right, each as near its node as it can get."""
        anchored, loose = [], []
        for artifact in self.artifacts_in(group):
            w, h = ARTIFACT_SIZES[_tag(artifact)]
            node = self.anchor.get(artifact.get("id"))
            if node:
                anchored.append((self.boxes[node][0] + self.boxes[node][2] / 2,
                                 artifact.get("id"), w, h))
            else:
                loose.append((None, artifact.get("id"), w, h))
        boxes, right = {}, -SPACE_Y
        for centre, artifact_id, w, h in sorted(anchored) + loose:
            x = right + SPACE_Y if centre is None else max(centre - w / 2, right + SPACE_Y)
            boxes[artifact_id] = (x, self.artifact_row[group], w, h)
            right = x + w
        return boxes

    def event_subprocess_height(self) -> float:
        heights = [self.scope.size_of(el)[1] for el in self.scope.event_subprocesses]
        return max(heights, default=0.0)

    def add_event_subprocesses(self, drawing: _Drawing) -> None:
        """Line up event sub-processes under the content; no flow leads into them."""
        x = 0.0
        for element in self.scope.event_subprocesses:
            w, h = self.scope.size_of(element)
            inner = self.scope.inner.get(element.get("id"))
            drawing.shapes.append((element, (x, self.event_row, w, h),
                                   _shape_attributes(element, inner is not None)))
            if inner is not None:
                drawing.extend(inner, x + PAD, self.event_row + HEADER)
            x += w + GAP_X
        self.width = max(self.width, x - GAP_X)


def _link(artifact: Box, node: Box) -> list[Point]:
    """Join an artifact to a shape at right angles, between their facing sides."""
    ax, ay, aw, ah = artifact
    nx, ny, nw, nh = node
    acx, ncx = ax + aw / 2, nx + nw / 2
    if ny + nh <= ay or ay + ah <= ny:
        start_y, end_y = (ay, ny + nh) if ny + nh <= ay else (ay + ah, ny)
        if nx <= acx <= nx + nw:
            return [(acx, start_y), (acx, end_y)]
        middle = (start_y + end_y) / 2
        return [(acx, start_y), (acx, middle), (ncx, middle), (ncx, end_y)]
    y = (max(ay, ny) + min(ay + ah, ny + nh)) / 2
    if ncx >= acx:
        return [(ax + aw, y), (nx, y)]
    return [(ax, y), (nx + nw, y)]


def _tidy(points: list[Point]) -> list[Point]:
    """Drop repeated points and points in the middle of a straight run."""
    kept = []
    for point in points:
        point = (round(point[0], 1), round(point[1], 1))
        if kept and point == kept[-1]:
            continue
        if len(kept) >= 2 and _straight(kept[-2], kept[-1], point):
            kept[-1] = point
        else:
            kept.append(point)
    if len(kept) == 1:
        kept.append(kept[0])
    return kept


def _straight(a: Point, b: Point, c: Point) -> bool:
    return (a[0] == b[0] == c[0]) or (a[1] == b[1] == c[1])


# Pools, lanes and the diagram


class _Process:
    """Lay out a process with a margin around it; lanes become bands holding their nodes."""

    def __init__(self, process, index):
        self.lanes = _lane_tree(process)
        leaves = [lane for lane, _, is_leaf in self.lanes if is_leaf]
        self.content = _Scope(process, index, leaves).draw()
        levels = max((depth + 1 for _, depth, _ in self.lanes), default=0)
        self.left = BAND * levels + PAD
        self.width = self.left + self.content.width + PAD
        self.height = self.content.height + (0 if self.lanes else 2 * PAD)

    def drawing(self, width: float) -> _Drawing:
        """Draw the process stretched to the given width, lanes first."""
        drawing = _Drawing(width=width, height=self.height)
        bands = iter(self.content.bands)
        spans = []
        for lane, depth, is_leaf in self.lanes:
            spans.append((lane, depth, next(bands) if is_leaf else None))
        for lane, depth, top, height in _lane_boxes(spans):
            box = (BAND * depth, top, width - BAND * depth, height)
            drawing.shapes.append((lane, box, {"isHorizontal": "true"}))
        drawing.extend(self.content, self.left, 0 if self.lanes else PAD)
        return drawing


def _lane_tree(process) -> list[tuple[object, int, bool]]:
    """List the lanes depth first as (lane, depth, is a leaf)."""
    found = []

    def visit(lane_set, depth):
        for lane in lane_set:
            if _tag(lane) != "lane":
                continue
            children = [c for c in lane if _tag(c) == "childLaneSet"]
            has_lanes = any(_tag(sub) == "lane" for c in children for sub in c)
            found.append((lane, depth, not has_lanes))
            for child_set in children:
                visit(child_set, depth + 1)

    for lane_set in process:
        if _tag(lane_set) == "laneSet":
            visit(lane_set, 0)
    return found


def _lane_boxes(spans) -> list[tuple[object, int, float, float]]:
    """Give each lane the vertical span of the leaf lanes under it."""
    boxes = []
    for number, (lane, depth, band) in enumerate(spans):
        if band is not None:
            boxes.append((lane, depth, band[0], band[1]))
            continue
        leaves = []
        for other, other_depth, other_band in spans[number + 1:]:
            if other_depth <= depth:
                break
            if other_band is not None:
                leaves.append(other_band)
        if leaves:
            top = leaves[0][0]
            boxes.append((lane, depth, top, leaves[-1][0] + leaves[-1][1] - top))
    return boxes


def _draw_subject(subject, index) -> _Drawing:
    drawing = _Drawing()
    if _tag(subject) == "collaboration":
        _draw_collaboration(drawing, subject, index)
    else:
        process = _Process(subject, index)
        drawing.extend(process.drawing(process.width), *ORIGIN)
    return drawing


def _draw_collaboration(drawing: _Drawing, collaboration, index) -> None:
    """Stack one pool per participant, then join them with message flows.

    A process shown by several participants is drawn in the first pool only, since each
    element can have one shape in a diagram.
    """
    participants = [p for p in collaboration if _tag(p) == "participant" and p.get("id")]
    processes, seen = {}, set()
    for participant in participants:
        process = index.get(reference(participant.get("processRef")))
        if process is not None and _tag(process) == "process" and process not in seen:
            seen.add(process)
            processes[participant.get("id")] = _Process(process, index)
    width = BAND + max([p.width for p in processes.values()] + [400])
    x, y = ORIGIN
    pools = {}
    for participant in participants:
        process = processes.get(participant.get("id"))
        height = process.height if process is not None else 60
        box = (x, y, width, height)
        pools[participant.get("id")] = box
        drawing.shapes.append((participant, box, {"isHorizontal": "true"}))
        if process is not None:
            inner = process.drawing(width - BAND)
            drawing.extend(inner, x + BAND, y)
            for element, _, _ in inner.shapes:
                pools[element.get("id")] = box
        y += height + POOL_GAP
    _add_message_flows(drawing, collaboration, pools)
    _add_notes(drawing, collaboration, y)


def _add_message_flows(drawing: _Drawing, collaboration, pools: dict[str, Box]) -> None:
    boxes = drawing.boxes()
    flows = [f for f in collaboration if _tag(f) == "messageFlow" and f.get("id")]
    for number, flow in enumerate(flows):
        source = reference(flow.get("sourceRef"))
        target = reference(flow.get("targetRef"))
        if source in boxes and target in boxes:
            lane_offset = (number % 5 - 2) * 6
            points = _message_route(boxes[source], boxes[target], pools[source], lane_offset)
            drawing.edges.append((flow, points))


def _message_route(source: Box, target: Box, source_pool: Box, offset: float) -> list[Point]:
    """Leave the source's pool downward or upward, cross in the gap, enter the target."""
    sx, sy, sw, sh = source
    tx, ty, tw, th = target
    start_x = _clamp(tx + tw / 2, sx + 10, sx + sw - 10) if source == source_pool else sx + sw / 2
    end_x = _clamp(start_x, tx + 10, tx + tw - 10)
    if sy + sh / 2 <= ty + th / 2:
        start, end = (start_x, sy + sh), (end_x, ty)
        middle = source_pool[1] + source_pool[3] + POOL_GAP / 2 + offset
    else:
        start, end = (start_x, sy), (end_x, ty + th)
        middle = source_pool[1] - POOL_GAP / 2 + offset
    if start_x == end_x:
        return [start, end]
    return [start, (start_x, middle), (end_x, middle), end]


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(value, high))


def _add_notes(drawing: _Drawing, collaboration, top: float) -> None:
    """Put the collaboration's text annotations under the pools, below what they explain."""
    boxes = drawing.boxes()
    notes = [n for n in collaboration if _tag(n) == "textAnnotation" and n.get("id")]
    explained = {}
    for association in collaboration:
        if _tag(association) == "association" and association.get("id"):
            ends = reference(association.get("sourceRef")), reference(association.get("targetRef"))
            for note, other in (ends, ends[::-1]):
                if other in boxes:
                    explained.setdefault(note, (association, other, note == ends[0]))
    right = ORIGIN[0] - GAP_X
    for note in notes:
        w, h = ARTIFACT_SIZES["textAnnotation"]
        link = explained.get(note.get("id"))
        wanted = boxes[link[1]][0] if link else right + GAP_X
        box = (max(wanted, right + SPACE_Y), top, w, h)
        right = box[0] + w
        drawing.shapes.append((note, box, {}))
        if link:
            association, other, from_note = link
            points = _link(box, boxes[other])
            drawing.edges.append((association, points if from_note else points[::-1]))


def _insert_diagram(root, subject, drawing: _Drawing) -> None:
    """Write the drawing as a BPMNDiagram after the model's last root element."""
    taken = {el.get("id") for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
    subject_id = subject.get("id")
    diagram = etree.Element(f"{{{BPMNDI}}}BPMNDiagram", nsmap=_new_prefixes(root))
    diagram.set("id", _unique(f"BPMNDiagram_{subject_id}", taken))
    if subject.get("name"):
        diagram.set("name", subject.get("name"))
    plane = etree.SubElement(diagram, f"{{{BPMNDI}}}BPMNPlane")
    plane.set("id", _unique(f"BPMNPlane_{subject_id}", taken))
    plane.set("bpmnElement", subject_id)
    for element, (x, y, w, h), attributes in drawing.shapes:
        shape = _di_element(plane, SHAPE, element, taken)
        for name, value in attributes.items():
            shape.set(name, value)
        _add_bounds(shape, (x, y, w, h))
        if element.get("id") in drawing.labels:
            _add_bounds(etree.SubElement(shape, LABEL), drawing.labels[element.get("id")])
    for element, points in drawing.edges:
        if element.get("id"):
            edge = _di_element(plane, EDGE, element, taken)
            for x, y in points:
                etree.SubElement(edge, WAYPOINT, x=_text(x), y=_text(y))
    _place(root, diagram)


def _add_bounds(parent, box: Box) -> None:
    x, y, w, h = box
    etree.SubElement(parent, BOUNDS, x=_text(x), y=_text(y), width=_text(w), height=_text(h))


def _di_element(plane, tag: str, element, taken: set[str]):
    di = etree.SubElement(plane, tag)
    di.set("id", _unique(f"{element.get('id')}_di", taken))
    di.set("bpmnElement", element.get("id"))
    return di


def _new_prefixes(root) -> dict[str, str]:
    """Declare the DI namespaces on the new diagram unless the document already does."""
    declared = root.nsmap
    wanted = {"bpmndi": BPMNDI, "dc": DC, "di": DI}
    return {
        prefix: uri for prefix, uri in wanted.items()
        if uri not in declared.values() and prefix not in declared
    }


def _unique(wanted: str, taken: set[str]) -> str:
    """Make an id from wanted that is a valid XML name and not taken yet."""
    wanted = re.sub(r"[^\w.-]", "_", wanted)
    if not re.match(r"[^\W\d]", wanted):
        wanted = "_" + wanted
    candidate, number = wanted, 1
    while candidate in taken:
        number += 1
        candidate = f"{wanted}_{number}"
    taken.add(candidate)
    return candidate


def _text(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _place(root, diagram) -> None:
    """Insert the diagram after the last diagram or root element, indented like its siblings."""
    children = [child for child in root if isinstance(child.tag, str)]
    before = [c for c in children if _tag(c) != "relationship"]
    position = root.index(before[-1]) + 1 if before else len(root)
    unit = (root.text or "\n  ").strip("\r\n") or "  "
    etree.indent(diagram, space=unit, level=1)
    root.insert(position, diagram)
    previous = diagram.getprevious()
    if previous is None:
        diagram.tail, root.text = root.text, "\n" + unit
    else:
        diagram.tail, previous.tail = previous.tail, "\n" + unit
