"""Events thrown and caught: links, signals, messages, escalations, event-based gateways."""

import pytest

from processes.bpmn.parser import compile_definitions
from processes.bpmn.xml import parse_xml
from processes.engine import effects as fx
from processes.engine.errors import UnsupportedElement
from processes.engine.runtime import Engine
from tests.engine.runner import HEADER, Clock, Instance, flow

ROOTS = (
    '<message id="m_paid" name="payment received"/><signal id="s_stop" name="stop"/>'
    '<escalation id="e_late" escalationCode="LATE"/><escalation id="e_other" escalationCode="OTHER"/>'
)


def catch(event_id, definition):
    return f'<intermediateCatchEvent id="{event_id}">{definition}</intermediateCatchEvent>'


def test_a_link_throw_event_continues_at_its_catch_event():
    run = Instance(
        '<startEvent id="s"/>' + flow("s", "a") + '<task id="a"/>' + flow("a", "go")
        + '<intermediateThrowEvent id="go"><linkEventDefinition name="page2"/></intermediateThrowEvent>'
        + '<intermediateCatchEvent id="arrive"><linkEventDefinition name="page2"/></intermediateCatchEvent>'
        + flow("arrive", "b") + '<task id="b"/>' + flow("b", "e") + '<endEvent id="e"/>'
    )
    done = run.completed()
    assert (done["go"], done["arrive"], done["b"], done["e"]) == (1, 1, 1, 1)
    assert run.state.status == "completed"


def test_a_message_catch_event_waits_for_its_message_by_name():
    run = Instance(
        '<startEvent id="s"/>' + flow("s", "paid")
        + catch("paid", '<messageEventDefinition messageRef="m_paid"/>') + flow("paid", "e")
        + '<endEvent id="e"/>', extra=ROOTS,
    )
    opened = run.of(fx.SubscriptionOpened)
    assert [(o.kind, o.name, o.element_id) for o in opened] == [("message", "payment received", "paid")]
    run.do("trigger", opened[0].token_id, "paid", {"amount": 12})
    assert run.state.variables == {"amount": 12} and run.state.status == "completed"
    assert fx.SubscriptionClosed(opened[0].token_id, "paid") in run.effects


def test_a_receive_task_waits_like_a_message_catch_event():
    run = Instance(
        '<startEvent id="s"/>' + flow("s", "wait") + '<receiveTask id="wait" messageRef="m_paid"/>'
        + flow("wait", "e") + '<endEvent id="e"/>', extra=ROOTS,
    )
    opened = run.of(fx.SubscriptionOpened)[0]
    assert (opened.name, opened.element_id) == ("payment received", "wait")
    run.do("trigger", opened.token_id, "wait")
    assert run.completed()["wait"] == 1 and run.state.status == "completed"


def test_a_signal_thrown_reaches_every_wait_in_the_instance_and_goes_out():
    run = Instance(
        '<startEvent id="s"/>' + flow("s", "fork") + '<parallelGateway id="fork"/>'
        + flow("fork", "w1") + flow("fork", "w2") + flow("fork", "t")
        + catch("w1", '<signalEventDefinition signalRef="s_stop"/>')
        + catch("w2", '<signalEventDefinition signalRef="s_stop"/>')
        + '<userTask id="t"/>' + flow("t", "shout")
        + '<intermediateThrowEvent id="shout"><signalEventDefinition signalRef="s_stop"/></intermediateThrowEvent>'
        + flow("shout", "e0") + flow("w1", "e1") + flow("w2", "e2")
        + '<endEvent id="e0"/><endEvent id="e1"/><endEvent id="e2"/>', extra=ROOTS,
    )
    assert run.waiting_at() == ["t", "w1", "w2"]
    run.complete("t")
    assert fx.SignalThrown("stop", {}) in run.effects, "other instances hear it too"
    done = run.completed()
    assert (done["w1"], done["w2"], done["e0"]) == (1, 1, 1)
    assert run.state.status == "completed"


