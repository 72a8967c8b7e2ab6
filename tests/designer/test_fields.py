"""The designer panel's fields for implementations, scripts, events, calls, loops, execution
and measurement: what a process owner sees, what is refused, and the edits bpmn-js applies."""

import pytest
from lxml import etree

from processes.designer.panel import change, panel_for
from processes.designer.selection import Selection
from tests.samples import simple_process

NAMESPACES = (
    'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:baton="http://baton-bpm.org/schema/1.0/bpmn" '
    'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '
    'xmlns:other="http://example.com/other"'
)
EXTENSIONS = "bpmn:ExtensionElements"


def diagram(body: str, roots: str = "", processes: str = "") -> str:
    return (
        f'<bpmn:definitions {NAMESPACES} id="defs" targetNamespace="http://example.com">'
        f'{roots}<bpmn:process id="order" isExecutable="true">{body}</bpmn:process>{processes}'
        "</bpmn:definitions>"
    )


def select(body: str, element_id: str, roots: str = "", processes: str = "") -> Selection:
    return Selection.of(diagram(body, roots, processes), element_id)


def field(sel: Selection, name: str):
    """The field as the panel shows it, or None when the element does not show it."""
    return next(
        (bound for section in panel_for(sel) for bound in section.fields if bound.name == name),
        None,
    )


def edits(sel: Selection, name: str, value) -> list[dict]:
    answer = change(sel, name, value)
    assert answer["error"] is None, answer["error"]
    return answer["edits"]


def refused(sel: Selection, name: str, value) -> str:
    answer = change(sel, name, value)
    assert answer["error"], f"{value!r} was accepted"
    assert answer["edits"] == []
    return answer["error"]


def fragment(edit: dict):
    """The extension elements an edit writes, parsed."""
    value = edit["properties"]["extensionElements"]
    assert value["$type"] == EXTENSIONS
    return etree.fromstring(value["$xml"])


def local_names(element) -> list[str]:
    return [etree.QName(child).localname for child in element]


# Implementation


def test_choosing_http_removes_the_handler_and_its_camunda_alias():
    sel = select('<bpmn:serviceTask id="pay" baton:handler="demo.pay_invoice" '
                 'camunda:class="com.example.Pay" baton:resultVariable="r"/>', "pay")
    assert field(sel, "implementation").value == "handler"

    assert edits(sel, "implementation", "http") == [{
        "op": "update", "target": "element",
        "properties": {"baton:type": "http", "baton:handler": None, "camunda:class": None},
    }]


def test_choosing_a_handler_removes_the_http_call_but_keeps_foreign_extensions():
    sel = select(
        '<bpmn:serviceTask id="pay" baton:type="http" baton:resultVariable="response">'
        '<bpmn:extensionElements><other:audit level="high"/>'
        '<baton:http url="https://example.com"/></bpmn:extensionElements></bpmn:serviceTask>',
        "pay",
    )

    [edit] = edits(sel, "implementation", "handler")

    assert edit["properties"]["baton:type"] == "handler"
    assert edit["properties"]["baton:resultVariable"] is None  # a handler sets its own variables
    assert local_names(fragment(edit)) == ["audit"]


def test_a_send_task_may_have_no_implementation_but_a_service_task_must():
    send = select('<bpmn:sendTask id="notify" baton:type="external" baton:topic="mail"/>', "notify")
    assert edits(send, "implementation", "") == [{
        "op": "update", "target": "element",
        "properties": {"baton:type": None, "baton:topic": None},
    }]
    service = select('<bpmn:serviceTask id="pay"/>', "pay")
    assert ("", "not chosen yet") in field(service, "implementation").choices
    assert "Choose how the task does its work" in refused(service, "implementation", "")


def test_the_handler_list_offers_only_registered_handlers(settings):
    settings.BATON_SERVICE_HANDLERS = {"billing.refund": "tests.designer.test_fields.diagram"}
    sel = select('<bpmn:serviceTask id="pay" baton:type="handler"/>', "pay")

    values = [value for value, _ in field(sel, "handler").choices]

    assert values[0] == ""  # nothing chosen yet
    assert "billing.refund" in values and "demo.pay_invoice" in values
    assert values[1:] == sorted(values[1:])


