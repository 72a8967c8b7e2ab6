from collections import Counter
from pathlib import Path

import pytest
from lxml import etree

from processes.bpmn.render import DiagramNotFound, diagrams, render_svg

MIWG = Path(__file__).resolve().parents[1] / "conformance" / "miwg"
MODELS = sorted(MIWG.glob("reference/*.bpmn")) + sorted(MIWG.glob("bpmn-js-exports/*.bpmn"))
SVG = "{http://www.w3.org/2000/svg}"
BPMNDI = "{http://www.omg.org/spec/BPMN/20100524/DI}"
# GenMyModel's export is not well-formed XML, so there is nothing to draw.
INVALID_EXPORTS = [p for p in sorted(MIWG.glob("lenient-import/*.bpmn"))
                   if not p.name.startswith("GenMyModel")]
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def parse(data: bytes):
    return etree.ElementTree(etree.fromstring(data, PARSER))


def load(name: str):
    return etree.parse(str(MIWG / name), PARSER)


def svg_of(tree, diagram=0):
    return etree.fromstring(render_svg(tree, diagram).encode())


def element_groups(svg) -> dict[str, etree._Element]:
    return {g.get("data-element-id"): g for g in svg.iter(f"{SVG}g") if g.get("data-element-id")}


def classes(group) -> set[str]:
    return set(group.get("class").split())


def drawn_refs(diagram) -> Counter:
    return Counter(
        di.get("bpmnElement", "") for di in diagram.iter(f"{BPMNDI}BPMNShape", f"{BPMNDI}BPMNEdge")
    )


def model(body: str, di: str) -> bytes:
    return f"""<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
        xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"
        xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
        xmlns:di="http://www.omg.org/spec/DD/20100524/DI"
        id="defs" targetNamespace="http://example.com/test">
      <process id="p">{body}</process>
      <bpmndi:BPMNDiagram id="diagram"><bpmndi:BPMNPlane id="plane" bpmnElement="p">{di}
      </bpmndi:BPMNPlane></bpmndi:BPMNDiagram>
    </definitions>""".encode()


def shape(ref: str, x=100, y=100, w=100, h=80, extra="") -> str:
    return (f'<bpmndi:BPMNShape id="{ref}_di" bpmnElement="{ref}" {extra}>'
            f'<dc:Bounds x="{x}" y="{y}" width="{w}" height="{h}"/></bpmndi:BPMNShape>')


def edge(ref: str, *points) -> str:
    waypoints = "".join(f'<di:waypoint x="{x}" y="{y}"/>' for x, y in points)
    return f'<bpmndi:BPMNEdge id="{ref}_di" bpmnElement="{ref}">{waypoints}</bpmndi:BPMNEdge>'


