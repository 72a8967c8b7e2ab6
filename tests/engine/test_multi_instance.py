"""Multi-instance activities and standard loops, run through the pure engine."""

import json

import pytest

from processes.engine import effects as fx
from processes.engine.errors import UnsupportedElement
from processes.engine.state import InstanceState
from tests.engine.runner import Instance, flow

ERRORS = '<error id="err_stock" errorCode="OUT_OF_STOCK"/>'


def around(activity, variables=None, extra=""):
    """An instance of start → activity ``a`` → end."""
    return Instance(
        '<startEvent id="s"/>' + flow("s", "a") + activity + flow("a", "e") + '<endEvent id="e"/>',
        variables, extra=extra,
    )


def script_task(loop, script):
    return f'<scriptTask id="a">{loop}<script>{script}</script></scriptTask>'


def multi(inner="", sequential=False, **attributes):
    attrs = "".join(f' baton:{name}="{value}"' for name, value in attributes.items())
    return (
        f'<multiInstanceLoopCharacteristics isSequential="{str(sequential).lower()}"{attrs}>'
        f"{inner}</multiInstanceLoopCharacteristics>"
    )


CARDINALITY_3 = "<loopCardinality>3</loopCardinality>"
COMPLETE_AT_2 = "<completionCondition>${nrOfCompletedInstances &gt;= 2}</completionCondition>"
OUTPUT = '<loopDataOutputRef>results</loopDataOutputRef><outputDataItem name="result"/>'


def waiting_tokens(run):
    return [t.id for t in run.state.tokens.values() if t.state == "waiting"]


def test_a_parallel_multi_instance_runs_its_activity_once_per_instance():
    run = around(script_task(multi(CARDINALITY_3), "seen = seen + [loopCounter]"), {"seen": []})
    assert run.state.status == "completed"
    assert run.state.variables == {"seen": [0, 1, 2]}, "loopCounter stays local to each instance"
    starts = [e for e in run.of(fx.ActivityStarted) if e.element_id == "a"]
    body, *instances = starts
    assert body.element_type == "multiInstanceBody"
    assert [i.element_type for i in instances] == ["scriptTask"] * 3
    assert {i.scope_seq for i in instances} == {body.seq}
    assert run.completed()["a"] == 4 and run.completed()["e"] == 1


def test_a_sequential_multi_instance_walks_a_collection_with_its_element_variable():
    run = around(
        script_task(
            multi(sequential=True, collection="${items}", elementVariable="item"),
            "log = log + [[loopCounter, item]]",
        ),
        {"items": ["x", "y"], "log": []},
    )
    assert run.state.variables["log"] == [[0, "x"], [1, "y"]]
    assert "item" not in run.state.variables and "loopCounter" not in run.state.variables


def test_instances_see_the_counts_of_the_body():
    script = "counts = counts + [[nrOfInstances, nrOfActiveInstances, nrOfCompletedInstances]]"
    parallel = around(script_task(multi(CARDINALITY_3), script), {"counts": []})
    sequential = around(script_task(multi(CARDINALITY_3, sequential=True), script), {"counts": []})
    assert parallel.state.variables["counts"] == [[3, 3, 0], [3, 2, 1], [3, 1, 2]]
    assert sequential.state.variables["counts"] == [[3, 1, 0], [3, 1, 1], [3, 1, 2]]
    assert "nrOfInstances" not in parallel.state.variables


def test_a_script_changes_a_local_variable_locally_and_any_other_in_the_instance():
    run = around(
        script_task(
            multi(collection="items", elementVariable="item"), "total = total + item\nitem = 0"
        ),
        {"items": [1, 2, 3], "total": 0},
    )
    assert run.state.variables == {"items": [1, 2, 3], "total": 6}


def test_outputs_are_gathered_in_the_order_of_the_input():
    run = around(
        '<userTask id="a" baton:assignee="${reviewer}">'
        + multi(OUTPUT, collection="${reviewers}", elementVariable="reviewer")
        + "</userTask>",
        {"reviewers": ["ann", "bob", "cy"]},
    )
    assert [t.assignee for t in run.of(fx.TaskCreated)] == ["ann", "bob", "cy"]
    for token_id in reversed(waiting_tokens(run)):
        assert run.state.status == "active"
        run.do("complete_task", token_id, {"result": f"done by {token_id}"})
    ids = [t.token_id for t in run.of(fx.TaskCreated)]
    assert run.state.variables["results"] == [f"done by {i}" for i in ids]
    assert "result" not in run.state.variables and run.state.status == "completed"