def test_a_signal_boundary_event_interrupts_the_subprocess_that_throws_it():
    run = Instance(
        '<startEvent id="s"/>' + flow("s", "sub")
        + '<subProcess id="sub"><startEvent id="ss"/>' + flow("ss", "shout")
        + '<intermediateThrowEvent id="shout"><signalEventDefinition signalRef="s_stop"/></intermediateThrowEvent>'
        + flow("shout", "after") + '<task id="after"/>' + flow("after", "se") + '<endEvent id="se"/></subProcess>'
        + '<boundaryEvent id="stopped" attachedToRef="sub"><signalEventDefinition signalRef="s_stop"/></boundaryEvent>'
        + flow("sub", "e") + flow("stopped", "e_stopped") + '<endEvent id="e"/><endEvent id="e_stopped"/>',
        extra=ROOTS,
    )
    done = run.completed()
    assert done["e_stopped"] == 1 and "after" not in done and "e" not in done
    assert "sub" in run.ended("cancelled")


def test_a_non_interrupting_message_boundary_can_fire_again_while_the_task_waits():
    run = Instance(
        '<startEvent id="s"/>' + flow("s", "t") + '<userTask id="t"/>'
        + '<boundaryEvent id="note" attachedToRef="t" cancelActivity="false">'
        '<messageEventDefinition messageRef="m_paid"/></boundaryEvent>'
        + flow("note", "noted") + '<endEvent id="noted"/>' + flow("t", "e") + '<endEvent id="e"/>',
        extra=ROOTS,
    )
    token = run.token_at("t").id
    run.do("trigger", token, "note").do("trigger", token, "note")
    assert run.completed()["noted"] == 2 and run.waiting_at() == ["t"]
    assert len([o for o in run.of(fx.SubscriptionOpened) if o.element_id == "note"]) == 3
    run.complete("t")
    assert run.effects[-1].outcome == "completed"
    assert run.of(fx.SubscriptionClosed)[-1] == fx.SubscriptionClosed(token, "note")


ESCALATING = (
    '<startEvent id="s"/>' + flow("s", "sub")
    + '<subProcess id="sub"><startEvent id="ss"/>' + flow("ss", "raise")
    + '<intermediateThrowEvent id="raise"><escalationEventDefinition escalationRef="{ref}"/></intermediateThrowEvent>'
    + flow("raise", "inner") + '<task id="inner"/>' + flow("inner", "se") + '<endEvent id="se"/></subProcess>'
    + '<boundaryEvent id="escalated" attachedToRef="sub" cancelActivity="{cancel}">'
    '<escalationEventDefinition escalationRef="e_late"/></boundaryEvent>'
    + flow("escalated", "handle") + '<task id="handle"/>' + flow("handle", "he") + '<endEvent id="he"/>'
    + flow("sub", "e") + '<endEvent id="e"/>'
)


def test_a_non_interrupting_escalation_starts_its_handler_and_the_thrower_goes_on():
    run = Instance(ESCALATING.format(ref="e_late", cancel="false"), extra=ROOTS)
    done = run.completed()
    assert (done["handle"], done["inner"], done["e"]) == (1, 1, 1)


def test_an_interrupting_escalation_ends_the_subprocess():
    run = Instance(ESCALATING.format(ref="e_late", cancel="true"), extra=ROOTS)
    done = run.completed()
    assert done["handle"] == 1 and "inner" not in done and "e" not in done


def test_an_uncaught_escalation_is_recorded_and_the_flow_goes_on():
    run = Instance(ESCALATING.format(ref="e_other", cancel="true"), extra=ROOTS)
    assert run.of(fx.EscalationUncaught)[0].code == "OTHER"
    assert run.completed()["e"] == 1 and "handle" not in run.completed()


EVENT_GATEWAY = (
    '<startEvent id="s"/>' + flow("s", "which") + '<eventBasedGateway id="which"/>'
    + flow("which", "paid") + flow("which", "stop") + flow("which", "late")
    + catch("paid", '<messageEventDefinition messageRef="m_paid"/>')
    + catch("stop", '<signalEventDefinition signalRef="s_stop"/>')
    + catch("late", "<timerEventDefinition><timeDuration>P7D</timeDuration></timerEventDefinition>")
    + flow("paid", "e1") + flow("stop", "e2") + flow("late", "e3")
    + '<endEvent id="e1"/><endEvent id="e2"/><endEvent id="e3"/>'
)