def test_an_unknown_handler_is_refused_and_a_known_one_replaces_camundas_class():
    sel = select('<bpmn:serviceTask id="pay" camunda:class="com.example.Pay"/>', "pay")
    bound = field(sel, "handler")
    assert bound.value == "com.example.Pay"
    assert ("com.example.Pay", "com.example.Pay (not registered)") in bound.choices

    assert "No handler is registered as 'com.example.Pay'" in refused(
        sel, "handler", "com.example.Pay"
    )
    assert edits(sel, "handler", "demo.pay_invoice") == [{
        "op": "update", "target": "element",
        "properties": {"baton:handler": "demo.pay_invoice", "camunda:class": None},
    }]


def test_camunda_external_tasks_are_read_and_their_topic_rewritten_as_ours():
    sel = select('<bpmn:serviceTask id="pay" camunda:type="external" camunda:topic="pay"/>', "pay")
    assert field(sel, "implementation").value == "external"
    assert field(sel, "topic").value == "pay"
    assert field(sel, "http_url") is None

    assert "one word" in refused(sel, "topic", "invoice payment")
    assert edits(sel, "topic", "invoice-payment") == [{
        "op": "update", "target": "element",
        "properties": {"baton:topic": "invoice-payment", "camunda:topic": None},
    }]


def test_the_expression_and_result_variable_are_checked():
    sel = select('<bpmn:serviceTask id="vat" baton:type="expression"/>', "vat")

    assert "does not compile" in refused(sel, "expression", "${amount *}")
    assert "cannot be the name of the result variable" in refused(sel, "resultVariable", "2nd")
    assert edits(sel, "resultVariable", "vat") == [
        {"op": "update", "target": "element", "properties": {"baton:resultVariable": "vat"}}
    ]


HTTP_TASK = (
    '<bpmn:serviceTask id="call" baton:type="http"><bpmn:extensionElements>'
    '<other:audit level="high"/>'
    '<baton:http url="https://api.example.com/orders" method="post" timeout="10">'
    '<baton:header name="Accept" value="application/json"/>'
    "<baton:body>${order}</baton:body></baton:http>"
    "</bpmn:extensionElements></bpmn:serviceTask>"
)


def test_the_headers_list_rewrites_the_http_call_and_keeps_foreign_extensions():
    sel = select(HTTP_TASK, "call")
    assert field(sel, "http_headers").value == [{"name": "Accept", "value": "application/json"}]
    assert field(sel, "http_method").value == "POST"

    [edit] = edits(sel, "http_headers", [{"name": " X-Order ", "value": "${orderId}"}])

    assert edit["op"] == "update" and edit["target"] == "element"
    assert list(edit["properties"]) == ["extensionElements"]
    extensions = fragment(edit)
    assert local_names(extensions) == ["audit", "http"]
    http = extensions[1]
    assert dict(http.attrib) == {
        "url": "https://api.example.com/orders", "method": "POST", "timeout": "10",
    }
    assert [(local, dict(child.attrib), child.text) for local, child in
            zip(local_names(http), http, strict=True)] == [
        ("header", {"name": "X-Order", "value": "${orderId}"}, None),
        ("body", {}, "${order}"),
    ]


def test_bad_http_settings_are_refused_with_what_to_write():
    sel = select(HTTP_TASK, "call")

    assert "not an http or https URL" in refused(sel, "http_url", "ftp://example.com/x")
    assert "is not a header name" in refused(sel, "http_headers", [{"name": "X Order"}])
    assert "Header 2 is empty" in refused(sel, "http_headers", [{"name": "A"}, {"name": ""}])
    assert "already set above" in refused(
        sel, "http_headers", [{"name": "Accept"}, {"name": "accept", "value": "x"}]
    )
    assert "at most 60 seconds" in refused(sel, "http_timeout", "90")
    assert "number of seconds" in refused(sel, "http_timeout", "ten")
    assert change(sel, "http_timeout", "2.50")["value"] == "2.5"
    assert change(sel, "http_url", "https://api.example.com/orders/${id}")["error"] is None