def test_the_completion_condition_cancels_the_remaining_instances():
    run = around(
        '<userTask id="a">'
        + multi(CARDINALITY_3 + COMPLETE_AT_2)
        + "</userTask>"
    )
    first, second, third = waiting_tokens(run)
    run.do("complete_task", second).do("complete_task", first)
    assert run.state.status == "completed"
    assert fx.TaskClosed(third, "cancelled") in run.effects
    assert run.ended("cancelled") == ["a"]
    assert run.completed()["a"] == 3, "two instances and the body"


def test_a_sequential_multi_instance_offers_one_task_at_a_time():
    run = around('<userTask id="a">' + multi(CARDINALITY_3, sequential=True) + "</userTask>")
    for _ in range(3):
        assert len(waiting_tokens(run)) == 1
        run.do("complete_task", waiting_tokens(run)[0])
    assert run.state.status == "completed" and len(run.of(fx.TaskCreated)) == 3


def test_an_empty_collection_completes_the_activity_at_once():
    run = around(
        script_task(multi(OUTPUT, collection="${items}", elementVariable="item"), "result = item"),
        {"items": []},
    )
    assert run.state.status == "completed"
    assert run.state.variables["results"] == []
    assert [e.element_type for e in run.of(fx.ActivityStarted) if e.element_id == "a"] == [
        "multiInstanceBody"
    ]


def test_a_multi_instance_subprocess_runs_its_inside_once_per_item():
    run = around(
        '<subProcess id="a">' + multi(collection="${items}", elementVariable="item")
        + '<startEvent id="ss"/>' + flow("ss", "log")
        + '<scriptTask id="log"><script>log = log + [item * 10 + loopCounter]</script></scriptTask>'
        + flow("log", "ask") + '<userTask id="ask" baton:assignee="${item}"/>'
        + flow("ask", "se") + '<endEvent id="se"/></subProcess>',
        {"items": [1, 2], "log": []},
    )
    assert run.state.variables["log"] == [10, 21]
    assert [t.assignee for t in run.of(fx.TaskCreated)] == ["1", "2"]
    for token_id in waiting_tokens(run):
        run.do("complete_task", token_id)
    assert run.state.status == "completed" and run.completed()["a"] == 3


def test_a_boundary_timer_interrupts_every_instance():
    run = around(
        '<userTask id="a">' + multi(CARDINALITY_3) + "</userTask>"
        + '<boundaryEvent id="late" attachedToRef="a"><timerEventDefinition>'
        "<timeDuration>PT1H</timeDuration></timerEventDefinition></boundaryEvent>"
        + flow("late", "chase") + '<endEvent id="chase"/>'
    )
    timers = [j for j in run.of(fx.JobScheduled) if j.kind == "timer"]
    assert len(timers) == 1, "the boundary waits on the body, not on each instance"
    run.clock.advance(hours=1)
    run.do("trigger", timers[0].token_id, "late")
    assert run.ended("cancelled") == ["a"] * 4
    assert len([e for e in run.of(fx.TaskClosed) if e.outcome == "cancelled"]) == 3
    assert run.completed()["chase"] == 1 and run.state.status == "completed"


def test_an_error_from_one_instance_is_caught_on_the_body():
    run = around(
        '<serviceTask id="a" baton:type="handler" baton:handler="stock.reserve">'
        + multi(CARDINALITY_3) + "</serviceTask>"
        + '<boundaryEvent id="none_left" attachedToRef="a">'
        '<errorEventDefinition errorRef="err_stock"/></boundaryEvent>'
        + flow("none_left", "backorder") + '<endEvent id="backorder"/>',
        extra=ERRORS,
    )
    jobs = [j.token_id for j in run.of(fx.JobScheduled)]
    run.do("complete_job", jobs[0]).do("throw_error", jobs[1], "OUT_OF_STOCK")
    assert run.completed()["backorder"] == 1 and run.state.status == "completed"
    assert fx.JobCancelled(jobs[2], "a") in run.effects
    assert sorted(run.ended("cancelled") + run.ended("error")) == ["a", "a", "a"]


