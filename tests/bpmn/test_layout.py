from collections import Counter
from itertools import combinations
from pathlib import Path

import pytest
from lxml import etree

from processes.bpmn.layout import layout
from processes.bpmn.render import render_svg

ROOT = Path(__file__).resolve().parents[2]
MIWG = ROOT / "tests" / "conformance" / "miwg"
XSD = ROOT / "frontend" / "node_modules" / "bpmn-moddle" / "resources" / "bpmn" / "xsd"
MIWG_MODELS = sorted(MIWG.glob("reference/*.bpmn")) + sorted(MIWG.glob("bpmn-js-exports/*.bpmn"))
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
BPMNDI = "{http://www.omg.org/spec/BPMN/20100524/DI}"
DC = "{http://www.omg.org/spec/DD/20100524/DC}"
DI = "{http://www.omg.org/spec/DD/20100524/DI}"
SVG = "{http://www.w3.org/2000/svg}"
FLOW_NODES = {
    "task", "userTask", "serviceTask", "sendTask", "receiveTask", "subProcess", "callActivity",
    "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent",
    "exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway",
}
ARTIFACTS = {"dataObjectReference", "dataStoreReference", "textAnnotation"}


def doc(body: str) -> bytes:
    return (
        '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="defs" '
        f'targetNamespace="http://example.com/test">{body}</definitions>'
    ).encode()


def flows(*pairs: str) -> str:
    return "".join(
        f'<sequenceFlow id="f{n}" sourceRef="{a}" targetRef="{b}"/>'
        for n, (a, b) in enumerate(pair.split(">") for pair in pairs)
    )


SEQUENCE = doc(
    '<process id="p"><startEvent id="s"/><task id="a" name="A"/><userTask id="b"/>'
    '<endEvent id="e"/>' + flows("s>a", "a>b", "b>e") + "</process>"
)
XOR = doc(
    '<process id="p"><startEvent id="s"/><exclusiveGateway id="split" default="f2"/>'
    '<task id="a"/><task id="b"/><task id="c"/><exclusiveGateway id="join"/><endEvent id="e"/>'
    + flows("s>split", "split>a", "split>b", "split>c", "a>join", "b>join", "c>join", "join>e")
    + "</process>"
)
PARALLEL = doc(
    '<process id="p"><startEvent id="s"/><parallelGateway id="fork"/><serviceTask id="a"/>'
    '<task id="b"/><task id="b2"/><parallelGateway id="join"/><endEvent id="e"/>'
    + flows("s>fork", "fork>a", "fork>b", "b>b2", "a>join", "b2>join", "join>e")
    + "</process>"
)
SUBPROCESS = doc(
    '<process id="p"><startEvent id="s"/>'
    '<subProcess id="sub" name="Handle order"><startEvent id="ss"/><task id="pick"/>'
    '<subProcess id="inner"><startEvent id="is"/><endEvent id="ie"/>'
    '<sequenceFlow id="if" sourceRef="is" targetRef="ie"/></subProcess><endEvent id="se"/>'
    '<sequenceFlow id="sf1" sourceRef="ss" targetRef="pick"/>'
    '<sequenceFlow id="sf2" sourceRef="pick" targetRef="inner"/>'
    '<sequenceFlow id="sf3" sourceRef="inner" targetRef="se"/></subProcess>'
    '<boundaryEvent id="late" name="Too late" attachedToRef="sub" cancelActivity="false">'
    "<timerEventDefinition/></boundaryEvent>"
    '<boundaryEvent id="err" attachedToRef="sub"><errorEventDefinition/></boundaryEvent>'
    '<task id="ship"/><task id="remind"/><endEvent id="e"/><endEvent id="e2"/><endEvent id="e3"/>'
    + flows("s>sub", "sub>ship", "ship>e", "late>remind", "remind>e2", "err>e3")
    + "</process>"
)
COLLABORATION = doc(
    '<collaboration id="c"><participant id="customer" name="Customer" processRef="p1"/>'
    '<participant id="shop" name="Shop" processRef="p2"/>'
    '<participant id="bank" name="Bank"/>'
    '<messageFlow id="m1" sourceRef="send" targetRef="recv"/>'
    '<messageFlow id="m2" sourceRef="reply" targetRef="customer"/>'
    '<messageFlow id="m3" sourceRef="bank" targetRef="ship"/></collaboration>'
    '<process id="p1"><startEvent id="s1"/><sendTask id="send"/><endEvent id="e1"/>'
    '<sequenceFlow id="g1" sourceRef="s1" targetRef="send"/>'
    '<sequenceFlow id="g2" sourceRef="send" targetRef="e1"/></process>'
    '<process id="p2"><laneSet id="ls">'
    '<lane id="sales" name="Sales"><flowNodeRef>recv</flowNodeRef><flowNodeRef>reply</flowNodeRef>'
    "<flowNodeRef>e2</flowNodeRef></lane>"
    '<lane id="warehouse" name="Warehouse"><childLaneSet id="cls">'
    '<lane id="packing" name="Packing"><flowNodeRef>pack</flowNodeRef></lane>'
    '<lane id="shipping" name="Shipping"><flowNodeRef>ship</flowNodeRef></lane>'
    "</childLaneSet></lane></laneSet>"
    '<startEvent id="recv"><messageEventDefinition/></startEvent><task id="pack"/>'
    '<task id="ship"/><sendTask id="reply"/><endEvent id="e2"/>'
    + flows("recv>pack", "pack>ship", "ship>reply", "reply>e2")
    + "</process>"
)
LOOP = doc(
    '<process id="p"><startEvent id="s"/><task id="draft"/><task id="review"/>'
    '<exclusiveGateway id="ok"/><endEvent id="e"/>'
    + flows("s>draft", "draft>review", "review>ok", "ok>e", "ok>draft")
    + "</process>"
)
ARTIFACT_MODEL = doc(
    '<process id="p"><startEvent id="s"/>'
    '<task id="a"><dataOutputAssociation id="out"><targetRef>order</targetRef>'
    "</dataOutputAssociation></task>"
    '<task id="b"><ioSpecification id="io"><dataInput id="b_in"/><inputSet id="ins">'
    '<dataInputRefs>b_in</dataInputRefs></inputSet><outputSet id="outs"/></ioSpecification>'
    '<dataInputAssociation id="in"><sourceRef>order</sourceRef><targetRef>b_in</targetRef>'
    '</dataInputAssociation></task><endEvent id="e"/>'
    '<dataObjectReference id="order" dataObjectRef="obj"/><dataObject id="obj"/>'
    '<dataStoreReference id="db"/>'
    + flows("s>a", "a>b", "b>e")
    + '<subProcess id="esp" triggeredByEvent="true"><startEvent id="es" isInterrupting="false">'
    '<messageEventDefinition/></startEvent><endEvent id="ee"/>'
    '<sequenceFlow id="ef" sourceRef="es" targetRef="ee"/></subProcess>'
    '<textAnnotation id="note"><text>Check twice</text></textAnnotation>'
    '<association id="link" sourceRef="b" targetRef="note"/></process>'
)
MODELS = {
    "sequence": SEQUENCE, "xor": XOR, "parallel": PARALLEL, "subprocess": SUBPROCESS,
    "collaboration": COLLABORATION, "loop": LOOP, "artifacts": ARTIFACT_MODEL,
}


