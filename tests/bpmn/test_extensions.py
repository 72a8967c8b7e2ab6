import json
from pathlib import Path

import pytest

from processes.bpmn import compile_definitions, extensions, parse_xml
from processes.bpmn.extensions import FormField, HttpCall, VariableMapping

from .documents import definitions, process, straight

DESCRIPTOR = json.loads(
    (Path(extensions.__file__).parent / "baton.json").read_text(encoding="utf-8")
)
TYPES = {t["name"]: t for t in DESCRIPTOR["types"]}
CONCRETE = {
    "bpmn:UserTask": "userTask",
    "bpmn:StartEvent": "startEvent",
    "bpmn:FlowNode": "task",
    "bpmn:CallActivity": "callActivity",
    "bpmn:ServiceTask": "serviceTask",
}


def compiled(data: bytes):
    return compile_definitions(parse_xml(data))


def props_of(data: bytes, node_id: str = "task"):
    return compiled(data).processes["p"].nodes[node_id].properties


def extension_problems(data: bytes):
    return [p for p in compiled(data).problems if p.element_id == "task"]


def test_it_reads_user_task_assignment_from_our_namespace():
    props = props_of(
        straight(
            '<userTask id="task" baton:assignee="${initiator}" baton:candidateUsers="ann, bob"'
            ' baton:candidateGroups="${groupsFor(amount, currency)}, clerks" baton:dueDate="P2D"'
            ' baton:followUpDate="P1D" baton:priority="70" baton:formKey="forms/approve"/>'
        )
    )
    assert props.assignee == "${initiator}"
    assert props.candidate_users == ("ann", "bob")
    assert props.candidate_groups == ("${groupsFor(amount, currency)}", "clerks")
    assert (props.due_date, props.follow_up_date, props.priority) == ("P2D", "P1D", "70")
    assert props.form_key == "forms/approve"


def test_it_reads_form_fields_with_validation_and_options():
    props = props_of(
        straight(
            '<userTask id="task"><extensionElements>'
            '<baton:formField id="amount" label="Amount" type="long" defaultValue="0">'
            '<baton:validation><baton:constraint name="required"/>'
            '<baton:constraint name="min" config="1"/>'
            '<baton:constraint name="maxlength" config="9"/>'
            '<baton:constraint name="pattern" config="[0-9]+"/>'
            "</baton:validation></baton:formField>"
            '<baton:formField id="level" type="enum"><baton:value id="low" name="Low"/>'
            '<baton:value id="high" name="High"/></baton:formField>'
            "</extensionElements></userTask>"
        )
    )
    assert props.form_fields == (
        FormField(
            id="amount",
            label="Amount",
            type="long",
            default="0",
            required=True,
            min="1",
            maxlength=9,
            pattern="[0-9]+",
        ),
        FormField(id="level", type="enum", options=(("low", "Low"), ("high", "High"))),
    )


def test_it_reads_camunda_form_data_the_same_way():
    props = props_of(
        straight(
            '<userTask id="task" camunda:formKey="embedded:app:forms/a.html"><extensionElements>'
            '<camunda:formData><camunda:formField id="ok" label="OK?" type="boolean">'
            '<camunda:validation><camunda:constraint name="readonly"/></camunda:validation>'
            "</camunda:formField></camunda:formData></extensionElements></userTask>"
        )
    )
    assert props.form_key == "embedded:app:forms/a.html"
    assert props.form_fields == (FormField(id="ok", label="OK?", type="boolean", readonly=True),)


def test_it_reads_each_kind_of_service_implementation():
    data = definitions(
        process(
            '<serviceTask id="handler" baton:handler="invoices.book" '
            'baton:resultVariable="booking"/>',
            '<serviceTask id="expression" baton:expression="${total * 2}"/>',
            '<serviceTask id="external" baton:topic="shipping"/>',
            '<serviceTask id="http"><extensionElements><baton:http url="https://api.example.com/${id}"'
            ' method="post" timeout="2.5"><baton:header name="Accept" value="application/json"/>'
            '<baton:body>{"id": "${id}"}</baton:body>'
            "</baton:http></extensionElements></serviceTask>",
        )
    )
    nodes = compiled(data).processes["p"].nodes
    handler = nodes["handler"].properties.implementation
    assert (handler.kind, handler.handler, handler.result_variable) == (
        "handler",
        "invoices.book",
        "booking",
    )
    assert nodes["expression"].properties.implementation.expression == "${total * 2}"
    assert nodes["external"].properties.implementation.topic == "shipping"
    http = nodes["http"].properties.implementation
    assert http.kind == "http"
    assert http.http == HttpCall(
        url="https://api.example.com/${id}",
        method="POST",
        headers=(("Accept", "application/json"),),
        body='{"id": "${id}"}',
        timeout=2.5,
    )