def test_http_fields_show_only_for_http_calls():
    sel = select('<bpmn:serviceTask id="pay" baton:handler="demo.pay_invoice"/>', "pay")
    for name in ("http_url", "http_method", "http_headers", "http_body", "http_timeout"):
        assert field(sel, name) is None
    assert field(sel, "resultVariable") is None  # a handler returns its variables


# Scripts


def test_a_script_that_does_not_compile_is_refused():
    sel = select('<bpmn:scriptTask id="calc"/>', "calc")
    assert "does not compile" in refused(sel, "script", "total = price *")
    assert "lines of name = expression" in refused(sel, "script", "  ")


def test_writing_a_script_removes_a_foreign_script_format():
    sel = select('<bpmn:scriptTask id="calc" scriptFormat="javascript">'
                 "<bpmn:script>var a = 1;</bpmn:script></bpmn:scriptTask>", "calc")
    assert field(sel, "script").value == "var a = 1;"

    assert edits(sel, "script", "total = price * quantity\n") == [{
        "op": "update", "target": "element",
        "properties": {"script": "total = price * quantity", "scriptFormat": None},
    }]
    ours = select('<bpmn:scriptTask id="calc"/>', "calc")
    assert edits(ours, "script", "a = 1")[0]["properties"] == {"script": "a = 1"}


# Events

TIMER_BOUNDARY = (
    '<bpmn:userTask id="review"/>'
    '<bpmn:boundaryEvent id="late" attachedToRef="review">'
    '<bpmn:timerEventDefinition id="t"><bpmn:timeDuration>P2D</bpmn:timeDuration>'
    "</bpmn:timerEventDefinition></bpmn:boundaryEvent>"
)


def test_a_timer_cycle_reads_in_plain_language():
    sel = select(TIMER_BOUNDARY, "late")
    assert field(sel, "timer_value").reading == "after 2 days"
    assert edits(sel, "timer_kind", "timeCycle") == [{
        "op": "update", "target": "eventDefinition", "properties": {
            "timeDate": None, "timeDuration": None,
            "timeCycle": {"$create": "bpmn:FormalExpression", "body": "P2D"},
        },
    }]

    cycle = select(TIMER_BOUNDARY.replace("timeDuration", "timeCycle"), "late")
    answer = change(cycle, "timer_value", "r3/pt2h")

    assert answer["value"] == "R3/PT2H"
    assert answer["reading"] == "every 2 hours, 3 times"
    assert answer["edits"] == [{
        "op": "update", "target": "eventDefinition", "properties": {
            "timeDate": None, "timeDuration": None,
            "timeCycle": {"$create": "bpmn:FormalExpression", "body": "R3/PT2H"},
        },
    }]


def test_a_bad_duration_is_refused_and_a_value_that_no_longer_fits_is_explained():
    sel = select(TIMER_BOUNDARY, "late")
    assert "cannot be read as a duration (such as PT5M or P2D)" in refused(
        sel, "timer_value", "PT5X"
    )
    assert "such as PT5M or P2D" in refused(sel, "timer_value", "")
    assert change(sel, "timer_value", "pt5m")["value"] == "PT5M"

    as_date = select(TIMER_BOUNDARY.replace("timeDuration", "timeDate"), "late")
    assert "cannot be read as a date" in field(as_date, "timer_value").reading


def test_a_new_message_is_created_as_a_root_element_and_referenced():
    sel = select(
        '<bpmn:intermediateCatchEvent id="paid" name="Payment received">'
        '<bpmn:messageEventDefinition id="md"/></bpmn:intermediateCatchEvent>',
        "paid", roots='<bpmn:message id="Message_1" name="Order placed"/>',
    )
    assert field(sel, "message").choices == [
        ("", "choose a message"), ("Message_1", "Order placed"), ("+new", "new message"),
    ]

    assert edits(sel, "message", "+new") == [
        {"op": "addRoot", "element": {
            "$create": "bpmn:Message", "id": "Message_2", "name": "Payment received",
        }},
        {"op": "update", "target": "eventDefinition",
         "properties": {"messageRef": {"$ref": "Message_2"}}},
    ]
    assert edits(sel, "message", "Message_1") == [{
        "op": "update", "target": "eventDefinition",
        "properties": {"messageRef": {"$ref": "Message_1"}},
    }]
    assert "no message 'Message_9'" in refused(sel, "message", "Message_9")
    assert "Pick the message" in refused(sel, "message", "")


