"""Compensation: boundary events with their handlers, throw events that undo completed work."""

import json

from processes.engine import effects as fx
from processes.engine.state import InstanceState
from tests.engine.runner import Instance, flow


def undoable(activity_id, kind="task", handler="scriptTask", inner=""):
    """An activity with a compensation boundary event and a handler that logs to ``trace``."""
    script = f'<script>trace = trace + ["undo_{activity_id}"]</script>'
    body = script if handler == "scriptTask" else ""
    return (
        f'<{kind} id="{activity_id}">{inner}</{kind}>'
        f'<boundaryEvent id="{activity_id}_c" attachedToRef="{activity_id}">'
        "<compensateEventDefinition/></boundaryEvent>"
        f'<{handler} id="undo_{activity_id}" isForCompensation="true">{body}</{handler}>'
        f'<association id="{activity_id}_a" sourceRef="{activity_id}_c"'
        f' targetRef="undo_{activity_id}"/>'
    )


def compensate(event_id, activity=None, kind="intermediateThrowEvent", wait=True):
    ref = f' activityRef="{activity}"' if activity else ""
    return (
        f'<{kind} id="{event_id}"><compensateEventDefinition{ref}'
        f' waitForCompletion="{str(wait).lower()}"/></{kind}>'
    )


def chain(*ids):
    return "".join(flow(source, target) for source, target in zip(ids, ids[1:]))


def started(body, variables=None):
    return Instance(body, {"trace": [], **(variables or {})})


def sub_process(sub_id, inner):
    return f'<subProcess id="{sub_id}">{inner}</subProcess>'


def test_a_throw_naming_an_activity_runs_only_its_handler():
    run = started(
        '<startEvent id="s"/>' + undoable("a") + undoable("b") + compensate("c", activity="a")
        + '<endEvent id="e"/>' + chain("s", "a", "b", "c", "e")
    )
    assert run.state.variables["trace"] == ["undo_a"]
    assert run.ended("compensated") == ["a"]
    assert run.state.status == "completed"


def test_the_history_keeps_when_the_compensated_activity_ended():
    run = Instance(
        '<startEvent id="s"/>' + undoable("a") + '<userTask id="t"/>' + compensate("c")
        + '<endEvent id="e"/>' + chain("s", "a", "t", "c", "e"),
        {"trace": []},
    )
    ended_at = run.of(fx.ActivityEnded)[1].ended_at
    run.clock.advance(hours=1)
    run.complete("t")
    compensated = [e for e in run.of(fx.ActivityEnded) if e.outcome == "compensated"]
    assert [(run.names[e.seq], e.ended_at) for e in compensated] == [("a", ended_at)]


def test_a_throw_without_an_activity_undoes_the_scope_latest_first():
    run = started(
        '<startEvent id="s"/>' + undoable("a") + undoable("b") + '<task id="plain"/>'
        + compensate("c") + '<endEvent id="e"/>' + chain("s", "a", "plain", "b", "c", "e")
    )
    assert run.state.variables["trace"] == ["undo_b", "undo_a"]
    assert run.completed()["e"] == 1 and run.state.status == "completed"


def test_an_activity_that_never_ran_is_not_compensated():
    run = started(
        '<startEvent id="s"/><exclusiveGateway id="x" default="x_a"/>' + undoable("a")
        + undoable("b") + '<exclusiveGateway id="m"/>' + compensate("c") + '<endEvent id="e"/>'
        + flow("s", "x") + flow("x", "a", flow_id="x_a") + flow("x", "b", "${False}")
        + chain("a", "m") + chain("b", "m", "c", "e")
    )
    assert run.state.variables["trace"] == ["undo_a"]


def test_an_activity_still_running_is_not_compensated():
    run = started(
        '<startEvent id="s"/><parallelGateway id="fork"/>' + undoable("a")
        + undoable("t", kind="userTask") + compensate("c")
        + '<endEvent id="e1"/><endEvent id="e2"/>'
        + chain("s", "fork", "a", "c", "e1") + chain("fork", "t", "e2")
    )
    assert run.state.variables["trace"] == ["undo_a"]
    run.complete("t")
    assert run.state.variables["trace"] == ["undo_a"] and run.state.status == "completed"


def test_compensating_twice_undoes_nothing_the_second_time():
    run = started(
        '<startEvent id="s"/>' + undoable("a") + compensate("c1") + compensate("c2")
        + '<endEvent id="e"/>' + chain("s", "a", "c1", "c2", "e")
    )
    assert run.state.variables["trace"] == ["undo_a"]
    assert run.completed()["c2"] == 1