def test_a_bad_cardinality_is_an_incident_at_the_activity():
    run = around(script_task(multi("<loopCardinality>${count}</loopCardinality>"), "x = 1"),
                 {"count": "many"})
    assert "is not a number of instances" in run.of(fx.IncidentOpened)[0].message


def test_the_state_survives_a_json_round_trip_half_way():
    run = around(
        '<userTask id="a">' + multi(OUTPUT, collection="${items}", elementVariable="result")
        + "</userTask>",
        {"items": ["a", "b", "c"]},
    )
    first, second, third = waiting_tokens(run)
    run.do("complete_task", second)
    run.state = InstanceState.from_json(json.loads(json.dumps(run.state.to_json())))
    run.do("complete_task", third, {"result": "C"}).do("complete_task", first)
    assert run.state.variables["results"] == ["a", "b", "C"]
    assert run.state.status == "completed"


def standard_loop(attributes="", condition=None):
    body = f"<loopCondition>{condition}</loopCondition>" if condition else ""
    return f"<standardLoopCharacteristics {attributes}>{body}</standardLoopCharacteristics>"


def test_a_standard_loop_repeats_while_its_condition_holds():
    run = around(
        script_task(standard_loop(condition="${n &lt; 3}"), "n = n + 1\nlog = log + [loopCounter]"),
        {"n": 0, "log": []},
    )
    assert run.state.variables == {"n": 3, "log": [0, 1, 2]}
    starts = [e.element_type for e in run.of(fx.ActivityStarted) if e.element_id == "a"]
    assert starts == ["loopBody", "scriptTask", "scriptTask", "scriptTask"]


def test_a_loop_tested_after_runs_once_even_if_its_condition_never_holds():
    def counted(loop):
        return around(script_task(loop, "runs = runs + 1"), {"runs": 0})

    tested_after = counted(standard_loop('testBefore="false"', "${false}"))
    tested_before = counted(standard_loop('testBefore="true"', "${false}"))
    assert tested_after.state.variables["runs"] == 1
    assert tested_before.state.variables["runs"] == 0 and tested_before.state.status == "completed"


def test_a_loop_stops_at_its_maximum():
    run = around(
        script_task(standard_loop('loopMaximum="4"', "${true}"), "runs = runs + 1"), {"runs": 0}
    )
    assert run.state.variables["runs"] == 4 and run.state.status == "completed"


def test_a_looping_user_task_is_offered_again_until_the_condition_fails():
    run = around('<userTask id="a">' + standard_loop(condition="${not approved}") + "</userTask>")
    run.do("complete_task", waiting_tokens(run)[0], {"approved": False})
    run.do("complete_task", waiting_tokens(run)[0], {"approved": True})
    assert run.state.status == "completed" and len(run.of(fx.TaskCreated)) == 2


def test_async_before_holds_each_instance_for_its_own_job():
    run = around(
        '<scriptTask id="a" baton:asyncBefore="true">' + multi(CARDINALITY_3)
        + "<script>runs = runs + 1</script></scriptTask>",
        {"runs": 0},
    )
    jobs = [j.token_id for j in run.of(fx.JobScheduled) if j.kind == "continue"]
    assert len(jobs) == 3 and run.state.variables["runs"] == 0
    for token_id in jobs:
        run.do("continue_token", token_id)
    assert run.state.variables["runs"] == 3 and run.state.status == "completed"


# Behaviors: the events instances throw as they complete (BPMN 2.0, 10.3.8)

SIGNALS = (
    '<signal id="s_done" name="one done"/><signal id="s_late" name="late"/>'
    '<signalEventDefinition id="sd_done" signalRef="s_done"/>'
    '<messageEventDefinition id="md_done" messageRef="m_done"/><message id="m_done" name="done"/>'
)


