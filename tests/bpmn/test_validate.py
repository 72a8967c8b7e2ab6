from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from processes.bpmn import (
    BpmnError,
    BpmnValidationError,
    compile_definitions,
    load_definitions,
    parse_xml,
    schema_warnings,
    validate,
)
from processes.bpmn.validate import EXECUTABLE_KINDS

from .documents import definitions, flow, process, straight


def errors(data: bytes) -> list:
    return [p for p in validate(compile_definitions(parse_xml(data))) if p.severity == "error"]


def error_codes(data: bytes) -> dict[str, str]:
    """Map each element with an error to the code of its first error."""
    found = {}
    for problem in errors(data):
        found.setdefault(problem.element_id, problem.code)
    return found


def chain(*middle: str, executable=True, extra=(), roots=()) -> bytes:
    """start → the middle elements → end, joined by flows f0, f1...; extra goes in the process."""
    ids = ["start"] + [m.split('id="')[1].split('"')[0] for m in middle] + ["end"]
    flows = [flow(f"f{i}", ids[i], ids[i + 1]) for i in range(len(ids) - 1)]
    return definitions(
        *roots,
        process(
            '<startEvent id="start"/>',
            *middle,
            '<endEvent id="end"/>',
            *flows,
            *extra,
            executable=executable,
        ),
    )


def test_a_straight_process_loads_without_problems():
    result = load_definitions(straight())
    assert list(result.definitions.processes) == ["p"]
    assert [p for p in result.problems if p.severity == "error"] == []
    assert result.tree.getroot().get("id") == "defs"


def test_load_refuses_a_file_with_errors_and_names_the_element():
    with pytest.raises(BpmnValidationError) as refused:
        load_definitions(
            chain('<exclusiveGateway id="choice"/>', extra=[flow("other", "choice", "end")])
        )
    assert any(p.element_id == "choice" for p in refused.value.problems)
    assert all(
        isinstance(p.message, str) and p.message[0].isupper() for p in refused.value.problems
    )


def test_load_returns_warnings_with_the_model():
    result = load_definitions(chain('<callActivity id="call" calledElement="elsewhere"/>'))
    assert [(p.element_id, p.code) for p in result.problems] == [("call", "called-element")]


def test_a_called_element_chosen_by_an_expression_is_not_looked_for_in_the_file():
    result = load_definitions(chain('<callActivity id="call" calledElement="${which}"/>'))
    assert [p.code for p in result.problems] == ["xsd"], "only the schema, which wants a QName"


def test_documentation_import_accepts_an_executable_model_that_cannot_run_yet():
    data = chain('<exclusiveGateway id="choice"/>', extra=[flow("other", "choice", "end")])
    result = load_definitions(data, as_documentation=True)
    assert not result.definitions.processes["p"].is_executable


def test_it_refuses_an_executable_process_without_a_start_event():
    data = definitions(process('<task id="a"/>', flow("f", "a", "e"), '<endEvent id="e"/>'))
    assert error_codes(data)["p"] == "no-start-event"


def test_a_receive_task_that_instantiates_is_a_start():
    data = definitions(
        '<message id="m"/>',
        process(
            '<receiveTask id="r" messageRef="m" instantiate="true"/>',
            flow("f", "r", "e"),
            '<endEvent id="e"/>',
        ),
    )
    assert errors(data) == []


def test_it_refuses_a_node_no_start_event_reaches():
    data = chain(
        '<task id="a"/>',
        extra=[
            '<task id="island"/>',
            '<task id="lost"/>',
            flow("g1", "island", "lost"),
            flow("g2", "lost", "end"),
        ],
    )
    codes = error_codes(data)
    assert codes["island"] == "no-incoming" and codes["lost"] == "unreachable"


def test_it_refuses_a_loop_with_no_way_out():
    data = chain(
        '<exclusiveGateway id="split" default="go"/>',
        extra=[
            '<task id="spin"/>',
            flow("loop", "split", "spin", "${again}"),
            flow("back", "spin", "spin2"),
            '<task id="spin2"/>',
            flow("again", "spin2", "spin"),
        ],
    ).replace(b'id="f1" sourceRef="split"', b'id="go" sourceRef="split"')
    assert error_codes(data)["spin"] == "no-path-to-end"


def test_it_refuses_a_gateway_without_outgoing_flows():
    data = definitions(
        process(
            '<startEvent id="s"/>',
            flow("f", "s", "g"),
            '<parallelGateway id="g"/>',
            '<endEvent id="e"/>',
        )
    )
    assert error_codes(data)["g"] == "gateway-outgoing"


@pytest.mark.parametrize("gateway", ["exclusiveGateway", "inclusiveGateway"])
def test_it_refuses_a_split_with_several_unconditional_flows_and_no_default(gateway):
    data = chain(f'<{gateway} id="g"/>', extra=[flow("f3", "g", "end")])
    problem = next(p for p in errors(data) if p.element_id == "g")
    assert problem.code == "gateway-conditions" and "f1, f3" in problem.message