@pytest.fixture(scope="module")
def schema():
    return etree.XMLSchema(etree.parse(str(XSD / "BPMN20.xsd")))


def parse(data: bytes):
    return etree.ElementTree(etree.fromstring(data, PARSER))


def local(element) -> str:
    return etree.QName(element).localname


def boxes(tree) -> dict[str, tuple[float, ...]]:
    return {
        di.get("bpmnElement"): tuple(float(di.find(f"{DC}Bounds").get(k))
                                     for k in ("x", "y", "width", "height"))
        for di in tree.iter(f"{BPMNDI}BPMNShape")
    }


def waypoints(tree) -> dict[str, list[tuple[float, float]]]:
    return {
        di.get("bpmnElement"): [(float(p.get("x")), float(p.get("y")))
                                for p in di.iter(f"{DI}waypoint")]
        for di in tree.iter(f"{BPMNDI}BPMNEdge")
    }


def ids_of(tree, names) -> set[str]:
    return {el.get("id") for el in tree.iter(f"{BPMN}*") if local(el) in names}


def overlap(a, b) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def inside(inner, outer) -> bool:
    return (outer[0] <= inner[0] and inner[0] + inner[2] <= outer[0] + outer[2]
            and outer[1] <= inner[1] and inner[1] + inner[3] <= outer[1] + outer[3])


def centre(box) -> tuple[float, float]:
    return box[0] + box[2] / 2, box[1] + box[3] / 2