@pytest.mark.parametrize(
    "attributes, kind, detail",
    [
        ('camunda:class="com.example.Book"', "handler", "com.example.Book"),
        ('camunda:delegateExpression="${bookDelegate}"', "handler", "${bookDelegate}"),
        ('camunda:expression="${book()}"', "expression", "${book()}"),
        ('camunda:type="external" camunda:topic="booking"', "external", "booking"),
        ('activiti:class="org.example.Book"', "handler", "org.example.Book"),
    ],
)
def test_it_maps_camunda_and_activiti_implementations(attributes, kind, detail):
    implementation = props_of(straight(f'<serviceTask id="task" {attributes}/>')).implementation
    assert implementation.kind == kind
    assert detail in (implementation.handler, implementation.expression, implementation.topic)


def test_it_reads_async_and_retries_in_both_dialects():
    ours = props_of(
        straight(
            '<userTask id="task" baton:asyncBefore="true" baton:retries="5" '
            'baton:retryCycle="R3/PT10S"/>'
        )
    )
    theirs = props_of(
        straight(
            '<userTask id="task" camunda:async="true" camunda:asyncAfter="true"><extensionElements>'
            "<camunda:failedJobRetryTimeCycle>R5/PT1M</camunda:failedJobRetryTimeCycle>"
            "</extensionElements></userTask>"
        )
    )
    assert (ours.async_before, ours.async_after, ours.retries, ours.retry_cycle) == (
        True,
        False,
        5,
        "R3/PT10S",
    )
    assert (theirs.async_before, theirs.async_after, theirs.retry_cycle) == (True, True, "R5/PT1M")


def test_it_reads_input_and_output_mappings():
    props = props_of(
        straight(
            '<userTask id="task"><extensionElements><camunda:inputOutput>'
            '<camunda:inputParameter name="amount">${order.total}</camunda:inputParameter>'
            '<camunda:outputParameter name="approved">${decision == "yes"}'
            "</camunda:outputParameter>"
            "</camunda:inputOutput></extensionElements></userTask>"
        )
    )
    assert dict(props.inputs) == {"amount": "${order.total}"}
    assert dict(props.outputs) == {"approved": '${decision == "yes"}'}


def test_it_reports_a_camunda_script_parameter_it_cannot_run():
    problems = extension_problems(
        straight(
            '<userTask id="task"><extensionElements><camunda:inputOutput>'
            '<camunda:inputParameter name="x">'
            '<camunda:script scriptFormat="groovy">1</camunda:script>'
            "</camunda:inputParameter></camunda:inputOutput></extensionElements></userTask>"
        )
    )
    assert [p.code for p in problems] == ["unsupported-extension"]


def test_it_reads_call_activity_mappings_binding_and_business_key():
    props = props_of(
        straight(
            '<callActivity id="task" calledElement="billing" baton:calledElementBinding="version"'
            ' baton:calledElementVersion="3"><extensionElements>'
            '<baton:in source="order" target="order"/><baton:in businessKey="${orderId}"/>'
            '<baton:in sourceExpression="${total * 2}" target="double" local="true"/>'
            '<baton:out variables="all"/></extensionElements></callActivity>'
        )
    )
    assert (props.binding, props.version, props.business_key) == ("version", 3, "${orderId}")
    assert props.call_inputs == (
        VariableMapping(source="order", target="order"),
        VariableMapping(source_expression="${total * 2}", target="double", local=True),
    )
    assert props.call_outputs == (VariableMapping(all=True),)


def test_it_reads_initiator_quality_gate_sla_and_multi_instance_collection():
    data = definitions(
        process(
            '<startEvent id="start" camunda:initiator="starter"/>',
            '<exclusiveGateway id="gate" baton:qualityGate="${score &gt;= 8}"/>',
            '<userTask id="review">'
            '<multiInstanceLoopCharacteristics baton:collection="${reviewers}"'
            ' baton:elementVariable="reviewer"/></userTask>',
            attributes='baton:sla="P5D" baton:requestedAtVariable="receivedAt"',
        )
    )
    process_ = compiled(data).processes["p"]
    assert process_.nodes["start"].properties.initiator == "starter"
    assert process_.nodes["gate"].properties.quality_gate == "${score >= 8}"
    multi = process_.nodes["review"].multi_instance
    assert (multi.input_collection, multi.input_element) == ("${reviewers}", "reviewer")
    assert (process_.properties.sla, process_.properties.requested_at_variable) == (
        "P5D",
        "receivedAt",
    )


def test_it_reads_form_field_flags_written_as_attributes():
    props = props_of(
        straight(
            '<userTask id="task"><extensionElements>'
            '<baton:formField id="name" required="true"/>'
            '<baton:formField id="shown" readonly="true"/>'
            "</extensionElements></userTask>"
        )
    )
    assert [(f.required, f.readonly) for f in props.form_fields] == [(True, False), (False, True)]


def test_it_takes_the_implementation_type_from_the_type_attribute():
    implementation = props_of(
        straight('<serviceTask id="task" baton:type="external" baton:topic="billing"/>')
    ).implementation
    assert (implementation.kind, implementation.topic) == ("external", "billing")