def test_the_referenced_message_is_renamed_for_every_event_that_uses_it():
    sel = select(
        '<bpmn:intermediateCatchEvent id="paid"><bpmn:messageEventDefinition messageRef="m1"/>'
        '</bpmn:intermediateCatchEvent><bpmn:receiveTask id="wait" name="Wait" messageRef="m1"/>',
        "paid",
        roots='<bpmn:message id="m1" name="Paid"/><bpmn:message id="m2" name="Cancelled"/>',
    )
    bound = field(sel, "message_name")
    assert bound.value == "Paid"
    assert bound.reading == "Also used by Wait."

    assert edits(sel, "message_name", " Payment received ") == [
        {"op": "update", "target": {"id": "m1"}, "properties": {"name": "Payment received"}}
    ]
    assert "already named 'Cancelled'" in refused(sel, "message_name", "Cancelled")


def test_an_error_boundary_catches_any_error_and_always_interrupts():
    sel = select(
        '<bpmn:serviceTask id="pay"/><bpmn:boundaryEvent id="failed" attachedToRef="pay">'
        '<bpmn:errorEventDefinition errorRef="e1"/></bpmn:boundaryEvent>',
        "failed", roots='<bpmn:error id="e1" name="Declined" errorCode="DECLINED"/>',
    )
    assert field(sel, "error").choices[:2] == [("", "any error"), ("e1", "Declined (DECLINED)")]
    assert field(sel, "interrupting") is None

    assert edits(sel, "error", "") == [
        {"op": "update", "target": "eventDefinition", "properties": {"errorRef": None}}
    ]
    assert edits(sel, "error_code", "CARD_DECLINED") == [
        {"op": "update", "target": {"id": "e1"}, "properties": {"errorCode": "CARD_DECLINED"}}
    ]
    assert "matched as written" in refused(sel, "error_code", "${code}")


def test_a_thrown_escalation_needs_a_code():
    sel = select(
        '<bpmn:endEvent id="late"><bpmn:escalationEventDefinition escalationRef="x"/>'
        "</bpmn:endEvent>", "late", roots='<bpmn:escalation id="x" name="Late"/>',
    )
    assert "Give the escalation a code" in refused(sel, "escalation_code", "")
    assert [value for value, _ in field(sel, "escalation").choices] == ["x", "+new"]


def test_a_timer_boundary_can_be_made_non_interrupting():
    sel = select(TIMER_BOUNDARY, "late")
    assert field(sel, "interrupting").value is True

    assert edits(sel, "interrupting", False) == [
        {"op": "update", "target": "element", "properties": {"cancelActivity": False}}
    ]
    assert "on or off" in refused(sel, "interrupting", "no")


def test_an_event_subprocess_start_says_whether_it_interrupts():
    sel = select(
        '<bpmn:subProcess id="sub" triggeredByEvent="true"><bpmn:startEvent id="s" '
        'isInterrupting="false"><bpmn:signalEventDefinition/></bpmn:startEvent></bpmn:subProcess>',
        "s",
    )
    assert field(sel, "interrupting").value is False
    assert edits(sel, "interrupting", True)[0]["properties"] == {"isInterrupting": True}