def behaving(loop, cancel_activity=False):
    """Review tasks ``a`` whose behavior ``loop`` throws; a boundary hears signal "one done"."""
    return around(
        '<userTask id="a">' + loop + "</userTask>"
        + '<boundaryEvent id="heard" attachedToRef="a" '
        f'cancelActivity="{str(cancel_activity).lower()}">'
        '<signalEventDefinition signalRef="s_done"/></boundaryEvent>'
        + flow("heard", "noted") + '<endEvent id="noted"/>',
        extra=SIGNALS,
    )


def mi_behavior(behavior, inner=CARDINALITY_3, sequential=False, **refs):
    attrs = "".join(f' {name}="{value}"' for name, value in refs.items())
    return (
        f'<multiInstanceLoopCharacteristics isSequential="{str(sequential).lower()}" '
        f'behavior="{behavior}"{attrs}>{inner}</multiInstanceLoopCharacteristics>'
    )


def test_behavior_none_throws_its_event_each_time_an_instance_completes():
    run = behaving(mi_behavior("None", sequential=True, noneBehaviorEventRef="sd_done"))
    for done in (1, 2, 3):
        run.do("complete_task", waiting_tokens(run)[0])
        assert run.completed()["noted"] == done
    assert [s.name for s in run.of(fx.SignalThrown)] == ["one done"] * 3, "and to other instances"
    assert run.state.status == "completed" and run.completed()["e"] == 1


def test_behavior_one_throws_its_event_when_the_first_instance_completes():
    run = behaving(mi_behavior("One", oneBehaviorEventRef="sd_done"))
    for token_id in waiting_tokens(run):
        run.do("complete_task", token_id)
    assert run.completed()["noted"] == 1 and len(run.of(fx.SignalThrown)) == 1
    assert run.state.status == "completed" and run.completed()["e"] == 1


def test_behavior_all_throws_nothing():
    run = behaving(mi_behavior("All", noneBehaviorEventRef="sd_done"))
    for token_id in waiting_tokens(run):
        run.do("complete_task", token_id)
    assert not run.of(fx.SignalThrown) and run.completed()["noted"] == 0
    assert run.state.status == "completed"


def test_behavior_complex_throws_when_a_condition_holds_and_completes_the_activity():
    definition = (
        "<complexBehaviorDefinition><condition>${nrOfCompletedInstances &gt;= 2}</condition>"
        '<event><signalEventDefinition signalRef="s_done"/></event></complexBehaviorDefinition>'
        "<complexBehaviorDefinition><condition>${false}</condition>"
        '<event><signalEventDefinition signalRef="s_late"/></event></complexBehaviorDefinition>'
    )
    run = behaving(mi_behavior("Complex", CARDINALITY_3 + definition))
    first, second, third = waiting_tokens(run)
    run.do("complete_task", first)
    assert not run.of(fx.SignalThrown), "its condition does not hold yet"
    run.do("complete_task", third)
    assert [s.name for s in run.of(fx.SignalThrown)] == ["one done"]
    assert fx.TaskClosed(second, "cancelled") in run.effects, "the remaining instance is cancelled"
    assert run.completed()["noted"] == 1 and run.completed()["e"] == 1
    assert run.state.status == "completed"


def test_an_interrupting_boundary_catching_the_behavior_event_ends_the_activity():
    run = behaving(
        mi_behavior("None", sequential=True, noneBehaviorEventRef="sd_done"), cancel_activity=True
    )
    run.do("complete_task", waiting_tokens(run)[0])
    assert run.completed()["noted"] == 1 and run.completed()["e"] == 0
    assert len(run.of(fx.TaskCreated)) == 1, "no second instance starts"
    assert run.state.status == "completed"


def test_a_behavior_may_send_a_message():
    run = behaving(mi_behavior("One", oneBehaviorEventRef="md_done"))
    run.do("complete_task", waiting_tokens(run)[0])
    assert [m.name for m in run.of(fx.MessageSent)] == ["done"]


def test_a_behavior_throwing_an_event_it_cannot_throw_is_refused():
    with pytest.raises(UnsupportedElement, match="throws a timer event"):
        around(
            '<task id="a">' + mi_behavior("None", noneBehaviorEventRef="td") + "</task>",
            extra='<timerEventDefinition id="td"><timeDuration>PT1H</timeDuration>'
            "</timerEventDefinition>",
        )
