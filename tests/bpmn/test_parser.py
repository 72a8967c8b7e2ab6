import dataclasses
from pathlib import Path

import pytest

from processes.bpmn import compile_definitions, parse_xml
from processes.bpmn.model import ExpressionText, TimerText

from .documents import definitions, flow, large_model, process, straight

MIWG = Path(__file__).resolve().parents[1] / "conformance" / "miwg"


def compile_bytes(data: bytes, **options):
    return compile_definitions(parse_xml(data), **options)


def test_it_compiles_every_process_of_a_file_with_its_executable_flag():
    defs = compile_bytes(
        definitions(
            process('<startEvent id="a"/>', id="first", attributes='name="First"'),
            process('<startEvent id="b"/>', id="second", executable=False),
        )
    )
    assert list(defs.processes) == ["first", "second"]
    assert defs.processes["first"].name == "First"
    assert defs.processes["first"].is_executable
    assert not defs.processes["second"].is_executable


def test_a_process_without_is_executable_is_not_executable():
    defs = compile_bytes(definitions('<process id="p"><startEvent id="s"/></process>'))
    assert not defs.processes["p"].is_executable


def test_it_indexes_nodes_and_flows_with_their_connections():
    defs = compile_bytes(straight())
    process_ = defs.processes["p"]
    task = process_.nodes["task"]
    assert (task.kind, task.name, task.scope) == ("userTask", "Approve", "p")
    assert task.incoming == ("f1",) and task.outgoing == ("f2",)
    assert (process_.flows["f2"].source, process_.flows["f2"].target) == ("task", "end")
    assert process_.start_events == ("start",)
    assert defs.process_of("task") is process_


def test_it_keeps_conditions_with_their_language_and_default_flows():
    defs = compile_bytes(
        definitions(
            process(
                '<startEvent id="s"/>',
                flow("f0", "s", "g"),
                '<exclusiveGateway id="g" default="no" gatewayDirection="Diverging"/>',
                '<sequenceFlow id="yes" sourceRef="g" targetRef="e"><conditionExpression '
                'xsi:type="tFormalExpression" language="juel">${amount &gt; 1000}'
                "</conditionExpression>"
                "</sequenceFlow>",
                flow("no", "g", "e"),
                '<endEvent id="e"/>',
            )
        )
    )
    process_ = defs.processes["p"]
    assert process_.flows["yes"].condition == ExpressionText("${amount > 1000}", "juel")
    assert process_.flows["no"].condition is None
    assert process_.nodes["g"].default_flow == "no"
    assert process_.nodes["g"].gateway_direction == "Diverging"


def test_it_reads_every_kind_of_event_definition():
    defs = compile_bytes(
        definitions(
            '<message id="m" name="Order"/><signal id="sig" name="Alarm"/>'
            '<error id="err" name="Failed" errorCode="E42"/>'
            '<escalation id="esc" name="Late" escalationCode="LATE"/>',
            process(
                '<startEvent id="s1"><messageEventDefinition messageRef="m"/></startEvent>',
                '<startEvent id="s2"><timerEventDefinition><timeCycle>R3/PT10M</timeCycle>'
                "</timerEventDefinition></startEvent>",
                '<startEvent id="s3"><conditionalEventDefinition><condition>${ready}</condition>'
                "</conditionalEventDefinition></startEvent>",
                (
                    '<intermediateThrowEvent id="t1">'
                    '<signalEventDefinition signalRef="sig"/></intermediateThrowEvent>'
                ),
                (
                    '<intermediateThrowEvent id="t2">'
                    '<linkEventDefinition name="jump"/></intermediateThrowEvent>'
                ),
                '<intermediateThrowEvent id="t3"><compensateEventDefinition activityRef="a" '
                'waitForCompletion="false"/></intermediateThrowEvent>',
                '<endEvent id="e1"><errorEventDefinition errorRef="err"/></endEvent>',
                '<endEvent id="e2"><escalationEventDefinition escalationRef="esc"/></endEvent>',
                '<endEvent id="e3"><terminateEventDefinition/></endEvent>',
                '<endEvent id="e4"><cancelEventDefinition/></endEvent>',
                '<task id="a"/>',
            ),
        )
    )
    nodes = defs.processes["p"].nodes
    assert nodes["s1"].event_definitions[0].ref == "m"
    assert nodes["s2"].event_definitions[0].timer == TimerText("timeCycle", "R3/PT10M")
    assert nodes["s3"].event_definitions[0].condition.text == "${ready}"
    assert nodes["t2"].event_definitions[0].link_name == "jump"
    compensation = nodes["t3"].event_definitions[0]
    assert (compensation.activity_ref, compensation.wait_for_completion) == ("a", False)
    assert [nodes[n].trigger for n in ("t1", "e1", "e2", "e3", "e4")] == [
        "signal",
        "error",
        "escalation",
        "terminate",
        "cancel",
    ]
    assert defs.errors["err"].code == "E42"
    assert defs.escalations["esc"].code == "LATE"
    assert defs.messages["m"].name == "Order" and defs.signals["sig"].name == "Alarm"


