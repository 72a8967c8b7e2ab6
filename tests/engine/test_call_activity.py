"""Call activities in the core: what it asks the platform for, and how it resumes."""

from processes.engine import effects as fx
from tests.engine.runner import Instance, flow

ROOTS = '<error id="err_late" errorCode="LATE"/><escalation id="esc_help" escalationCode="HELP"/>'


def calling(attributes="", mappings="", boundaries="", variables=None, business_key=None, loop=""):
    return Instance(
        '<startEvent id="s"/>' + flow("s", "call")
        + f'<callActivity id="call" calledElement="billing" {attributes}>'
        + f"<extensionElements>{mappings}</extensionElements>{loop}</callActivity>"
        + flow("call", "after") + '<userTask id="after"/>' + flow("after", "e")
        + '<endEvent id="e"/>'
        + boundaries,
        variables, extra=ROOTS, business_key=business_key,
    )


def test_it_asks_for_the_newest_version_of_the_called_process_and_waits():
    run = calling()
    [request] = run.of(fx.ChildRequested)
    token_id = run.token_at("call").id
    assert request == fx.ChildRequested(token_id, "call", "billing", "latest", None, {}, None)
    assert run.waiting_at() == ["call"]


def test_it_passes_the_binding_and_version_the_model_asks_for():
    run = calling('baton:calledElementBinding="version" baton:calledElementVersion="3"')
    request = run.of(fx.ChildRequested)[0]
    assert (request.binding, request.version) == ("version", 3)
    run = calling('baton:calledElementBinding="deployment"')
    assert run.of(fx.ChildRequested)[0].binding == "deployment"


def test_it_maps_variables_in_by_name_expression_or_all():
    mappings = (
        '<baton:in source="order" target="invoiceOrder"/>'
        '<baton:in sourceExpression="${amount * 2}" target="doubled"/>'
        '<baton:in source="missing" target="nothing"/>'
    )
    run = calling(mappings=mappings, variables={"order": "A-1", "amount": 21, "secret": "x"})
    passed = run.of(fx.ChildRequested)[0].variables
    assert passed == {"invoiceOrder": "A-1", "doubled": 42, "nothing": None}
    run = calling(mappings='<baton:in variables="all"/>', variables={"order": "A-1", "amount": 21})
    assert run.of(fx.ChildRequested)[0].variables == {"order": "A-1", "amount": 21}


def test_it_passes_on_the_business_key_it_is_given_or_computes():
    passing = '<baton:in businessKey="#{execution.processBusinessKey}"/>'
    run = calling(mappings=passing, business_key="order-7")
    assert run.of(fx.ChildRequested)[0].business_key == "order-7"
    run = calling(mappings='<baton:in businessKey="${order}-bill"/>', variables={"order": "A-1"})
    assert run.of(fx.ChildRequested)[0].business_key == "A-1-bill"


def test_a_called_element_may_be_an_expression():
    run = Instance(
        '<startEvent id="s"/>' + flow("s", "call")
        + '<callActivity id="call" calledElement="${which}"/>'
        + flow("call", "e") + '<endEvent id="e"/>', {"which": "shipping"},
    )
    assert run.of(fx.ChildRequested)[0].called_key == "shipping"


def test_completing_the_call_maps_variables_out_and_moves_on():
    mappings = (
        '<baton:out source="total" target="invoiceTotal"/>'
        '<baton:out sourceExpression="${total > 100}" target="large"/>'
    )
    run = calling(mappings=mappings)
    run.do("complete_call", run.token_at("call").id, {"total": 150, "internal": 1})
    assert run.state.variables == {"invoiceTotal": 150, "large": True}
    assert run.completed()["call"] == 1 and run.waiting_at() == ["after"]
    run = calling(mappings='<baton:out variables="all"/>')
    run.do("complete_call", run.token_at("call").id, {"total": 150, "internal": 1})
    assert run.state.variables == {"total": 150, "internal": 1}


