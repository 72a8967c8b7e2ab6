"""Wait states: user tasks, service jobs, timers, errors and asynchronous continuations."""

from datetime import timedelta

import pytest

from processes.engine import effects as fx
from processes.engine.errors import NotWaiting
from tests.engine.runner import Instance, flow

ERRORS = '<error id="err_stock" errorCode="OUT_OF_STOCK"/><error id="err_any"/>'


def test_a_user_task_is_offered_as_the_model_says_with_expressions():
    run = Instance(
        '<startEvent id="s" baton:initiator="initiator"/>' + flow("s", "approve")
        + '<userTask id="approve" name="Approve" baton:assignee="${initiator}" '
        'baton:candidateGroups="${department}_approvers, Managers" baton:dueDate="P2D" '
        'baton:priority="${urgent ? 90 : 50}"/>' + flow("approve", "e") + '<endEvent id="e"/>',
        {"department": "sales", "urgent": True}, actor="emma",
    )
    task = run.of(fx.TaskCreated)[0]
    assert task.assignee == "emma" and task.name == "Approve"
    assert task.candidate_groups == ("sales_approvers", "Managers")
    assert task.due_at == run.clock.now + timedelta(days=2)
    assert task.priority == 90
    assert run.state.variables["initiator"] == "emma"
    run.complete("approve", {"ok": True}, actor="emma")
    assert run.of(fx.ActivityEnded)[-2].actor == "emma", "the task's end records who did it"


def test_completing_a_task_the_token_does_not_wait_at_is_refused():
    run = Instance('<startEvent id="s"/>' + flow("s", "t") + '<userTask id="t"/>' + flow("t", "e") + '<endEvent id="e"/>')
    token = run.token_at("t").id
    run.do("complete_task", token)
    with pytest.raises(NotWaiting):
        run.do("complete_task", token)


SERVICE = (
    '<startEvent id="s"/>' + flow("s", "reserve")
    + '<serviceTask id="reserve" baton:type="handler" baton:handler="stock.reserve" '
    'baton:retryCycle="R5/PT30S"/>'
    + '<boundaryEvent id="no_stock" attachedToRef="reserve"><errorEventDefinition errorRef="err_stock"/></boundaryEvent>'
    + flow("reserve", "done") + flow("no_stock", "backorder")
    + '<endEvent id="done"/><endEvent id="backorder"/>'
)


def test_a_service_task_waits_for_its_job_with_the_retries_the_model_asks_for():
    run = Instance(SERVICE, extra=ERRORS)
    job = run.of(fx.JobScheduled)[0]
    assert (job.kind, job.element_id, job.retries, job.retry_delay_seconds) == ("service", "reserve", 5, 30.0)
    run.do("complete_job", job.token_id, {"reserved": 3})
    assert run.state.variables == {"reserved": 3} and run.completed()["done"] == 1


def test_a_bpmn_error_from_a_service_is_caught_by_its_boundary_event():
    run = Instance(SERVICE, extra=ERRORS)
    run.do("throw_error", run.of(fx.JobScheduled)[0].token_id, "OUT_OF_STOCK", "none left")
    assert run.ended("error") == ["reserve"]
    assert run.completed()["backorder"] == 1 and run.state.status == "completed"
    assert fx.JobCancelled(run.of(fx.JobScheduled)[0].token_id, "reserve") in run.effects


def test_an_uncaught_bpmn_error_is_an_incident():
    run = Instance(SERVICE, extra=ERRORS)
    run.do("throw_error", run.of(fx.JobScheduled)[0].token_id, "PAYMENT_DECLINED")
    assert "Uncaught BPMN error PAYMENT_DECLINED" in run.of(fx.IncidentOpened)[0].message


def nested_error(code_ref):
    return Instance(
        '<startEvent id="s"/>' + flow("s", "outer")
        + '<subProcess id="outer"><startEvent id="os"/>' + flow("os", "inner")
        + '<subProcess id="inner"><startEvent id="is"/>' + flow("is", "fail")
        + f'<endEvent id="fail"><errorEventDefinition errorRef="{code_ref}"/></endEvent></subProcess>'
        + flow("inner", "oe") + '<endEvent id="oe"/></subProcess>'
        + '<boundaryEvent id="catch_stock" attachedToRef="outer"><errorEventDefinition errorRef="err_stock"/></boundaryEvent>'
        + '<boundaryEvent id="catch_all" attachedToRef="outer"><errorEventDefinition/></boundaryEvent>'
        + flow("outer", "ok") + flow("catch_stock", "stock") + flow("catch_all", "other")
        + '<endEvent id="ok"/><endEvent id="stock"/><endEvent id="other"/>',
        extra=ERRORS + '<error id="err_late" errorCode="LATE"/>',
    )


def test_an_error_end_event_is_caught_by_code_two_scopes_up():
    run = nested_error("err_stock")
    assert run.completed()["stock"] == 1 and "other" not in run.completed()
    assert set(run.ended("error")) == {"outer", "inner"}, "the scopes the error left end as errors"
    assert run.state.status == "completed"


def test_a_catch_all_boundary_catches_other_codes():
    run = nested_error("err_late")
    assert run.completed()["other"] == 1 and "stock" not in run.completed()


