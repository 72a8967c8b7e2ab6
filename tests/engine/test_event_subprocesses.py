"""Event subprocesses: started inside their scope by a message, signal, timer, error or escalation."""

from processes.engine import effects as fx
from processes.engine.behaviours.event_subprocess import PROCESS_SCOPE
from tests.engine.runner import Instance, flow

ROOTS = (
    '<message id="m_cancel" name="cancel order"/><signal id="s_audit" name="audit"/>'
    '<error id="err_stock" errorCode="OUT_OF_STOCK"/><escalation id="esc" escalationCode="LATE"/>'
)


def handler(handler_id, start_definition, interrupting=True, body=""):
    flag = "" if interrupting else ' isInterrupting="false"'
    return (
        f'<subProcess id="{handler_id}" triggeredByEvent="true">'
        f'<startEvent id="{handler_id}_start"{flag}>{start_definition}</startEvent>'
        + flow(f"{handler_id}_start", f"{handler_id}_work") + f'<task id="{handler_id}_work"/>' + body
        + flow(f"{handler_id}_work", f"{handler_id}_end") + f'<endEvent id="{handler_id}_end"/></subProcess>'
    )


MAIN = '<startEvent id="s"/>' + flow("s", "t") + '<userTask id="t"/>' + flow("t", "e") + '<endEvent id="e"/>'


def test_an_interrupting_message_handler_ends_the_process_flow_and_finishes_the_instance():
    run = Instance(MAIN + handler("on_cancel", '<messageEventDefinition messageRef="m_cancel"/>'), extra=ROOTS)
    opened = run.of(fx.SubscriptionOpened)
    assert [(o.name, o.token_id, o.element_id) for o in opened] == [("cancel order", PROCESS_SCOPE, "on_cancel_start")]
    run.do("trigger", PROCESS_SCOPE, "on_cancel_start", {"reason": "changed mind"})
    assert run.ended("cancelled") == ["t"]
    assert run.completed()["on_cancel_work"] == 1 and run.state.status == "completed"
    assert run.state.variables == {"reason": "changed mind"}


def test_a_non_interrupting_handler_runs_beside_the_flow_and_may_run_again():
    run = Instance(MAIN + handler("on_audit", '<signalEventDefinition signalRef="s_audit"/>', interrupting=False),
                   extra=ROOTS)
    run.do("trigger", PROCESS_SCOPE, "on_audit_start").do("trigger", PROCESS_SCOPE, "on_audit_start")
    assert run.completed()["on_audit_work"] == 2 and run.waiting_at() == ["t"]
    run.complete("t")
    assert run.state.status == "completed"
    assert run.of(fx.SubscriptionClosed)[-1] == fx.SubscriptionClosed(PROCESS_SCOPE, "on_audit_start")


def test_a_timer_handler_in_a_subprocess_waits_only_while_the_subprocess_runs():
    run = Instance(
        '<startEvent id="s"/>' + flow("s", "sub") + '<subProcess id="sub"><startEvent id="ss"/>'
        + flow("ss", "t") + '<userTask id="t"/>' + flow("t", "se") + '<endEvent id="se"/>'
        + handler("remind", "<timerEventDefinition><timeDuration>PT1H</timeDuration></timerEventDefinition>",
                  interrupting=False)
        + "</subProcess>" + flow("sub", "after") + '<userTask id="after"/>' + flow("after", "e") + '<endEvent id="e"/>'
    )
    job = run.of(fx.JobScheduled)[0]
    assert job.element_id == "remind_start" and job.token_id == run.token_at("sub").id
    run.complete("t")
    assert fx.JobCancelled(job.token_id, "remind_start") in run.effects
    assert run.waiting_at() == ["after"]


def test_an_error_is_caught_by_the_event_subprocess_of_its_scope_before_any_boundary():
    run = Instance(
        '<startEvent id="s"/>' + flow("s", "sub") + '<subProcess id="sub"><startEvent id="ss"/>'
        + flow("ss", "fail") + '<endEvent id="fail"><errorEventDefinition errorRef="err_stock"/></endEvent>'
        + handler("inner", '<errorEventDefinition errorRef="err_stock"/>') + "</subProcess>"
        + '<boundaryEvent id="outer" attachedToRef="sub"><errorEventDefinition errorRef="err_stock"/></boundaryEvent>'
        + flow("outer", "outer_end") + '<endEvent id="outer_end"/>' + flow("sub", "e") + '<endEvent id="e"/>',
        extra=ROOTS,
    )
    done = run.completed()
    assert done["inner_work"] == 1 and done["e"] == 1 and "outer_end" not in done


def test_an_escalation_reaches_a_non_interrupting_handler_of_the_process():
    run = Instance(
        '<startEvent id="s"/>' + flow("s", "up")
        + '<intermediateThrowEvent id="up"><escalationEventDefinition escalationRef="esc"/></intermediateThrowEvent>'
        + flow("up", "t") + '<userTask id="t"/>' + flow("t", "e") + '<endEvent id="e"/>'
        + handler("on_late", '<escalationEventDefinition escalationRef="esc"/>', interrupting=False),
        extra=ROOTS,
    )
    assert run.completed()["on_late_work"] == 1 and run.waiting_at() == ["t"]
    assert not run.of(fx.EscalationUncaught)


def test_a_cycle_timer_handler_fires_as_often_as_its_cycle_says():
    run = Instance(MAIN + handler(
        "tick", "<timerEventDefinition><timeCycle>R3/PT10M</timeCycle></timerEventDefinition>", interrupting=False
    ))
    for _ in range(3):
        job = run.of(fx.JobScheduled)[-1]
        run.clock.now = job.due_at
        run.do("trigger", PROCESS_SCOPE, "tick_start", occurrence=(job.due_at, job.payload["fired"]))
    assert run.completed()["tick_work"] == 3
    assert len([j for j in run.of(fx.JobScheduled) if j.element_id == "tick_start"]) == 3