def test_an_event_based_gateway_takes_the_first_event_and_withdraws_the_others():
    run = Instance(EVENT_GATEWAY, extra=ROOTS)
    token = run.token_at("which").id
    assert {o.element_id for o in run.of(fx.SubscriptionOpened)} == {"paid", "stop"}
    assert run.of(fx.JobScheduled)[0].element_id == "late"
    run.do("trigger", token, "paid", {"amount": 3})
    assert run.completed()["e1"] == 1 and run.state.status == "completed"
    assert fx.JobCancelled(token, "late") in run.effects
    assert fx.SubscriptionClosed(token, "stop") in run.effects
    assert run.state.variables == {"amount": 3}


def test_an_event_based_gateway_may_be_decided_by_its_timer():
    run = Instance(EVENT_GATEWAY, extra=ROOTS)
    run.clock.advance(days=7)
    run.do("trigger", run.token_at("which").id, "late")
    assert run.completed()["e3"] == 1 and "paid" not in run.completed()


def test_a_signal_end_event_throws_and_ends():
    run = Instance(
        '<startEvent id="s"/>' + flow("s", "e")
        + '<endEvent id="e"><signalEventDefinition signalRef="s_stop"/></endEvent>', extra=ROOTS,
    )
    assert fx.SignalThrown("stop", {}) in run.effects and run.state.status == "completed"


def test_a_message_end_event_sends_its_message():
    run = Instance(
        '<startEvent id="s"/>' + flow("s", "e")
        + '<endEvent id="e"><messageEventDefinition messageRef="m_paid"/></endEvent>', extra=ROOTS,
    )
    assert run.of(fx.MessageSent)[0].name == "payment received"


def test_a_signal_boundary_on_a_multi_instance_activity_fires_once_for_the_whole():
    run = Instance(
        '<startEvent id="s"/>' + flow("s", "fork") + '<parallelGateway id="fork"/>'
        + flow("fork", "review") + flow("fork", "t")
        + '<userTask id="review"><multiInstanceLoopCharacteristics>'
        "<loopCardinality>3</loopCardinality></multiInstanceLoopCharacteristics></userTask>"
        + '<boundaryEvent id="note" attachedToRef="review" cancelActivity="false">'
        '<signalEventDefinition signalRef="s_stop"/></boundaryEvent>'
        + flow("note", "noted") + '<endEvent id="noted"/>'
        + '<userTask id="t"/>' + flow("t", "shout")
        + '<intermediateThrowEvent id="shout"><signalEventDefinition signalRef="s_stop"/></intermediateThrowEvent>'
        + flow("shout", "e0") + '<endEvent id="e0"/>' + flow("review", "e") + '<endEvent id="e"/>',
        extra=ROOTS,
    )
    run.complete("t")
    assert run.completed()["noted"] == 1


def test_a_signal_reaches_a_catch_on_a_branch_that_started_with_the_thrower():
    run = Instance(
        '<startEvent id="s"/>' + flow("s", "fork") + '<parallelGateway id="fork"/>'
        + flow("fork", "shout") + flow("fork", "listen")
        + '<intermediateThrowEvent id="shout"><signalEventDefinition signalRef="s_stop"/></intermediateThrowEvent>'
        + catch("listen", '<signalEventDefinition signalRef="s_stop"/>')
        + flow("shout", "e1") + flow("listen", "e2") + '<endEvent id="e1"/><endEvent id="e2"/>',
        extra=ROOTS,
    )
    assert run.completed()["listen"] == 1 and run.state.status == "completed"


def test_a_multiple_catch_event_goes_on_with_whichever_of_its_events_comes():
    run = Instance(
        '<startEvent id="s"/>' + flow("s", "either")
        + catch("either", '<messageEventDefinition messageRef="m_paid"/>'
                '<timerEventDefinition><timeDuration>P1D</timeDuration></timerEventDefinition>')
        + flow("either", "e") + '<endEvent id="e"/>', extra=ROOTS,
    )
    token = run.token_at("either").id
    assert run.of(fx.SubscriptionOpened)[0].name == "payment received"
    assert run.of(fx.JobScheduled)[0].element_id == "either"
    run.do("trigger", token, "either")
    assert run.state.status == "completed"
    assert fx.JobCancelled(token, "either") in run.effects, "the timer is withdrawn"


def conditional(expression):
    return f"<conditionalEventDefinition><condition>{expression}</condition></conditionalEventDefinition>"