def timer_process(boundary: str = "", catch: str = ""):
    return Instance(
        '<startEvent id="s"/>' + flow("s", "review") + '<userTask id="review"/>'
        + f'<boundaryEvent id="late" attachedToRef="review"{boundary}><timerEventDefinition>'
        "<timeDuration>PT1H</timeDuration></timerEventDefinition></boundaryEvent>"
        + flow("review", "wait") + flow("late", "escalated")
        + '<intermediateCatchEvent id="wait"><timerEventDefinition><timeDuration>${pause}'
        "</timeDuration></timerEventDefinition></intermediateCatchEvent>"
        + flow("wait", "e") + '<endEvent id="e"/><endEvent id="escalated"/>',
        {"pause": "PT5M"},
    )


def test_a_boundary_timer_interrupts_the_task_when_it_fires():
    run = timer_process()
    job = run.of(fx.JobScheduled)[0]
    assert (job.kind, job.element_id, job.due_at) == ("timer", "late", run.clock.now + timedelta(hours=1))
    run.clock.advance(hours=1)
    run.do("trigger", job.token_id, "late")
    assert run.ended("cancelled") == ["review"]
    assert run.of(fx.TaskClosed)[0].outcome == "cancelled"
    assert run.completed()["escalated"] == 1 and run.state.status == "completed"


def test_a_boundary_timer_is_withdrawn_when_the_task_completes_first():
    run = timer_process()
    token = run.token_at("review").id
    run.complete("review")
    assert fx.JobCancelled(token, "late") in run.effects
    wait_job = run.of(fx.JobScheduled)[-1]
    assert (wait_job.element_id, wait_job.due_at) == ("wait", run.clock.now + timedelta(minutes=5))
    run.do("trigger", wait_job.token_id, "wait")
    assert run.completed()["e"] == 1


def test_a_non_interrupting_cycle_timer_fires_as_often_as_it_says():
    run = Instance(
        '<startEvent id="s"/>' + flow("s", "review") + '<userTask id="review"/>'
        + '<boundaryEvent id="remind" attachedToRef="review" cancelActivity="false">'
        "<timerEventDefinition><timeCycle>R3/PT1H</timeCycle></timerEventDefinition></boundaryEvent>"
        + flow("remind", "nudge") + '<scriptTask id="nudge"><script>nudges = nudges + 1</script></scriptTask>'
        + flow("nudge", "nudged") + flow("review", "e") + '<endEvent id="e"/><endEvent id="nudged"/>',
        {"nudges": 0},
    )
    dues = []
    for _ in range(3):
        job = run.of(fx.JobScheduled)[-1]
        dues.append(job.due_at)
        run.clock.now = job.due_at
        run.do("trigger", job.token_id, "remind")
    assert dues == [dues[0], dues[0] + timedelta(hours=1), dues[0] + timedelta(hours=2)]
    assert len(run.of(fx.JobScheduled)) == 3, "R3: no fourth occurrence"
    assert run.state.variables["nudges"] == 3 and run.waiting_at() == ["review"]
    run.complete("review")
    assert run.state.status == "completed"


def test_a_cycle_timer_is_withdrawn_with_its_activity():
    run = Instance(
        '<startEvent id="s"/>' + flow("s", "review") + '<userTask id="review"/>'
        + '<boundaryEvent id="remind" attachedToRef="review" cancelActivity="false">'
        "<timerEventDefinition><timeCycle>R/PT1H</timeCycle></timerEventDefinition></boundaryEvent>"
        + flow("remind", "nudged") + flow("review", "e") + '<endEvent id="e"/><endEvent id="nudged"/>'
    )
    token = run.token_at("review").id
    run.clock.advance(hours=1)
    run.do("trigger", token, "remind")
    run.complete("review")
    assert run.effects[-1] == fx.InstanceEnded("completed", run.clock.now)
    assert fx.JobCancelled(token, "remind") in run.effects
    assert run.state.tokens == {}


def test_async_before_waits_for_a_continuation_job():
    run = Instance(
        '<startEvent id="s"/>' + flow("s", "calc")
        + '<scriptTask id="calc" baton:asyncBefore="true"><script>x = 1</script></scriptTask>'
        + flow("calc", "e") + '<endEvent id="e"/>'
    )
    job = run.of(fx.JobScheduled)[0]
    assert job.kind == "continue" and "x" not in run.state.variables
    run.do("continue_token", job.token_id)
    assert run.state.variables == {"x": 1} and run.state.status == "completed"


def test_the_state_survives_a_round_trip_through_json():
    from processes.engine.state import InstanceState

    run = timer_process()
    copy = InstanceState.from_json(run.state.to_json())
    assert copy == run.state


def test_an_intermediate_timer_cycle_lets_a_token_pass_each_time_it_fires():
    run = Instance(
        '<startEvent id="s"/>' + flow("s", "tick")
        + '<intermediateCatchEvent id="tick"><timerEventDefinition><timeCycle>R3/PT1H</timeCycle>'
        "</timerEventDefinition></intermediateCatchEvent>"
        + flow("tick", "count") + '<scriptTask id="count"><script>n = n + 1</script></scriptTask>'
        + flow("count", "e") + '<endEvent id="e"/>', {"n": 0},
    )
    for expected in (1, 2, 3):
        job = run.of(fx.JobScheduled)[-1]
        run.clock.now = job.due_at
        run.do("trigger", job.token_id, "tick", occurrence=(job.due_at, job.payload["fired"]))
        assert run.state.variables["n"] == expected
    assert run.state.status == "completed", "the third occurrence was the last"
    assert len(run.of(fx.JobScheduled)) == 3