def test_an_interrupting_boundary_event_cancels_the_called_instance():
    timer = (
        '<boundaryEvent id="late" attachedToRef="call"><timerEventDefinition>'
        "<timeDuration>PT1H</timeDuration></timerEventDefinition></boundaryEvent>"
        + flow("late", "late_end") + '<endEvent id="late_end"/>'
    )
    run = calling(boundaries=timer)
    token = run.token_at("call").id
    run.clock.advance(hours=1)
    run.do("trigger", token, "late")
    assert fx.ChildCancelled(token, "call") in run.effects
    assert run.ended("cancelled") == ["call"] and run.state.status == "completed"


def test_cancelling_the_instance_cancels_the_called_instance():
    run = calling()
    token = run.token_at("call").id
    run.do("cancel")
    assert run.of(fx.ChildCancelled) == [fx.ChildCancelled(token, "call")]


def test_an_error_the_child_left_uncaught_is_caught_on_the_call_activity():
    boundary = (
        '<boundaryEvent id="failed" attachedToRef="call">'
        '<errorEventDefinition errorRef="err_late"/></boundaryEvent>' + flow("failed", "fix")
        + '<userTask id="fix"/>'
    )
    run = calling(boundaries=boundary)
    token = run.token_at("call").id
    run.do("throw_error", token, "LATE", "the invoice is late")
    assert fx.ChildCancelled(token, "call") in run.effects
    assert run.ended("error") == ["call"] and run.waiting_at() == ["fix"]


def test_an_error_uncaught_in_the_caller_too_is_an_incident_a_caller_above_may_catch():
    run = calling()
    token = run.token_at("call").id
    run.do("throw_error", token, "LATE", "the invoice is late")
    uncaught = fx.ErrorUncaught(token, "call", "LATE", "the invoice is late")
    assert run.of(fx.ErrorUncaught) == [uncaught]
    assert "Uncaught BPMN error LATE" in run.of(fx.IncidentOpened)[0].message


def test_an_escalation_of_the_child_is_caught_by_a_boundary_event_on_the_call_activity():
    boundary = (
        '<boundaryEvent id="help" attachedToRef="call" cancelActivity="false">'
        '<escalationEventDefinition escalationRef="esc_help"/></boundaryEvent>'
        + flow("help", "assist") + '<userTask id="assist"/>'
    )
    run = calling(boundaries=boundary)
    run.do("escalate", run.token_at("call").id, "HELP")
    assert run.waiting_at() == ["assist", "call"] and not run.of(fx.ChildCancelled)


def test_an_escalation_uncaught_in_the_caller_is_recorded_at_the_call_activity():
    run = calling()
    run.do("escalate", run.token_at("call").id, "HELP")
    assert [(e.element_id, e.code) for e in run.of(fx.EscalationUncaught)] == [("call", "HELP")]
    assert run.waiting_at() == ["call"]


def test_a_multi_instance_call_activity_calls_once_per_item():
    loop = (
        '<multiInstanceLoopCharacteristics baton:collection="${items}" '
        'baton:elementVariable="item"/>'
    )
    mapping = '<baton:in source="item" target="line"/>'
    run = calling(mappings=mapping, variables={"items": [1, 2, 3]}, loop=loop)
    requests = run.of(fx.ChildRequested)
    assert [r.variables for r in requests] == [{"line": 1}, {"line": 2}, {"line": 3}]
    for request in requests:
        run.do("complete_call", request.token_id, {})
    assert run.waiting_at() == ["after"]


def test_a_call_to_a_global_task_runs_that_task_in_place():
    run = Instance(
        '<startEvent id="s"/>' + flow("s", "call")
        + '<callActivity id="call" calledElement="g"/>'
        + flow("call", "e") + '<endEvent id="e"/>',
        extra='<globalScriptTask id="g"><script>x = 1</script></globalScriptTask>',
    )
    assert run.state.variables == {"x": 1} and run.state.status == "completed"
    assert not run.of(fx.ChildRequested), "no child instance for a global task"