def test_a_split_with_conditions_or_a_default_is_accepted():
    conditions = chain('<exclusiveGateway id="g"/>').replace(
        b'<sequenceFlow id="f1" sourceRef="g" targetRef="end"/>',
        flow("f1", "g", "end", "${amount &gt; 10}").encode()
        + flow("f3", "g", "end", "${amount &lt;= 10}").encode(),
    )
    with_default = chain(
        '<exclusiveGateway id="g" default="f1"/>', extra=[flow("f3", "g", "end", "${late}")]
    )
    assert errors(conditions) == [] and errors(with_default) == []


@pytest.mark.parametrize(
    "element, code",
    [
        ('<task id="a"/>', None),
        ('<scriptTask id="a"><script>total = price *</script></scriptTask>', "script"),
        (
            '<scriptTask id="a" scriptFormat="groovy"><script>x = 1</script></scriptTask>',
            "script-format",
        ),
        ('<scriptTask id="a"/>', "script"),
        (
            '<intermediateCatchEvent id="a"><timerEventDefinition><timeDuration>soon</timeDuration>'
            "</timerEventDefinition></intermediateCatchEvent>",
            "timer",
        ),
        (
            '<intermediateCatchEvent id="a"><timerEventDefinition>'
            "<timeDuration>${delay}</timeDuration>"
            "</timerEventDefinition></intermediateCatchEvent>",
            None,
        ),
        (
            '<intermediateCatchEvent id="a"><timerEventDefinition>'
            "<timeCycle>0 9 * * 1-5</timeCycle>"
            "</timerEventDefinition></intermediateCatchEvent>",
            None,
        ),
        (
            '<intermediateCatchEvent id="a"><timerEventDefinition/></intermediateCatchEvent>',
            "timer",
        ),
        ('<serviceTask id="a"/>', "implementation"),
        ('<serviceTask id="a" baton:handler="mail.send"/>', None),
        ('<serviceTask id="a" baton:type="http"/>', "implementation"),
        ('<serviceTask id="a" baton:type="external"/>', "implementation"),
        ('<userTask id="a" baton:assignee="${manager(}"/>', "expression"),
        (
            '<userTask id="a"><multiInstanceLoopCharacteristics>'
            "<loopCardinality>-1</loopCardinality>"
            "</multiInstanceLoopCharacteristics></userTask>",
            "expression-type",
        ),
        ('<userTask id="a"><multiInstanceLoopCharacteristics/></userTask>', "multi-instance"),
        (
            '<userTask id="a"><standardLoopCharacteristics><loopCondition>42</loopCondition>'
            "</standardLoopCharacteristics></userTask>",
            "expression-type",
        ),
        ('<callActivity id="a"/>', "called-element"),
        (
            '<callActivity id="a" calledElement="b" baton:calledElementBinding="version"/>',
            "called-element",
        ),
    ],
)
def test_it_checks_what_an_element_needs_to_run(element, code):
    assert error_codes(chain(element)).get("a") == code


def test_it_refuses_a_condition_that_does_not_compile():
    data = chain('<task id="a"/>').replace(
        b'<sequenceFlow id="f1" sourceRef="a" targetRef="end"/>',
        flow("f1", "a", "end", "amount &gt;&gt; 3").encode()
        + flow("f9", "a", "end", "${ok}").encode(),
    )
    problem = next(p for p in errors(data) if p.element_id == "f1")
    assert problem.code == "expression" and "amount >> 3" in problem.message


@pytest.mark.parametrize(
    "broken, element",
    [
        ('<sequenceFlow id="x" sourceRef="nowhere" targetRef="end"/>', "x"),
        ('<sequenceFlow id="x" sourceRef="start" targetRef="nowhere"/>', "x"),
        (
            '<boundaryEvent id="x" attachedToRef="nowhere"><timerEventDefinition/></boundaryEvent>',
            "x",
        ),
        (
            (
                '<intermediateThrowEvent id="x">'
                '<messageEventDefinition messageRef="nowhere"/></intermediateThrowEvent>'
            ),
            "x",
        ),
        (
            (
                '<intermediateThrowEvent id="x">'
                '<signalEventDefinition signalRef="nowhere"/></intermediateThrowEvent>'
            ),
            "x",
        ),
        ('<endEvent id="x"><errorEventDefinition errorRef="nowhere"/></endEvent>', "x"),
        ('<endEvent id="x"><escalationEventDefinition escalationRef="nowhere"/></endEvent>', "x"),
    ],
)
def test_it_refuses_dangling_references_even_in_documentation(broken, element):
    data = definitions(
        process(
            '<startEvent id="start"/>',
            flow("f", "start", "end"),
            '<endEvent id="end"/>',
            broken,
            executable=False,
        )
    )
    assert element in error_codes(data)


def test_non_executable_processes_are_only_checked_for_coherence():
    data = chain('<exclusiveGateway id="g"/>', '<complexGateway id="c"/>', executable=False)
    assert errors(data) == []


def test_it_refuses_duplicate_ids():
    data = chain('<task id="twin"/>', extra=['<task id="twin" name="Other"/>'])
    assert error_codes(data)["twin"] == "duplicate-id"


def test_it_refuses_a_file_without_any_process():
    data = definitions('<collaboration id="c"><participant id="pool"/></collaboration>')
    assert error_codes(data)["defs"] == "no-process"