@pytest.mark.parametrize("name", MODELS)
def test_it_draws_every_flow_node_and_flow_once(name):
    result = layout(parse(MODELS[name]))
    refs = Counter(di.get("bpmnElement") for di in result.iter(f"{BPMNDI}BPMNShape",
                                                               f"{BPMNDI}BPMNEdge"))
    wanted = ids_of(result, FLOW_NODES | ARTIFACTS | {"sequenceFlow", "messageFlow",
                                                      "participant", "lane"})
    assert set(refs) >= wanted
    assert all(count == 1 for count in refs.values())


@pytest.mark.parametrize("name", MODELS)
def test_it_keeps_shapes_of_one_scope_apart(name):
    result = layout(parse(MODELS[name]))
    placed = boxes(result)
    scopes = [el for el in result.iter(f"{BPMN}process", f"{BPMN}subProcess")]
    for scope in scopes:
        members = [placed[child.get("id")] for child in scope
                   if local(child) in (FLOW_NODES | ARTIFACTS) - {"boundaryEvent"}]
        assert members
        for a, b in combinations(members, 2):
            assert not overlap(a, b), (scope.get("id"), a, b)


@pytest.mark.parametrize("name", MODELS)
def test_it_writes_schema_valid_diagrams_that_render(name, schema):
    result = layout(parse(MODELS[name]))
    assert schema.validate(result), schema.error_log
    svg = etree.fromstring(render_svg(result).encode())
    drawn = Counter(g.get("data-element-id") for g in svg.iter(f"{SVG}g")
                    if g.get("data-element-id"))
    refs = Counter(di.get("bpmnElement") for di in result.iter(f"{BPMNDI}BPMNShape",
                                                               f"{BPMNDI}BPMNEdge"))
    assert drawn == refs


@pytest.mark.parametrize("name", MODELS)
def test_it_routes_flows_at_right_angles(name):
    result = layout(parse(MODELS[name]))
    routes = waypoints(result)
    for flow in ids_of(result, {"sequenceFlow", "messageFlow"}):
        points = routes[flow]
        assert len(points) >= 2
        for (x1, y1), (x2, y2) in zip(points, points[1:]):
            assert x1 == x2 or y1 == y2, (flow, points)


def test_it_lines_up_a_sequence_left_to_right_with_standard_sizes():
    placed = boxes(layout(parse(SEQUENCE)))
    chain = [placed[n] for n in ("s", "a", "b", "e")]
    assert [b[2:] for b in chain] == [(36, 36), (100, 80), (100, 80), (36, 36)]
    assert all(a[0] + a[2] < b[0] for a, b in zip(chain, chain[1:]))
    assert len({centre(b)[1] for b in chain}) == 1


def test_it_stacks_branches_between_split_and_join():
    placed = boxes(layout(parse(XOR)))
    branches = [placed[n] for n in ("a", "b", "c")]
    assert placed["split"][2:] == (50, 50)
    assert len({b[0] for b in branches}) == 1
    assert placed["split"][0] + 50 < branches[0][0]
    assert branches[0][0] + 100 < placed["join"][0]
    assert min(centre(b)[1] for b in branches) < centre(placed["join"])[1] < \
        max(centre(b)[1] for b in branches)


def test_it_puts_boundary_events_on_the_bottom_border_of_their_host():
    placed = boxes(layout(parse(SUBPROCESS)))
    host = placed["sub"]
    for event in ("late", "err"):
        x, y = centre(placed[event])
        assert y == host[1] + host[3]
        assert host[0] < x < host[0] + host[2]
    assert centre(placed["late"])[0] != centre(placed["err"])[0]


def test_it_opens_sub_processes_around_their_content():
    result = layout(parse(SUBPROCESS))
    placed = boxes(result)
    for child in ("ss", "pick", "inner", "se"):
        assert inside(placed[child], placed["sub"])
    for child in ("is", "ie"):
        assert inside(placed[child], placed["inner"])
    expanded = {di.get("bpmnElement") for di in result.iter(f"{BPMNDI}BPMNShape")
                if di.get("isExpanded") == "true"}
    assert expanded == {"sub", "inner"}


def test_it_draws_one_pool_per_participant_with_lanes_as_bands():
    placed = boxes(layout(parse(COLLABORATION)))
    pools = [placed[p] for p in ("customer", "shop", "bank")]
    for a, b in combinations(pools, 2):
        assert not overlap(a, b)
    assert len({(p[0], p[2]) for p in pools}) == 1
    for lane in ("sales", "warehouse", "packing", "shipping"):
        assert inside(placed[lane], placed["shop"])
    assert inside(placed["packing"], placed["warehouse"])
    assert inside(placed["shipping"], placed["warehouse"])
    assert not overlap(placed["sales"], placed["warehouse"])
    assert not overlap(placed["packing"], placed["shipping"])
    for lane, nodes in {"sales": ("recv", "reply", "e2"), "packing": ("pack",),
                        "shipping": ("ship",)}.items():
        for node in nodes:
            assert inside(placed[node], placed[lane])
    assert inside(placed["send"], placed["customer"])