def test_conditional_and_link_events():
    conditional = select(
        '<bpmn:intermediateCatchEvent id="low"><bpmn:conditionalEventDefinition>'
        "<bpmn:condition>${stock &lt; 10}</bpmn:condition></bpmn:conditionalEventDefinition>"
        "</bpmn:intermediateCatchEvent>", "low",
    )
    assert field(conditional, "event_condition").value == "${stock < 10}"
    assert "not true or false" in refused(conditional, "event_condition", "${3}")
    assert edits(conditional, "event_condition", "${stock < 5}") == [{
        "op": "update", "target": "eventDefinition",
        "properties": {"condition": {"$create": "bpmn:FormalExpression", "body": "${stock < 5}"}},
    }]

    link = select('<bpmn:intermediateThrowEvent id="go"><bpmn:linkEventDefinition name="A"/>'
                  "</bpmn:intermediateThrowEvent>", "go")
    assert field(link, "link_name").value == "A"
    assert "pair by name" in refused(link, "link_name", " ")
    assert edits(link, "link_name", "B") == [
        {"op": "update", "target": "eventDefinition", "properties": {"name": "B"}}
    ]


# Call activities

CALL = (
    '<bpmn:callActivity id="call" calledElement="{key}" {attributes}>{extensions}'
    "</bpmn:callActivity>"
)


def call(key="billing", attributes="", extensions="", processes=""):
    body = CALL.format(key=key, attributes=attributes, extensions=extensions)
    return select(body, "call", processes=processes)


@pytest.mark.django_db
def test_the_called_process_is_chosen_among_deployed_and_local_processes():
    from processes.deployments import deploy

    deploy(simple_process(key="invoice", name="Invoice approval"), name="invoice.bpmn")
    sel = call(key="legacy", processes='<bpmn:process id="billing" isExecutable="true"/>')

    assert dict(field(sel, "calledElement").choices) == {
        "billing": "billing (this file)",
        "invoice": "Invoice approval (invoice)",
        "legacy": "legacy (not deployed)",
        "order": "order (this file)",
    }
    assert edits(sel, "calledElement", "invoice") == [
        {"op": "update", "target": "element", "properties": {"calledElement": "invoice"}}
    ]
    assert "No process with the key 'nowhere'" in refused(sel, "calledElement", "nowhere")
    assert change(sel, "calledElement", "${target}")["error"] is None


@pytest.mark.django_db
def test_a_fixed_version_is_asked_for_only_with_that_binding():
    sel = call(attributes='camunda:calledElementBinding="version" camunda:calledElementVersion="2"')
    assert field(sel, "calledElementBinding").value == "version"
    assert field(sel, "calledElementVersion").value == "2"
    assert "at least 1" in refused(sel, "calledElementVersion", "0")
    assert "Give the version" in refused(sel, "calledElementVersion", "")

    assert edits(sel, "calledElementBinding", "latest") == [{
        "op": "update", "target": "element", "properties": {
            "baton:calledElementBinding": None, "camunda:calledElementBinding": None,
            "baton:calledElementVersion": None, "camunda:calledElementVersion": None,
        },
    }]
    assert field(call(), "calledElementVersion") is None


CAMUNDA_MAPPINGS = (
    '<bpmn:extensionElements><other:audit/>'
    '<camunda:in businessKey="${execution.processBusinessKey}"/>'
    '<camunda:in source="amount" target="total"/>'
    '<camunda:out variables="all"/></bpmn:extensionElements>'
)


@pytest.mark.django_db
def test_mappings_are_written_as_ours_and_keep_the_business_key():
    sel = call(extensions=CAMUNDA_MAPPINGS)
    assert field(sel, "inputs").value == [
        {"source": "amount", "source_expression": "", "target": "total", "all": False,
         "local": False},
    ]
    assert field(sel, "businessKey").value == "${execution.processBusinessKey}"
    assert [(column.name, value) for column, value in field(sel, "outputs").rows[0]] == [
        ("source", ""), ("target", ""), ("source_expression", ""), ("all", True), ("local", False),
    ]

    [edit] = edits(sel, "inputs", [
        {"source": "", "source_expression": "${amount * 2}", "target": "doubled"},
        {"all": "true", "local": "on"},
    ])

    extensions = fragment(edit)
    assert [(etree.QName(child).namespace, etree.QName(child).localname, dict(child.attrib))
            for child in extensions] == [
        ("http://example.com/other", "audit", {}),
        ("http://baton-bpm.org/schema/1.0/bpmn", "in",
         {"businessKey": "${execution.processBusinessKey}"}),
        ("http://baton-bpm.org/schema/1.0/bpmn", "in",
         {"sourceExpression": "${amount * 2}", "target": "doubled"}),
        ("http://baton-bpm.org/schema/1.0/bpmn", "in", {"variables": "all", "local": "true"}),
        ("http://baton-bpm.org/schema/1.0/bpmn", "out", {"variables": "all"}),
    ]