@pytest.mark.parametrize(
    "attributes, code",
    [
        ('baton:retries="often"', "extension-value"),
        ('baton:asyncBefore="maybe"', "extension-value"),
        ('baton:handler="a.b" baton:topic="c"', "implementation"),
        ('baton:type="soap"', "unsupported-extension"),
    ],
)
def test_it_reports_extension_values_it_cannot_use(attributes, code):
    problems = extension_problems(straight(f'<serviceTask id="task" {attributes}/>'))
    assert code in [p.code for p in problems]


def test_elements_without_extensions_share_the_empty_properties():
    defs = compiled(straight())
    assert defs.processes["p"].nodes["start"].properties is extensions.NO_PROPS


def test_foreign_extensions_are_ignored():
    props = props_of(
        straight(
            '<userTask id="task" xmlns:z="http://camunda.org/schema/zeebe/1.0" z:assignee="x">'
            "<extensionElements><z:taskDefinition type='t'/></extensionElements></userTask>"
        )
    )
    assert props is extensions.NO_PROPS


# The designer's moddle descriptor and the parser must agree on our vocabulary.


def _properties(type_name: str) -> list[dict]:
    kind = TYPES[type_name]
    inherited = [
        p for parent in kind.get("superClass", []) if parent in TYPES for p in _properties(parent)
    ]
    return inherited + kind.get("properties", [])


def _tag(type_name: str) -> str:
    return type_name[0].lower() + type_name[1:]


def _element(type_name: str) -> str:
    """Write an element of a descriptor type with every property it declares."""
    attributes, children, body = [], [], ""
    for prop in _properties(type_name):
        value = {"Boolean": "true", "Integer": "1", "Real": "1.5"}.get(prop["type"], "x")
        if prop.get("isAttr"):
            attributes.append(f'{prop["name"]}="{value}"')
        elif prop.get("isBody"):
            body = value
        elif prop["type"] in TYPES:
            children.append(_element(prop["type"]))
        else:
            children.append(f"<baton:{prop['name']}>{value}</baton:{prop['name']}>")
    tag = _tag(type_name)
    return f"<baton:{tag} {' '.join(attributes)}>{body}{''.join(children)}</baton:{tag}>"


def _nested_names() -> set[str]:
    """Return the names the descriptor gives inside our extension elements."""
    names = set()
    for type_name, kind in TYPES.items():
        if kind.get("extends"):
            continue
        for prop in _properties(type_name):
            if prop.get("isAttr") or not (prop.get("isBody") or prop["type"] in TYPES):
                names.add(prop["name"])
            elif prop["type"] in TYPES:
                names.add(_tag(prop["type"]))
    return names


def test_the_descriptor_declares_exactly_the_attributes_the_parser_reads():
    declared = {p["name"] for t in TYPES.values() if t.get("extends") for p in t["properties"]}
    assert declared == set(extensions.ATTRIBUTES)


def test_the_descriptor_declares_exactly_the_extension_elements_the_parser_reads():
    declared = {_tag(name) for name, t in TYPES.items() if t.get("meta", {}).get("allowedIn")}
    assert declared == set(extensions.ELEMENTS)


def test_the_parser_reads_exactly_the_names_the_descriptor_declares_inside_them(monkeypatch):
    asked = set()
    value, children = extensions._value, extensions._children

    def recording_value(element, name):
        asked.add(name)
        return value(element, name)

    def recording_children(element, name):
        asked.add(name)
        return children(element, name)

    monkeypatch.setattr(extensions, "_value", recording_value)
    monkeypatch.setattr(extensions, "_children", recording_children)
    hosts = []
    for name, kind in TYPES.items():
        allowed = kind.get("meta", {}).get("allowedIn")
        if allowed:
            tag = CONCRETE[allowed[0]]
            hosts.append(
                f'<{tag} id="{name}"><extensionElements>{_element(name)}'
                f"</extensionElements></{tag}>"
            )
    compiled(definitions(process(*hosts)))
    assert asked == _nested_names()


def test_the_descriptor_has_the_moddle_shape_bpmn_js_expects():
    assert DESCRIPTOR["prefix"] == "baton"
    assert DESCRIPTOR["uri"] == extensions.BATON
    assert DESCRIPTOR["xml"] == {"tagAlias": "lowerCase"}
    for kind in TYPES.values():
        for prop in kind.get("properties", []):
            assert prop["type"] in TYPES or prop["type"] in ("String", "Boolean", "Integer", "Real")


def test_form_field_limits_may_be_written_as_attributes():
    amount, code = props_of(straight(
        '<userTask id="task"><extensionElements>'
        '<baton:formField id="amount" type="decimal" min="0.01" max="1000"/>'
        '<baton:formField id="code" minlength="2" maxlength="8" pattern="[A-Z]+"/>'
        "</extensionElements></userTask>"
    )).form_fields
    assert (amount.min, amount.max) == ("0.01", "1000")
    assert (code.minlength, code.maxlength, code.pattern) == (2, 8, "[A-Z]+")