def test_it_joins_pools_with_message_flows_from_border_to_border():
    result = layout(parse(COLLABORATION))
    placed, routes = boxes(result), waypoints(result)
    start, end = routes["m1"][0], routes["m1"][-1]
    send, recv = placed["send"], placed["recv"]
    assert start[1] == send[1] + send[3] and send[0] <= start[0] <= send[0] + send[2]
    assert end[1] == recv[1] and recv[0] <= end[0] <= recv[0] + recv[2]
    customer = placed["customer"]
    assert routes["m2"][-1][1] == customer[1] + customer[3]


def test_it_ignores_the_loop_back_when_making_columns():
    result = layout(parse(LOOP))
    placed, routes = boxes(result), waypoints(result)
    order = [placed[n][0] for n in ("s", "draft", "review", "ok", "e")]
    assert order == sorted(order)
    back = routes["f4"]
    bottom = max(b[1] + b[3] for b in placed.values())
    assert max(y for _, y in back) > bottom - 1
    assert back[-1][0] == centre(placed["draft"])[0]


def test_it_places_data_and_annotations_near_their_tasks():
    result = layout(parse(ARTIFACT_MODEL))
    placed, routes = boxes(result), waypoints(result)
    assert placed["order"][2:] == (36, 50) and placed["db"][2:] == (50, 50)
    for link in ("out", "in", "link"):
        assert len(routes[link]) >= 2
    esp = placed["esp"]
    assert all(esp[1] > placed[n][1] + placed[n][3] for n in ("s", "a", "b", "e"))
    assert inside(placed["es"], esp)


def test_it_returns_a_copy_and_leaves_the_input_alone():
    tree = parse(SEQUENCE)
    before = etree.tostring(tree)
    result = layout(tree)
    assert etree.tostring(tree) == before
    assert result is not tree and list(result.iter(f"{BPMNDI}BPMNDiagram"))


def test_it_replaces_an_incomplete_diagram():
    tree = parse(SEQUENCE.replace(b"</definitions>", (
        b'<bpmndi:BPMNDiagram xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
        b'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" id="old">'
        b'<bpmndi:BPMNPlane id="old_plane" bpmnElement="p">'
        b'<bpmndi:BPMNShape id="s_di" bpmnElement="s"><dc:Bounds x="0" y="0" width="36" '
        b'height="36"/></bpmndi:BPMNShape></bpmndi:BPMNPlane></bpmndi:BPMNDiagram></definitions>'
    )))
    result = layout(tree)
    diagrams = list(result.iter(f"{BPMNDI}BPMNDiagram"))
    assert len(diagrams) == 1 and diagrams[0].get("id") != "old"
    assert set(boxes(result)) == {"s", "a", "b", "e"}


@pytest.mark.parametrize("path", MIWG_MODELS, ids=lambda p: p.stem)
def test_it_keeps_complete_diagrams_as_they_are(path):
    tree = etree.parse(str(path), PARSER)
    result = layout(tree)
    before = [etree.tostring(d, with_tail=False) for d in tree.iter(f"{BPMNDI}BPMNDiagram")]
    after = [etree.tostring(d, with_tail=False) for d in result.iter(f"{BPMNDI}BPMNDiagram")]
    assert after[: len(before)] == before
    drawn = {di.get("bpmnElement") for di in tree.iter(f"{BPMNDI}BPMNPlane")}
    for diagram in result.iter(f"{BPMNDI}BPMNDiagram"):
        if etree.tostring(diagram, with_tail=False) not in before:
            plane = diagram.find(f"{BPMNDI}BPMNPlane").get("bpmnElement")
            assert plane not in drawn


@pytest.mark.parametrize("path", sorted(MIWG.glob("reference/*.bpmn")), ids=lambda p: p.stem)
def test_it_lays_out_miwg_models_stripped_of_their_diagrams(path, schema):
    tree = etree.parse(str(path), PARSER)
    for diagram in list(tree.iter(f"{BPMNDI}BPMNDiagram")):
        diagram.getparent().remove(diagram)
    result = layout(tree)
    assert schema.validate(result), schema.error_log
    drawn = set(boxes(result))
    for process in result.iter(f"{BPMN}process"):
        nodes = {c.get("id") for c in process if local(c) in FLOW_NODES}
        assert nodes <= drawn