def test_an_event_with_several_definitions_is_multiple():
    defs = compile_bytes(
        definitions(
            process(
                '<startEvent id="s" parallelMultiple="true">'
                "<messageEventDefinition/><signalEventDefinition/>"
                "</startEvent>"
            )
        )
    )
    start = defs.processes["p"].nodes["s"]
    assert start.trigger == "multiple" and start.parallel_multiple


def test_it_shares_event_definitions_declared_at_the_top():
    defs = compile_bytes(
        definitions(
            '<signal id="sig"/><signalEventDefinition id="shared" signalRef="sig"/>',
            process(
                '<startEvent id="s"><eventDefinitionRef>shared</eventDefinitionRef></startEvent>'
            ),
        )
    )
    assert defs.processes["p"].nodes["s"].event_definitions[0].ref == "sig"


def test_it_attaches_boundary_events_to_their_activity():
    defs = compile_bytes(
        straight(
            '<userTask id="task"/>',
            '<boundaryEvent id="late" attachedToRef="task" cancelActivity="false">'
            "<timerEventDefinition><timeDuration>P1D</timeDuration></timerEventDefinition></boundaryEvent>",
        )
    )
    nodes = defs.processes["p"].nodes
    assert nodes["task"].boundary_events == ("late",)
    assert nodes["late"].attached_to == "task"
    assert not nodes["late"].cancel_activity


def test_it_builds_a_scope_per_subprocess_with_its_own_start_events():
    defs = compile_bytes(
        definitions(
            process(
                '<startEvent id="s"/>',
                flow("f1", "s", "sub"),
                '<subProcess id="sub"><startEvent id="inner_start"/>'
                + flow("i1", "inner_start", "inner_end")
                + '<endEvent id="inner_end"/>'
                '<subProcess id="handler" triggeredByEvent="true">'
                '<startEvent id="on_error" isInterrupting="false">'
                "<messageEventDefinition/></startEvent>"
                "</subProcess></subProcess>",
                flow("f2", "sub", "e"),
                '<endEvent id="e"/>',
                '<transaction id="tx"/><adHocSubProcess id="adhoc" ordering="Sequential">'
                '<task id="maybe"/>'
                "<completionCondition>${done}</completionCondition></adHocSubProcess>",
            )
        )
    )
    process_ = defs.processes["p"]
    scopes = process_.scopes
    assert scopes["p"].node_ids == ("s", "sub", "e", "tx", "adhoc")
    assert scopes["sub"].parent == "p" and scopes["sub"].start_events == ("inner_start",)
    assert scopes["sub"].event_subprocesses == ("handler",) and scopes["sub"].flow_ids == ("i1",)
    assert scopes["handler"].is_event_subprocess and scopes["handler"].start_events == ("on_error",)
    assert process_.nodes["handler"].triggered_by_event
    assert not process_.nodes["on_error"].is_interrupting
    assert (scopes["tx"].kind, scopes["adhoc"].kind) == ("transaction", "adHocSubProcess")
    assert process_.nodes["adhoc"].ad_hoc.ordering == "Sequential"
    assert process_.nodes["adhoc"].ad_hoc.completion_condition.text == "${done}"
    assert process_.nodes["inner_end"].scope == "sub"


