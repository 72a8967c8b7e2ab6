"""The panel's general, assignment, form and flow fields: what an owner sees and may type."""

from lxml import etree

from processes.designer.panel import change, panel_for
from processes.designer.selection import Selection

NAMESPACES = (
    'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:baton="http://baton-bpm.org/schema/1.0/bpmn" '
    'xmlns:camunda="http://camunda.org/schema/1.0/bpmn"'
)
ORDER = """
<bpmn:startEvent id="start"/>
<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review"/>
<bpmn:userTask id="review" name="Review" camunda:candidateGroups="clerks">
  <bpmn:extensionElements>
    <camunda:formData><camunda:formField id="ok" type="boolean"/></camunda:formData>
    <camunda:taskListener event="create" class="org.example.Listener"/>
  </bpmn:extensionElements>
</bpmn:userTask>
<bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="split"/>
<bpmn:exclusiveGateway id="split" default="no"/>
<bpmn:sequenceFlow id="yes" sourceRef="split" targetRef="end">
  <bpmn:conditionExpression>${ok}</bpmn:conditionExpression>
</bpmn:sequenceFlow>
<bpmn:sequenceFlow id="no" name="otherwise" sourceRef="split" targetRef="end"/>
<bpmn:endEvent id="end" name="Done"/>
"""


def select(element_id: str) -> Selection:
    xml = (
        f'<bpmn:definitions {NAMESPACES} id="defs" targetNamespace="http://example.com">'
        f'<bpmn:process id="order" name="Order" isExecutable="true">{ORDER}</bpmn:process>'
        "</bpmn:definitions>"
    )
    return Selection.of(xml, element_id)


def shown(sel: Selection) -> dict:
    return {b.name: b.value for section in panel_for(sel) for b in section.fields}


def accepted(sel, name, value):
    answer = change(sel, name, value)
    assert answer["error"] is None, answer["error"]
    return answer


def refused(sel, name, value) -> str:
    answer = change(sel, name, value)
    assert answer["error"] and answer["edits"] == []
    return answer["error"]


def test_a_process_shows_its_key_name_and_whether_it_runs():
    fields = shown(select("order"))
    assert (fields["key"], fields["name"], fields["executable"]) == ("order", "Order", True)
    assert "is not a valid key" in refused(select("order"), "key", "2nd order")
    assert accepted(select("order"), "key", "order_v2")["edits"] == [
        {"op": "update", "target": "process", "properties": {"id": "order_v2"}}
    ]


def test_an_id_must_be_unique_and_well_formed():
    assert refused(select("review"), "id", "split") == "The id 'split' is already used by another element."
    assert "is not a valid id" in refused(select("review"), "id", "a b")
    assert accepted(select("review"), "id", " review_claim ")["value"] == "review_claim"


def test_a_user_task_reads_camunda_attributes_and_writes_ours_in_their_place():
    sel = select("review")
    assert shown(sel)["candidateGroups"] == "clerks"
    answer = accepted(sel, "candidateGroups", "clerks,  managers ,")
    assert answer["value"] == "clerks, managers"
    assert answer["edits"] == [{"op": "update", "target": "element", "properties": {
        "baton:candidateGroups": "clerks, managers", "camunda:candidateGroups": None,
    }}]


def test_due_dates_are_durations_dates_or_expressions_read_back_in_words():
    sel = select("review")
    answer = accepted(sel, "dueDate", "p2d")
    assert answer["value"] == "P2D" and answer["reading"] == "due after 2 days"
    assert accepted(sel, "dueDate", "${deadline}")["reading"] == ""
    assert "cannot be read" in refused(sel, "dueDate", "next tuesday")
    assert "does not compile" in refused(sel, "dueDate", "${deadline +}")


def test_priority_is_a_whole_number_or_an_expression():
    sel = select("review")
    assert accepted(sel, "priority", " 70 ")["value"] == "70"
    assert "at least 0" in refused(sel, "priority", "-1")
    assert "whole number" in refused(sel, "priority", "high")


def test_form_fields_replace_camunda_form_data_and_keep_other_extensions():
    sel = select("review")
    assert [row["id"] for row in shown(sel)["form_fields"]] == ["ok"]
    rows = [
        {"id": "ok", "label": "Approve?", "type": "boolean", "required": True},
        {"id": "size", "label": "Size", "type": "enum", "values": "s=Small, l=Large"},
    ]
    (edit,) = accepted(sel, "form_fields", rows)["edits"]
    fragment = etree.fromstring(edit["properties"]["extensionElements"]["$xml"])
    assert edit["properties"]["extensionElements"]["$type"] == "bpmn:ExtensionElements"
    children = [etree.QName(child).localname for child in fragment]
    assert children == ["taskListener", "formField", "formField"], "the listener is kept"
    size = fragment[2]
    assert [(v.get("id"), v.get("name")) for v in size] == [("s", "Small"), ("l", "Large")]
    assert fragment[1].get("required") == "true"


def test_form_fields_that_cannot_work_are_refused_naming_the_field():
    sel = select("review")
    assert "another field already sets 'a'" in refused(sel, "form_fields", [
        {"id": "a", "type": "string"}, {"id": "a", "type": "long"},
    ])
    assert refused(sel, "form_fields", [{"id": "pick", "type": "enum"}]).startswith(
        "Field 1 (pick): list the values"
    )
    assert "not a regular expression" in refused(sel, "form_fields", [
        {"id": "code", "type": "string", "pattern": "([a-z"},
    ])
    assert "choose a type" in refused(sel, "form_fields", [{"id": "x", "type": "colour"}])


def test_a_condition_must_compile_and_be_a_condition():
    sel = select("yes")
    assert shown(sel)["condition"] == "${ok}"
    assert "always 2" in refused(sel, "condition", "${1 + 1}")
    assert "does not compile" in refused(sel, "condition", "${ok ==}")
    assert accepted(sel, "condition", "${not ok}")["edits"] == [{
        "op": "update", "target": "element",
        "properties": {"conditionExpression": {"$create": "bpmn:FormalExpression", "body": "${not ok}"}},
    }]
    assert "default flow" in refused(select("no"), "condition", "${ok}")
    assert "condition" not in shown(select("f1")), "flows from events have none"


def test_the_default_flow_is_chosen_among_the_outgoing_flows_and_loses_its_condition():
    sel = select("split")
    (bound,) = [b for s in panel_for(sel) for b in s.fields if b.name == "default"]
    assert bound.value == "no"
    assert [value for value, _ in bound.choices] == ["", "yes", "no"]
    assert dict(bound.choices)["no"] == "otherwise → Done"
    assert accepted(sel, "default", "yes")["edits"] == [
        {"op": "update", "target": "element", "properties": {"default": {"$ref": "yes"}}},
        {"op": "update", "target": {"id": "yes"}, "properties": {"conditionExpression": None}},
    ]
    assert "not an outgoing flow" in refused(sel, "default", "f1")