@pytest.mark.django_db
def test_bad_mappings_are_refused_with_the_row_named():
    sel = call()
    assert "Mapping 1 passes all variables" in refused(
        sel, "inputs", [{"all": True, "target": "x"}]
    )
    assert "either a source variable or a source expression" in refused(
        sel, "inputs", [{"source": "a", "source_expression": "${b}", "target": "c"}]
    )
    assert "name the target" in refused(sel, "outputs", [{"source": "a"}])
    assert "already sets 'c'" in refused(
        sel, "outputs", [{"source": "a", "target": "c"}, {"source": "b", "target": "c"}]
    )
    assert "does not compile" in refused(sel, "businessKey", "${order.}")


# Loops


def test_switching_to_a_sequential_multi_instance_creates_its_characteristics():
    sel = select('<bpmn:userTask id="review"/>', "review")
    assert field(sel, "loop_type").value == ""
    assert field(sel, "collection") is None

    assert edits(sel, "loop_type", "sequential") == [{
        "op": "update", "target": "element", "properties": {"loopCharacteristics": {
            "$create": "bpmn:MultiInstanceLoopCharacteristics", "isSequential": True,
        }},
    }]
    assert edits(sel, "loop_type", "loop") == [{
        "op": "update", "target": "element",
        "properties": {"loopCharacteristics": {"$create": "bpmn:StandardLoopCharacteristics"}},
    }]


PARALLEL_REVIEW = (
    '<bpmn:userTask id="review"><bpmn:multiInstanceLoopCharacteristics '
    'camunda:collection="${reviewers}" camunda:elementVariable="reviewer">'
    "<bpmn:completionCondition>${nrOfCompletedInstances &gt;= 2}</bpmn:completionCondition>"
    "</bpmn:multiInstanceLoopCharacteristics></bpmn:userTask>"
)


def test_switching_parallel_to_sequential_keeps_the_collection():
    sel = select(PARALLEL_REVIEW, "review")
    assert field(sel, "loop_type").value == "parallel"
    assert field(sel, "collection").value == "${reviewers}"
    assert field(sel, "completion_condition").value == "${nrOfCompletedInstances >= 2}"

    assert edits(sel, "loop_type", "sequential") == [
        {"op": "update", "target": "loopCharacteristics", "properties": {"isSequential": True}}
    ]
    assert edits(sel, "loop_type", "") == [
        {"op": "update", "target": "element", "properties": {"loopCharacteristics": None}}
    ]


def test_multi_instance_settings_are_checked_and_written_on_the_characteristics():
    sel = select(PARALLEL_REVIEW, "review")

    assert edits(sel, "collection", "${approvers}") == [{
        "op": "update", "target": "loopCharacteristics",
        "properties": {"baton:collection": "${approvers}", "camunda:collection": None},
    }]
    assert "cannot be the name of the element variable" in refused(
        sel, "elementVariable", "the reviewer"
    )
    assert "whole number of at least 0" in refused(sel, "loop_cardinality", "${-1}")
    assert edits(sel, "loop_cardinality", "3") == [{
        "op": "update", "target": "loopCharacteristics",
        "properties": {"loopCardinality": {"$create": "bpmn:FormalExpression", "body": "3"}},
    }]
    assert edits(sel, "completion_condition", "") == [
        {"op": "update", "target": "loopCharacteristics",
         "properties": {"completionCondition": None}}
    ]
    assert "not true or false" in refused(sel, "completion_condition", "${42}")