def test_it_reads_activities_details():
    defs = compile_bytes(
        definitions(
            '<message id="m"/>',
            process(
                '<callActivity id="call" calledElement="billing"/>',
                (
                    '<scriptTask id="script" scriptFormat="baton">'
                    "<script>total = price * 2</script></scriptTask>"
                ),
                '<receiveTask id="receive" messageRef="m" instantiate="true"/>',
                '<task id="undo" isForCompensation="true" startQuantity="2"/>',
                '<eventBasedGateway id="wait" instantiate="true" eventGatewayType="Parallel"/>',
            ),
        )
    )
    nodes = defs.processes["p"].nodes
    assert nodes["call"].called_element == "billing"
    assert (nodes["script"].script, nodes["script"].script_format) == ("total = price * 2", "baton")
    assert nodes["receive"].message_ref == "m" and nodes["receive"].instantiate
    assert nodes["undo"].is_for_compensation and nodes["undo"].start_quantity == 2
    assert nodes["wait"].instantiate and nodes["wait"].event_gateway_type == "Parallel"


def test_it_reads_multi_instance_and_loop_characteristics():
    defs = compile_bytes(
        definitions(
            process(
                '<userTask id="review"><multiInstanceLoopCharacteristics isSequential="true" '
                'camunda:collection="${reviewers}" camunda:elementVariable="reviewer">'
                "<completionCondition>${approvals &gt;= 2}</completionCondition>"
                "</multiInstanceLoopCharacteristics></userTask>",
                '<task id="count"><multiInstanceLoopCharacteristics>'
                "<loopCardinality>3</loopCardinality><loopDataOutputRef>results</loopDataOutputRef>"
                '<outputDataItem id="result_item" name="result"/>'
                "</multiInstanceLoopCharacteristics></task>",
                '<task id="retry"><standardLoopCharacteristics testBefore="true" loopMaximum="5">'
                "<loopCondition>${again}</loopCondition></standardLoopCharacteristics></task>",
            )
        )
    )
    nodes = defs.processes["p"].nodes
    review = nodes["review"].multi_instance
    assert review.is_sequential
    assert (review.input_collection, review.input_element) == ("${reviewers}", "reviewer")
    assert review.completion_condition.text == "${approvals >= 2}"
    count = nodes["count"].multi_instance
    assert count.loop_cardinality.text == "3" and not count.is_sequential
    assert (count.output_collection, count.output_element) == ("results", "result")
    loop = nodes["retry"].standard_loop
    assert (loop.condition.text, loop.test_before, loop.maximum) == ("${again}", True, 5)


def test_it_links_a_compensation_boundary_event_to_its_handler():
    defs = compile_bytes(
        definitions(
            process(
                '<task id="book"/>',
                (
                    '<boundaryEvent id="on_undo" attachedToRef="book">'
                    "<compensateEventDefinition/></boundaryEvent>"
                ),
                '<task id="cancel_booking" isForCompensation="true"/>',
                '<association id="a" sourceRef="on_undo" targetRef="cancel_booking"/>',
            )
        )
    )
    assert defs.processes["p"].nodes["on_undo"].compensation_handler == "cancel_booking"