def test_it_refuses_a_sequence_flow_between_pools():
    data = definitions(
        process('<startEvent id="s1"/>', flow("cross", "s1", "e2"), '<endEvent id="e1"/>', id="p1"),
        process('<startEvent id="s2"/>', '<endEvent id="e2"/>', id="p2"),
    )
    problem = next(p for p in errors(data) if p.element_id == "cross")
    assert "another pool" in problem.message


def test_it_applies_the_bpmn_rules_for_events():
    data = chain(
        '<task id="a"/>',
        roots=['<message id="m"/>'],
        extra=[
            flow("into_start", "a", "start"),
            '<boundaryEvent id="late" attachedToRef="a"><timerEventDefinition><timeDuration>PT1H'
            "</timeDuration></timerEventDefinition></boundaryEvent>",
            '<subProcess id="handler" triggeredByEvent="true"><startEvent id="hs">'
            '<messageEventDefinition messageRef="m"/></startEvent>'
            + flow("h1", "hs", "he")
            + '<endEvent id="he"/></subProcess>',
            flow("into_handler", "a", "handler"),
        ],
    )
    codes = error_codes(data)
    assert codes["start"] == "start-incoming"
    assert codes["late"] == "boundary-outgoing"
    assert codes["handler"] == "event-subprocess-flow"


def test_every_kind_the_parser_knows_is_executable():
    assert {
        "complexGateway",
        "adHocSubProcess",
        "transaction",
        "callActivity",
        "eventBasedGateway",
    } <= EXECUTABLE_KINDS


SNIPPETS = [
    '<startEvent id="{a}"/>',
    '<endEvent id="{a}"/>',
    '<task id="{a}" default="{b}"/>',
    '<exclusiveGateway id="{a}" default="{b}"/>',
    '<parallelGateway id="{a}"/>',
    '<sequenceFlow id="{a}" sourceRef="{b}" targetRef="{c}"/>',
    (
        '<boundaryEvent id="{a}" attachedToRef="{b}" cancelActivity="{v}">'
        '<errorEventDefinition errorRef="{c}"/></boundaryEvent>'
    ),
    '<subProcess id="{a}" triggeredByEvent="{v}"><startEvent id="{b}"/></subProcess>',
    (
        '<intermediateCatchEvent id="{a}"><timerEventDefinition>'
        "<timeCycle>{v}</timeCycle></timerEventDefinition></intermediateCatchEvent>"
    ),
    '<intermediateThrowEvent id="{a}"><linkEventDefinition name="{v}"/></intermediateThrowEvent>',
    '<scriptTask id="{a}" scriptFormat="{v}"><script>{v}</script></scriptTask>',
    (
        '<userTask id="{a}" baton:assignee="{v}"><multiInstanceLoopCharacteristics>'
        "<loopCardinality>{v}</loopCardinality></multiInstanceLoopCharacteristics></userTask>"
    ),
    (
        '<callActivity id="{a}" calledElement="{b}"><extensionElements>'
        '<baton:in source="{v}"/></extensionElements></callActivity>'
    ),
    '<association sourceRef="{a}" targetRef="{b}"/>',
    (
        '<dataInputAssociation id="{a}"><sourceRef>{b}</sourceRef>'
        "<targetRef>{c}</targetRef></dataInputAssociation>"
    ),
    '<laneSet><lane id="{a}"><flowNodeRef>{b}</flowNodeRef></lane></laneSet>',
]
IDS = st.sampled_from(["a", "b", "c", "p", "defs", "", "1 2"])
VALUES = st.sampled_from(["true", "", "-1", "${x", "R/PT1S", "x = ", "baton", "&amp;", "0"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(st.sampled_from(SNIPPETS), IDS, IDS, IDS, VALUES), max_size=12),
    st.booleans(),
)
def test_any_document_gives_problems_never_a_crash(parts, executable):
    body = [s.format(a=a, b=b, c=c, v=v) for s, a, b, c, v in parts]
    try:
        load_definitions(definitions(process(*body, executable=executable)))
    except BpmnError as error:
        assert error.problems


def test_schema_warnings_are_empty_for_a_valid_file():
    assert schema_warnings(parse_xml(straight())) == []


def test_schema_warnings_name_what_breaks_the_schema():
    tree = parse_xml(definitions(process('<task id="t" startQuantity="lots"/>')))
    warnings = schema_warnings(tree)
    assert warnings and all(w.severity == "warning" and w.code == "xsd" for w in warnings)
    assert "startQuantity" in warnings[0].message and warnings[0].element_id == "t"


def test_schema_warnings_are_capped():
    tasks = [f'<task id="t{i}" startQuantity="x"/>' for i in range(30)]
    warnings = schema_warnings(parse_xml(definitions(process(*tasks))))
    assert len(warnings) == 21 and "10 more" in warnings[-1].message


def test_schema_check_is_skipped_with_a_warning_when_the_schema_is_missing(tmp_path: Path):
    warnings = schema_warnings(parse_xml(straight()), tmp_path)
    assert [w.code for w in warnings] == ["xsd-skipped"]