@pytest.mark.parametrize("path", MODELS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_it_draws_one_group_per_shape_and_edge_of_every_miwg_diagram(path):
    tree = etree.parse(str(path), PARSER)
    for info, diagram in zip(diagrams(tree), tree.getroot().iter(f"{BPMNDI}BPMNDiagram")):
        svg = svg_of(tree, info.index)
        groups = Counter(
            g.get("data-element-id") for g in svg.iter(f"{SVG}g") if g.get("data-element-id")
            is not None
        )
        assert groups == drawn_refs(diagram)


@pytest.mark.parametrize("path", INVALID_EXPORTS, ids=lambda p: p.stem)
def test_it_draws_schema_invalid_exports_from_other_tools(path):
    tree = etree.parse(str(path), PARSER)
    for info, diagram in zip(diagrams(tree), tree.getroot().iter(f"{BPMNDI}BPMNDiagram")):
        groups = Counter(g.get("data-element-id") for g in svg_of(tree, info.index).iter(f"{SVG}g")
                         if g.get("data-element-id") is not None)
        assert groups == drawn_refs(diagram)


def test_it_marks_task_types_loops_and_multi_instance():
    groups = element_groups(svg_of(load("bpmn-js-exports/B.2.0-export.bpmn")))
    user_icon = groups["Activity_07vdczu"].find(f"{SVG}g[@class='bpmn-icon bpmn-icon-userTask']")
    assert user_icon is not None and len(user_icon.findall(f"{SVG}path")) >= 3
    assert groups["Activity_00kk0w1"].find(f".//{SVG}g[@class='bpmn-icon bpmn-icon-serviceTask']") \
        is not None
    loop = groups["Activity_1n1hhyt"].findall(f"{SVG}g")
    assert "bpmn-marker-loop" in {c for g in loop for c in classes(g)}
    sequential = groups["Activity_1lrpf00"].findall(f"{SVG}g")
    assert "bpmn-marker-sequential" in {c for g in sequential for c in classes(g)}


def test_it_dashes_non_interrupting_boundary_events():
    svg = svg_of(load("bpmn-js-exports/B.2.0-export.bpmn"))
    groups = element_groups(svg)
    assert {"bpmn-boundaryEvent", "bpmn-non-interrupting"} <= classes(groups["Event_1f35b4w"])
    style = svg.find(f"{SVG}style").text
    rule = style.split(".bpmn-non-interrupting .bpmn-outline")[1].split("}")[0]
    assert "stroke-dasharray" in rule


def test_it_marks_default_flows_and_event_kinds():
    groups = element_groups(svg_of(load("bpmn-js-exports/B.2.0-export.bpmn")))
    default = groups["Flow_1lz1d6w"]
    assert "bpmn-default-flow" in classes(default)
    assert default.find(f"{SVG}path[@class='bpmn-arrow-open bpmn-marker-default']") is not None
    assert "bpmn-event-timer" in classes(groups["StartEvent_1"])
    assert {"bpmn-event-end", "bpmn-event-terminate"} <= classes(groups["Event_0a5qvbg"])
    assert {"bpmn-throw", "bpmn-event-message"} <= classes(groups["Event_0403g4k"])
    assert "bpmn-gateway-eventBased" in classes(groups["Gateway_1n5jtse"])


def test_it_draws_containers_data_and_message_flows():
    groups = element_groups(svg_of(load("bpmn-js-exports/B.2.0-export.bpmn")))
    assert "bpmn-expanded" in classes(groups["Activity_0ffbdg4"])
    collapsed = groups["Activity_03q0xwc"]
    assert "bpmn-collapsed" in classes(collapsed)
    markers = {c for g in collapsed.findall(f"{SVG}g") for c in classes(g)}
    assert {"bpmn-marker-subprocess", "bpmn-marker-parallel"} <= markers
    assert "bpmn-callActivity" in classes(groups["Activity_0qnc8vy"])
    assert "bpmn-dataStoreReference" in classes(groups["DataStoreReference_0t1ift6"])
    assert "bpmn-dataObjectReference" in classes(groups["DataObjectReference_1rkw6dp"])
    message = groups["Flow_1gv8gte"]
    assert message.find(f"{SVG}circle[@class='bpmn-arrow-hollow']") is not None


def test_it_draws_event_subprocesses_dotted():
    groups = element_groups(svg_of(load("bpmn-js-exports/C.6.0-export.bpmn")))
    assert {"bpmn-expanded", "bpmn-event-subprocess"} <= classes(groups["Activity_1t020b1"])


def test_it_follows_the_exclusive_gateway_marker_flag():
    hidden = element_groups(svg_of(load("reference/A.2.0.bpmn")))
    shown = element_groups(svg_of(load("bpmn-js-exports/B.1.0-export.bpmn")))
    assert "bpmn-gateway-exclusive" not in classes(hidden["_35fe57a7-1302-44e2-bf58-032f11af7ecb"])
    assert "bpmn-gateway-exclusive" in classes(shown["Gateway_1tvwnx5"])


def test_it_draws_the_exclusive_marker_when_di_says_nothing():
    tree = parse(model('<exclusiveGateway id="g"/>', shape("g", w=50, h=50)))
    assert "bpmn-gateway-exclusive" in classes(element_groups(svg_of(tree))["g"])


def test_it_marks_conditional_flows_leaving_an_activity():
    body = """<task id="a"/><task id="b"/>
      <sequenceFlow id="f" sourceRef="a" targetRef="b"><conditionExpression>ok</conditionExpression>
      </sequenceFlow>"""
    di = shape("a") + shape("b", x=300) + edge("f", (200, 140), (300, 140))
    flow = element_groups(svg_of(parse(model(body, di))))["f"]
    assert "bpmn-conditional-flow" in classes(flow)
    assert flow.find(f"{SVG}path[@class='bpmn-arrow-hollow bpmn-marker-conditional']") is not None


def test_it_renders_each_diagram_of_a_file_separately():
    tree = load("reference/C.4.0.bpmn")
    infos = diagrams(tree)
    assert len(infos) == 4 and [i.index for i in infos] == [0, 1, 2, 3]
    seen = []
    for info, diagram in zip(infos, tree.getroot().iter(f"{BPMNDI}BPMNDiagram")):
        by_id = svg_of(tree, info.id)
        assert by_id.get("data-diagram-id") == info.id
        assert set(element_groups(by_id)) == set(drawn_refs(diagram))
        seen.append(frozenset(element_groups(by_id)))
    assert len(set(seen)) == 4


def test_it_refuses_a_diagram_that_is_not_there():
    tree = load("reference/A.1.0.bpmn")
    with pytest.raises(DiagramNotFound):
        render_svg(tree, 5)
    with pytest.raises(DiagramNotFound):
        render_svg(tree, "no-such-diagram")


def test_it_draws_an_empty_picture_for_a_model_without_diagrams():
    tree = parse(b'<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" '
                 b'targetNamespace="x"><process id="p"><task id="t"/></process></definitions>')
    svg = svg_of(tree)
    assert svg.tag == f"{SVG}svg" and not element_groups(svg)


def test_it_survives_broken_diagram_interchange():
    body = '<task id="a" name="A"/><task id="nobounds"/><sequenceFlow id="f" sourceRef="a" ' \
           'targetRef="nobounds"/><sequenceFlow id="g" sourceRef="a" targetRef="a"/>'
    di = (
        shape("a")
        + '<bpmndi:BPMNShape id="s2" bpmnElement="nobounds"/>'
        + shape("missing", x=400)
        + '<bpmndi:BPMNShape id="s4"><dc:Bounds x="1" y="2" width="3" height="4"/>'
          '</bpmndi:BPMNShape>'
        + shape("defs", x=600)
        + '<bpmndi:BPMNShape id="s6" bpmnElement="a"><dc:Bounds x="abc" y="2" width="3" '
          'height="4"/></bpmndi:BPMNShape>'
        + edge("f")
        + edge("g", (10, 10))
        + edge("ghost", (0, 0), (50, 50))
    )
    svg = svg_of(parse(model(body, di)))
    ids = Counter(g.get("data-element-id") for g in svg.iter(f"{SVG}g")
                  if g.get("data-element-id") is not None)
    assert ids == Counter({"a": 2, "nobounds": 1, "missing": 1, "": 1, "defs": 1, "f": 1,
                           "g": 1, "ghost": 1})
    groups = element_groups(svg)
    assert "bpmn-unknown" in classes(groups["missing"])
    assert {"bpmn-definitions", "bpmn-unknown"} <= classes(groups["defs"])
    assert groups["f"].find(f"{SVG}path") is None


def test_it_draws_unknown_elements_as_boxes_named_after_their_tag():
    tree = parse(model('<choreographyTask id="c" name="Talk"/>', shape("c")))
    group = element_groups(svg_of(tree))["c"]
    assert {"bpmn-choreographyTask", "bpmn-unknown"} <= classes(group)
    assert group.find(f"{SVG}rect") is not None


def test_it_escapes_names():
    tree = parse(model('<task id="t" name="Check &lt;price&gt; &amp; &quot;terms&quot;"/>',
                       shape("t", w=400)))
    text = element_groups(svg_of(tree))["t"].find(f"{SVG}text")
    assert "".join(text.itertext()) == 'Check <price> & "terms"'


def test_it_wraps_long_task_names_inside_the_task():
    tree = parse(model('<task id="t" name="Check the customer credit rating before approval"/>',
                       shape("t")))
    lines = element_groups(svg_of(tree))["t"].findall(f"{SVG}text/{SVG}tspan")
    assert len(lines) > 1
    assert all(100 <= float(line.get("x")) <= 200 for line in lines)


def test_it_fits_the_view_box_around_every_shape():
    tree = load("reference/B.2.0.bpmn")
    svg = svg_of(tree)
    left, top, width, height = map(float, svg.get("viewBox").split())
    assert float(svg.get("width")) >= width and float(svg.get("height")) >= height
    for bounds in tree.getroot().iter("{http://www.omg.org/spec/DD/20100524/DC}Bounds"):
        x, y = float(bounds.get("x")), float(bounds.get("y"))
        assert left <= x and x + float(bounds.get("width")) <= left + width
        assert top <= y and y + float(bounds.get("height")) <= top + height


def test_it_writes_pool_and_lane_names_sideways_for_horizontal_pools():
    groups = element_groups(svg_of(load("bpmn-js-exports/B.1.0-export.bpmn")))
    pool_name = groups["Participant_0cgb2hh"].find(f"{SVG}text")
    assert pool_name.get("transform", "").startswith("rotate(-90")
    assert "".join(pool_name.itertext()) == "Participant"


def test_it_writes_pool_names_across_the_top_of_vertical_pools():
    tree = load("reference/A.4.1.bpmn")
    pools = [di for di in tree.getroot().iter(f"{BPMNDI}BPMNShape")
             if di.get("isHorizontal") == "false"]
    groups = element_groups(svg_of(tree))
    for di in pools:
        name = groups[di.get("bpmnElement")].find(f"{SVG}text")
        assert name is None or "transform" not in name.attrib