def test_a_conditional_catch_event_waits_until_variables_make_it_true():
    run = Instance(
        '<startEvent id="s"/>' + flow("s", "fork") + '<parallelGateway id="fork"/>'
        + flow("fork", "until") + flow("fork", "t")
        + catch("until", conditional("${approved == true}")) + flow("until", "e1") + '<endEvent id="e1"/>'
        + '<userTask id="t"/>' + flow("t", "e2") + '<endEvent id="e2"/>',
        {"approved": False},
    )
    assert run.waiting_at() == ["t", "until"]
    run.complete("t", {"approved": True})
    assert run.completed()["until"] == 1 and run.state.status == "completed"


def test_a_conditional_catch_event_passes_at_once_when_its_condition_holds():
    run = Instance(
        '<startEvent id="s"/>' + flow("s", "until") + catch("until", conditional("${ready}"))
        + flow("until", "e") + '<endEvent id="e"/>', {"ready": True},
    )
    assert run.state.status == "completed"


def test_a_conditional_boundary_interrupts_when_a_change_makes_it_true():
    run = Instance(
        '<startEvent id="s"/>' + flow("s", "fork") + '<parallelGateway id="fork"/>'
        + flow("fork", "t") + flow("fork", "other")
        + '<userTask id="t"/><boundaryEvent id="stop" attachedToRef="t">'
        + conditional("${amount &gt; 100}") + "</boundaryEvent>"
        + flow("stop", "stopped") + '<endEvent id="stopped"/>' + flow("t", "e") + '<endEvent id="e"/>'
        + '<userTask id="other"/>' + flow("other", "e2") + '<endEvent id="e2"/>',
        {"amount": 5},
    )
    assert run.waiting_at() == ["other", "t"], "false while the amount is small"
    run.complete("other", {"amount": 500})
    assert run.ended("cancelled") == ["t"] and run.completed()["stopped"] == 1
    assert run.state.status == "completed"


def test_a_receive_task_that_instantiates_starts_its_process_when_its_message_comes():
    definitions = compile_definitions(parse_xml((
        HEADER + ROOTS + '<process id="p" isExecutable="true">'
        '<receiveTask id="order_in" messageRef="m_paid" instantiate="true"/>'
        + flow("order_in", "ship") + '<task id="ship"/>' + flow("ship", "e") + '<endEvent id="e"/>'
        "</process></definitions>"
    ).encode()))
    engine = Engine(definitions.processes["p"], Clock(), definitions)
    assert engine.plan.starts_for("message", "payment received") == ["order_in"]
    result = engine.start({}, start_event_id="order_in")
    assert result.state.status == "completed"
    assert not [e for e in result.effects if isinstance(e, fx.SubscriptionOpened)]


# Parallel multiple events: they happen once all their events have (BPMN 2.0, 10.5.1)

def both(event_id, tag="intermediateCatchEvent", attributes=""):
    return (
        f'<{tag} id="{event_id}" parallelMultiple="true"{attributes}>'
        '<messageEventDefinition messageRef="m_paid"/><signalEventDefinition signalRef="s_stop"/>'
        f"</{tag}>"
    )


def test_a_parallel_multiple_catch_event_waits_for_all_its_events_in_any_order():
    for first, second in ((("message", "payment received"), ("signal", "stop")),
                          (("signal", "stop"), ("message", "payment received"))):
        run = Instance(
            '<startEvent id="s"/>' + flow("s", "all") + both("all") + flow("all", "e")
            + '<endEvent id="e"/>', extra=ROOTS,
        )
        token = run.token_at("all").id
        assert {o.name for o in run.of(fx.SubscriptionOpened)} == {"payment received", "stop"}
        run.do("trigger", token, "all", {"step": 1}, trigger=first)
        assert run.waiting_at() == ["all"] and not run.of(fx.SubscriptionClosed)
        run.do("trigger", token, "all", trigger=first)
        assert run.waiting_at() == ["all"], "the same event twice is still one of two"
        run.do("trigger", token, "all", trigger=second)
        assert run.state.status == "completed" and run.state.variables == {"step": 1}


def test_a_parallel_multiple_catch_event_counts_a_timer_among_its_events():
    run = Instance(
        '<startEvent id="s"/>' + flow("s", "all")
        + '<intermediateCatchEvent id="all" parallelMultiple="true">'
        '<timerEventDefinition><timeDuration>PT1H</timeDuration></timerEventDefinition>'
        '<messageEventDefinition messageRef="m_paid"/></intermediateCatchEvent>'
        + flow("all", "e") + '<endEvent id="e"/>', extra=ROOTS,
    )
    token = run.token_at("all").id
    run.do("trigger", token, "all", trigger=("message", "payment received"))
    assert run.waiting_at() == ["all"]
    run.do("trigger", token, "all", trigger=("timer", None))
    assert run.state.status == "completed"