def test_a_standard_loop_has_a_loop_condition():
    sel = select('<bpmn:task id="t"><bpmn:standardLoopCharacteristics/></bpmn:task>', "t")
    assert field(sel, "collection") is None
    assert edits(sel, "loop_condition", "${not approved}") == [{
        "op": "update", "target": "loopCharacteristics",
        "properties": {"loopCondition": {"$create": "bpmn:FormalExpression",
                                         "body": "${not approved}"}},
    }]


# Execution


def test_camunda_async_flags_are_read_and_removed_when_written():
    sel = select(
        '<bpmn:userTask id="t" camunda:asyncBefore="true" camunda:asyncAfter="true"/>', "t"
    )
    assert field(sel, "asyncBefore").value is True
    assert field(sel, "asyncAfter").value is True

    assert edits(sel, "asyncBefore", False) == [{
        "op": "update", "target": "element",
        "properties": {"baton:asyncBefore": None, "camunda:asyncBefore": None},
    }]
    older = select('<bpmn:userTask id="t" camunda:async="true"/>', "t")
    assert field(older, "asyncBefore").value is True
    assert edits(older, "asyncBefore", True)[0]["properties"] == {
        "baton:asyncBefore": True, "camunda:async": None,
    }


def test_retries_show_where_the_engine_retries():
    assert field(select('<bpmn:userTask id="t"/>', "t"), "retries") is None
    worker = select('<bpmn:serviceTask id="s" baton:type="external" baton:topic="x"/>', "s")
    assert field(worker, "retries") is None

    sel = select('<bpmn:serviceTask id="s" baton:handler="demo.pay_invoice"/>', "s")
    assert edits(sel, "retries", "0") == [
        {"op": "update", "target": "element", "properties": {"baton:retries": 0}}
    ]
    assert "whole number" in refused(sel, "retries", "three")
    assert "at least 0" in refused(sel, "retries", "-1")


def test_a_retry_cycle_replaces_camundas_and_reads_in_plain_language():
    sel = select(
        '<bpmn:serviceTask id="s" baton:handler="demo.pay_invoice"><bpmn:extensionElements>'
        "<camunda:failedJobRetryTimeCycle>R5/PT1M</camunda:failedJobRetryTimeCycle>"
        "</bpmn:extensionElements></bpmn:serviceTask>", "s",
    )
    assert field(sel, "retryCycle").value == "R5/PT1M"

    answer = change(sel, "retryCycle", "r3/pt10s")

    assert answer["reading"] == "retried every 10 seconds, 3 times"
    assert answer["edits"] == [{
        "op": "update", "target": "element",
        "properties": {"baton:retryCycle": "R3/PT10S", "extensionElements": None},
    }]
    assert "not a retry cycle Baton can follow" in refused(sel, "retryCycle", "R3/PT1H30M")
    assert "cannot be read as a cycle" in refused(sel, "retryCycle", "R3/PT")


# Measurement


def test_the_sla_is_a_duration_normalised_and_read_in_words():
    sel = select("", "order")
    answer = change(sel, "sla", " p3d ")

    assert (answer["value"], answer["reading"]) == ("P3D", "3 days")
    assert answer["edits"] == [
        {"op": "update", "target": "process", "properties": {"baton:sla": "P3D"}}
    ]
    assert "write the SLA as P3D" in refused(sel, "sla", "3 days")
    assert "cannot be read as a duration" in refused(sel, "sla", "P3X")


def test_the_requested_at_variable_and_quality_gate_are_checked():
    process = select("", "order")
    assert "cannot be the name of the requested-at variable" in refused(
        process, "requestedAtVariable", "received at"
    )
    task = select('<bpmn:userTask id="check" camunda:qualityGate="${ok}"/>', "check")
    assert "first-pass yield" in field(task, "qualityGate").field.help
    assert "not true or false" in refused(task, "qualityGate", "${'yes'}")
    assert edits(task, "qualityGate", "${approved}") == [{
        "op": "update", "target": "element",
        "properties": {"baton:qualityGate": "${approved}", "camunda:qualityGate": None},
    }]