def test_it_reads_collaborations_pools_lanes_and_message_flows():
    defs = compile_bytes(
        definitions(
            '<collaboration id="c"><participant id="pool" name="Shop" processRef="p"/>'
            '<participant id="customer" name="Customer"/>'
            '<messageFlow id="mf" sourceRef="customer" targetRef="s" messageRef="order"/>'
            "</collaboration>",
            '<message id="order"/>',
            process(
                '<laneSet id="ls"><lane id="sales" name="Sales"><flowNodeRef>s</flowNodeRef>'
                '<childLaneSet id="cls"><lane id="desk" name="Front desk">'
                "<flowNodeRef>t</flowNodeRef>"
                "</lane></childLaneSet></lane></laneSet>",
                '<startEvent id="s"/><task id="t"/>',
                '<dataObject id="do"/><dataObjectReference id="dor" dataObjectRef="do"/>'
                '<dataStoreReference id="dsr"/>',
            ),
        )
    )
    collaboration = defs.collaborations["c"]
    assert [(p.id, p.process_ref) for p in collaboration.participants] == [
        ("pool", "p"),
        ("customer", None),
    ]
    message_flow = collaboration.message_flows[0]
    assert (message_flow.source, message_flow.target, message_flow.message_ref) == (
        "customer",
        "s",
        "order",
    )
    process_ = defs.processes["p"]
    assert dict(process_.lane_of) == {"s": "Sales", "t": "Front desk"}
    assert process_.lanes[0].lanes[0].id == "desk"
    assert process_.data_objects == ("do", "dor") and process_.data_stores == ("dsr",)


def test_it_keeps_documentation():
    defs = compile_bytes(
        straight('<userTask id="task"><documentation>Check the amount.</documentation></userTask>')
    )
    assert defs.processes["p"].nodes["task"].documentation == "Check the amount."


def test_it_keeps_unknown_and_foreign_elements_out_of_the_model():
    defs = compile_bytes(
        definitions(
            '<vendor:thing xmlns:vendor="urn:vendor" id="v1"/>',
            process(
                '<startEvent id="s"><extensionElements><vendor:style xmlns:vendor="urn:vendor" '
                'colour="red"/></extensionElements></startEvent>',
                '<vendor:widget xmlns:vendor="urn:vendor" id="w"/>',
                "<futureElement id='f'/>",
            ),
        )
    )
    assert list(defs.processes["p"].nodes) == ["s"]


def test_documentation_import_compiles_every_process_as_not_executable():
    defs = compile_bytes(straight(), as_documentation=True)
    assert not defs.processes["p"].is_executable


def test_it_reports_duplicate_ids_found_in_the_xml():
    defs = compile_bytes(
        definitions(process('<task id="same"/>', '<task id="same" name="Again"/>'))
    )
    duplicates = [p for p in defs.problems if p.code == "duplicate-id"]
    assert [p.element_id for p in duplicates] == ["same"]


def test_it_reports_elements_without_an_id_and_leaves_them_out():
    defs = compile_bytes(definitions(process('<task name="Nameless"/>', '<task id="ok"/>')))
    assert list(defs.processes["p"].nodes) == ["ok"]
    assert any("Nameless" in p.message for p in defs.problems if p.code == "missing-id")


def test_it_reports_numbers_it_cannot_read():
    defs = compile_bytes(definitions(process('<task id="t" startQuantity="many"/>')))
    assert any(p.element_id == "t" and "many" in p.message for p in defs.problems)


def test_the_model_cannot_be_changed():
    defs = compile_bytes(straight())
    process_ = defs.processes["p"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        process_.nodes["task"].name = "Other"
    with pytest.raises(TypeError):
        process_.nodes["extra"] = process_.nodes["task"]
    assert isinstance(process_.nodes["task"].outgoing, tuple)


def test_it_compiles_every_miwg_reference_model():
    for path in sorted(MIWG.glob("reference/*.bpmn")):
        defs = compile_bytes(path.read_bytes())
        assert defs.processes, path.name


def test_it_compiles_a_large_model_with_every_node_found_by_id():
    defs = compile_bytes(large_model(500))
    nodes = defs.processes["p"].nodes
    assert len([n for n in nodes.values() if n.kind == "userTask"]) == 500
    assert nodes["check9"].default_flow == "back9"
    assert nodes["task0"].incoming == ("to_task0", "back9")