def test_a_parallel_multiple_catch_event_hears_signals_thrown_in_its_instance():
    run = Instance(
        '<startEvent id="s"/>' + flow("s", "fork") + '<parallelGateway id="fork"/>'
        + flow("fork", "all") + flow("fork", "t")
        + '<intermediateCatchEvent id="all" parallelMultiple="true">'
        '<signalEventDefinition signalRef="s_stop"/><signalEventDefinition signalRef="s_go"/>'
        "</intermediateCatchEvent>" + flow("all", "e1") + '<endEvent id="e1"/>'
        + '<userTask id="t"/>' + flow("t", "stop")
        + '<intermediateThrowEvent id="stop"><signalEventDefinition signalRef="s_stop"/>'
        "</intermediateThrowEvent>" + flow("stop", "u") + '<userTask id="u"/>' + flow("u", "go")
        + '<intermediateThrowEvent id="go"><signalEventDefinition signalRef="s_go"/>'
        "</intermediateThrowEvent>" + flow("go", "e2") + '<endEvent id="e2"/>',
        extra=ROOTS + '<signal id="s_go" name="go"/>',
    )
    run.complete("t")
    assert run.completed()["all"] == 0, "one signal of two"
    run.complete("u")
    assert run.completed()["all"] == 1 and run.state.status == "completed"


def test_a_parallel_multiple_boundary_interrupts_only_once_all_its_events_came():
    run = Instance(
        '<startEvent id="s"/>' + flow("s", "t") + '<userTask id="t"/>' + flow("t", "e")
        + '<endEvent id="e"/>' + both("stop", "boundaryEvent", ' attachedToRef="t"')
        + flow("stop", "stopped") + '<endEvent id="stopped"/>', extra=ROOTS,
    )
    token = run.token_at("t").id
    run.do("trigger", token, "stop", trigger=("signal", "stop"))
    assert run.waiting_at() == ["t"]
    assert run.token_at("t").local == {"happened": {"stop": [["signal", "stop"]]}}
    run.do("trigger", token, "stop", trigger=("message", "payment received"))
    assert run.ended("cancelled") == ["t"] and run.state.status == "completed"


def test_the_events_a_boundary_counted_are_forgotten_when_its_activity_ends():
    run = Instance(
        '<startEvent id="s"/>' + flow("s", "t") + '<userTask id="t"/>' + flow("t", "next")
        + '<userTask id="next"/>' + flow("next", "e") + '<endEvent id="e"/>'
        + both("stop", "boundaryEvent", ' attachedToRef="t"')
        + flow("stop", "stopped") + '<endEvent id="stopped"/>', extra=ROOTS,
    )
    run.do("trigger", run.token_at("t").id, "stop", trigger=("signal", "stop"))
    run.complete("t")
    assert run.token_at("next").local == {}


def test_a_parallel_multiple_event_subprocess_start_in_a_subprocess_waits_for_all():
    run = Instance(
        '<startEvent id="s"/>' + flow("s", "sub") + '<subProcess id="sub">'
        '<startEvent id="ss"/>' + flow("ss", "t") + '<userTask id="t"/>' + flow("t", "se")
        + '<endEvent id="se"/><subProcess id="handler" triggeredByEvent="true">'
        + both("hs", "startEvent") + flow("hs", "he") + '<endEvent id="he"/></subProcess>'
        "</subProcess>" + flow("sub", "e") + '<endEvent id="e"/>', extra=ROOTS,
    )
    scope = run.token_at("sub").id
    run.do("trigger", scope, "hs", trigger=("message", "payment received"))
    assert run.waiting_at() == ["t"]
    run.do("trigger", scope, "hs", trigger=("signal", "stop"))
    assert run.ended("cancelled") == ["t"] and run.completed()["he"] == 1
    assert run.state.status == "completed"


def test_a_parallel_multiple_start_of_the_process_is_refused():
    with pytest.raises(UnsupportedElement, match="parallel multiple start event"):
        Instance(both("s", "startEvent") + flow("s", "e") + '<endEvent id="e"/>', extra=ROOTS)