def test_a_compensation_end_event_undoes_its_scope_then_ends():
    run = started(
        '<startEvent id="s"/>' + undoable("a") + compensate("e", kind="endEvent")
        + chain("s", "a", "e")
    )
    assert run.state.variables["trace"] == ["undo_a"]
    assert run.completed()["e"] == 1 and run.state.status == "completed"


def test_a_throw_inside_a_subprocess_undoes_only_that_subprocess():
    inner = '<startEvent id="ss"/>' + undoable("a") + compensate("se", kind="endEvent")
    run = started(
        '<startEvent id="s"/>' + undoable("outer")
        + sub_process("sub", inner + chain("ss", "a", "se"))
        + compensate("c") + '<endEvent id="e"/>' + chain("s", "outer", "sub", "c", "e")
    )
    assert run.state.variables["trace"] == ["undo_a", "undo_outer"], "a is undone only once"
    assert run.completed()["sub"] == 1 and run.state.status == "completed"


def test_a_throw_outside_undoes_what_a_completed_subprocess_did():
    inner = '<startEvent id="ss"/>' + undoable("a") + undoable("b") + '<endEvent id="se"/>'
    run = started(
        '<startEvent id="s"/>' + undoable("outer")
        + sub_process("sub", inner + chain("ss", "a", "b", "se"))
        + compensate("c", activity="sub") + '<endEvent id="e"/>'
        + chain("s", "outer", "sub", "c", "e")
    )
    assert run.state.variables["trace"] == ["undo_b", "undo_a"]
    assert run.state.status == "completed"


def test_a_subprocess_with_its_own_handler_is_undone_by_it_alone():
    inner = '<startEvent id="ss"/>' + undoable("a") + '<endEvent id="se"/>'
    run = started(
        '<startEvent id="s"/>'
        + undoable("sub", kind="subProcess", inner=inner + chain("ss", "a", "se"))
        + compensate("c") + '<endEvent id="e"/>' + chain("s", "sub", "c", "e")
    )
    assert run.state.variables["trace"] == ["undo_sub"]


def test_each_instance_of_a_multi_instance_subprocess_is_undone():
    inner = '<startEvent id="ss"/>' + undoable("a") + '<endEvent id="se"/>' + chain("ss", "a", "se")
    loop = (
        '<multiInstanceLoopCharacteristics isSequential="true">'
        "<loopCardinality>3</loopCardinality></multiInstanceLoopCharacteristics>"
    )
    run = started(
        '<startEvent id="s"/>' + sub_process("sub", loop + inner) + compensate("c")
        + '<endEvent id="e"/>' + chain("s", "sub", "c", "e")
    )
    assert run.state.variables["trace"] == ["undo_a"] * 3


def test_a_user_task_handler_holds_the_throw_until_it_is_done():
    run = started(
        '<startEvent id="s"/>' + undoable("a") + undoable("b", handler="userTask")
        + compensate("c") + '<endEvent id="e"/>' + chain("s", "a", "b", "c", "e")
    )
    assert run.waiting_at() == ["c", "undo_b"], "the handlers run one at a time, latest first"
    assert run.state.variables["trace"] == []
    run.complete("undo_b", {"trace": ["undo_b"]})
    assert run.state.variables["trace"] == ["undo_b", "undo_a"]
    assert run.completed()["e"] == 1 and run.state.status == "completed"


def test_without_wait_for_completion_the_throw_goes_on_at_once():
    run = started(
        '<startEvent id="s"/>' + undoable("a", handler="userTask") + compensate("c", wait=False)
        + '<userTask id="next"/><endEvent id="e"/>' + chain("s", "a", "c", "next", "e")
    )
    assert run.waiting_at() == ["next", "undo_a"]
    run.complete("next").complete("undo_a")
    assert run.ended("compensated") == ["a"] and run.state.status == "completed"


def test_the_state_survives_a_json_round_trip_before_and_during_compensation():
    run = started(
        '<startEvent id="s"/>' + undoable("a") + undoable("b", handler="userTask")
        + '<userTask id="t"/>' + compensate("c") + '<endEvent id="e"/>'
        + chain("s", "a", "b", "t", "c", "e")
    )
    run.state = InstanceState.from_json(json.loads(json.dumps(run.state.to_json())))
    run.complete("t")
    run.state = InstanceState.from_json(json.loads(json.dumps(run.state.to_json())))
    run.complete("undo_b", {"trace": ["undo_b"]})
    assert run.state.variables["trace"] == ["undo_b", "undo_a"]
    assert run.state.status == "completed"
