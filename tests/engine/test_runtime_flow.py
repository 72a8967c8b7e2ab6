"""Sequences, scripts, gateways and subprocesses in the pure engine."""

from processes.engine import effects as fx
from tests.engine.runner import Instance, flow


def test_a_straight_process_runs_to_the_end_with_one_history_row_per_step():
    run = Instance(
        '<startEvent id="s"/>' + flow("s", "calc")
        + '<scriptTask id="calc"><script>total = amount * 2\nbig = total &gt; 10</script></scriptTask>'
        + flow("calc", "t") + '<task id="t"/>' + flow("t", "e") + '<endEvent id="e"/>',
        {"amount": 7},
    )
    assert run.state.status == "completed" and run.state.tokens == {}
    assert run.state.variables == {"amount": 7, "total": 14, "big": True}
    assert run.completed() == {"s": 1, "calc": 1, "t": 1, "e": 1}
    assert len(run.of(fx.ActivityStarted)) == 4
    assert run.of(fx.InstanceEnded)[0].outcome == "completed"


EXCLUSIVE = (
    '<startEvent id="s"/>' + flow("s", "x")
    + '<exclusiveGateway id="x" default="to_small"/>'
    + flow("x", "big", "${amount &gt; 1000}", "to_big")
    + flow("x", "small", flow_id="to_small")
    + '<endEvent id="big"/><endEvent id="small"/>'
)


def test_an_exclusive_gateway_takes_the_matching_flow_else_the_default():
    assert Instance(EXCLUSIVE, {"amount": 5000}).completed()["big"] == 1
    assert Instance(EXCLUSIVE, {"amount": 10}).completed()["small"] == 1


def test_an_exclusive_gateway_with_no_match_and_no_default_opens_an_incident():
    run = Instance(
        '<startEvent id="s"/>' + flow("s", "x") + '<exclusiveGateway id="x"/>'
        + flow("x", "a", "${n == 1}") + flow("x", "b", "${n == 2}")
        + '<endEvent id="a"/><endEvent id="b"/>', {"n": 3},
    )
    incident = run.of(fx.IncidentOpened)[0]
    assert incident.element_id == "x" and "no default flow" in incident.message
    assert run.token_at("x").state == "failed" and run.state.status == "active"
    run.state.variables["n"] = 2
    run.do("retry", run.token_at("x").id)
    assert run.of(fx.IncidentResolved) and run.completed()["b"] == 1
    assert run.state.status == "completed"


def test_a_script_error_is_an_incident_naming_the_element_and_retry_runs_it_again():
    run = Instance(
        '<startEvent id="s"/>' + flow("s", "calc")
        + '<scriptTask id="calc"><script>share = total / parts</script></scriptTask>'
        + flow("calc", "e") + '<endEvent id="e"/>', {"total": 10, "parts": 0},
    )
    message = run.of(fx.IncidentOpened)[0].message
    assert "calc" in message and "zero" in message.lower()
    run.state.variables["parts"] = 4
    run.do("retry", run.token_at("calc").id)
    assert run.state.variables["share"] == 2.5 and run.state.status == "completed"


PARALLEL = (
    '<startEvent id="s"/>' + flow("s", "fork") + '<parallelGateway id="fork"/>'
    + flow("fork", "review") + flow("fork", "calc")
    + '<userTask id="review"/><scriptTask id="calc"><script>x = 1</script></scriptTask>'
    + flow("review", "join") + flow("calc", "join") + '<parallelGateway id="join"/>'
    + flow("join", "e") + '<endEvent id="e"/>'
)


def test_a_parallel_join_waits_for_the_slow_branch_and_fires_once():
    run = Instance(PARALLEL)
    assert run.waiting_at() == ["review"]
    assert run.token_at("join").state == "joined"
    run.complete("review")
    assert run.completed() == {"s": 1, "fork": 1, "review": 1, "calc": 1, "join": 1, "e": 1}
    assert run.state.status == "completed"


def inclusive(test):
    return Instance(
        '<startEvent id="s"/>' + flow("s", "split") + '<inclusiveGateway id="split" default="to_c"/>'
        + flow("split", "a", '${test.contains("a")}') + flow("split", "b", '${test.contains("b")}')
        + flow("split", "c", flow_id="to_c")
        + '<userTask id="a"/><scriptTask id="b"><script>y = 1</script></scriptTask><task id="c"/>'
        + flow("a", "merge") + flow("b", "merge") + flow("c", "merge")
        + '<inclusiveGateway id="merge"/>' + flow("merge", "e") + '<endEvent id="e"/>',
        {"test": test},
    )


def test_an_inclusive_split_takes_every_matching_flow_or_the_default():
    assert set(inclusive("b").completed()) == {"s", "split", "b", "merge", "e"}
    assert set(inclusive("").completed()) == {"s", "split", "c", "merge", "e"}


def test_an_inclusive_join_waits_only_for_tokens_that_can_still_arrive():
    run = inclusive("ab")
    assert run.waiting_at() == ["a"], "b finished at once; the join waits for a"
    assert "merge" not in run.completed()
    run.complete("a")
    assert run.completed()["merge"] == 1 and run.state.status == "completed"


def test_an_embedded_subprocess_completes_when_its_last_token_ends():
    run = Instance(
        '<startEvent id="s"/>' + flow("s", "sub")
        + '<subProcess id="sub"><startEvent id="ss"/>' + flow("ss", "inner")
        + '<userTask id="inner"/>' + flow("inner", "se") + '<endEvent id="se"/></subProcess>'
        + flow("sub", "e") + '<endEvent id="e"/>'
    )
    assert run.waiting_at() == ["inner"] and run.token_at("sub").state == "scope"
    started = {e.element_id: e for e in run.of(fx.ActivityStarted)}
    assert started["inner"].scope_seq == started["sub"].seq
    run.complete("inner")
    assert run.completed() == {"s": 1, "sub": 1, "ss": 1, "inner": 1, "se": 1, "e": 1}


def test_a_terminate_end_event_cancels_the_other_branches():
    run = Instance(
        '<startEvent id="s"/>' + flow("s", "fork") + '<parallelGateway id="fork"/>'
        + flow("fork", "slow") + flow("fork", "stop") + '<userTask id="slow"/>'
        + flow("slow", "e") + '<endEvent id="e"/>'
        + '<endEvent id="stop"><terminateEventDefinition/></endEvent>'
    )
    assert run.state.status == "completed" and run.state.tokens == {}
    assert run.ended("cancelled") == ["slow"]
    assert run.of(fx.TaskClosed)[0].outcome == "cancelled"


def test_a_loop_a_thousand_times_keeps_only_live_tokens():
    run = Instance(
        '<startEvent id="s"/>' + flow("s", "step")
        + '<scriptTask id="step"><script>i = i + 1</script></scriptTask>' + flow("step", "again")
        + '<exclusiveGateway id="again" default="out"/>'
        + flow("again", "step", "${i &lt; 1000}", "back") + flow("again", "e", flow_id="out")
        + '<endEvent id="e"/>', {"i": 0},
    )
    assert run.state.variables["i"] == 1000 and run.completed()["step"] == 1000
    assert run.state.tokens == {}


def test_cancelling_an_instance_ends_every_open_activity():
    run = Instance(PARALLEL)
    run.do("cancel")
    assert run.state.status == "cancelled"
    assert run.ended("cancelled") == ["review", "join"]
    assert run.of(fx.InstanceEnded)[-1].outcome == "cancelled"


def test_an_activity_takes_unconditional_flows_and_its_default_only_when_no_condition_holds():
    body = (
        '<startEvent id="s"/>' + flow("s", "a")
        + '<task id="a" default="to_b"/>'
        + flow("a", "b", flow_id="to_b") + flow("a", "c", "${x > 1}") + flow("a", "d")
        + '<task id="b"/><task id="c"/><task id="d"/>'
        + flow("b", "e1") + flow("c", "e2") + flow("d", "e3")
        + '<endEvent id="e1"/><endEvent id="e2"/><endEvent id="e3"/>'
    )
    assert set(Instance(body, {"x": 0}).completed()) >= {"b", "d"}
    assert "c" not in Instance(body, {"x": 0}).completed()
    held = Instance(body, {"x": 5}).completed()
    assert held["c"] == 1 and held["d"] == 1 and "b" not in held


def test_completion_and_start_quantities_make_and_need_several_tokens():
    run = Instance(
        '<startEvent id="s"/>' + flow("s", "a")
        + '<task id="a" completionQuantity="3"/>' + flow("a", "b")
        + '<task id="b"/>' + flow("b", "c")
        + '<task id="c" startQuantity="3"/>' + flow("c", "e") + '<endEvent id="e"/>'
    )
    done = run.completed()
    assert (done["a"], done["b"], done["c"], done["e"]) == (1, 3, 1, 1)
    assert run.state.status == "completed"


def test_an_activity_short_of_its_start_quantity_never_starts():
    run = Instance(
        '<startEvent id="s"/>' + flow("s", "a") + '<task id="a" startQuantity="2"/>'
        + flow("a", "e") + '<endEvent id="e"/>'
    )
    assert "a" not in run.completed() and run.state.status == "active"
    assert [t.state for t in run.state.tokens.values()] == ["gathering"]


def test_each_variable_change_is_kept_on_the_activity_that_made_it():
    run = Instance(
        '<startEvent id="s"/>' + flow("s", "calc") + '<scriptTask id="calc"><script>total = amount * 2</script></scriptTask>'
        + flow("calc", "check") + '<userTask id="check"/>' + flow("check", "e") + '<endEvent id="e"/>',
        {"amount": 4},
    )
    run.complete("check", {"ok": True})
    changes = {run.names[e.activity_seq]: e.changes for e in run.of(fx.VariablesChanged)}
    assert changes == {"s": {"amount": 4}, "calc": {"total": 8}, "check": {"ok": True}}


ADHOC = (
    '<startEvent id="s"/>' + flow("s", "checks")
    + '<adHocSubProcess id="checks" ordering="{ordering}">{completion}'
    '<scriptTask id="a"><script>done = done + 1</script></scriptTask>'
    '<scriptTask id="b"><script>done = done + 1</script></scriptTask>'
    '<userTask id="c"/></adHocSubProcess>' + flow("checks", "e") + '<endEvent id="e"/>'
)


def test_an_ad_hoc_subprocess_runs_its_activities_and_ends_after_the_last():
    run = Instance(ADHOC.format(ordering="Parallel", completion=""), {"done": 0})
    assert run.state.variables["done"] == 2 and run.waiting_at() == ["c"]
    run.complete("c")
    assert run.state.status == "completed"


def test_a_sequential_ad_hoc_subprocess_runs_one_activity_after_another():
    run = Instance(ADHOC.format(ordering="Sequential", completion="").replace(
        '<userTask id="c"/>', '<userTask id="c"/><userTask id="d"/>'), {"done": 0})
    assert run.waiting_at() == ["c"]
    run.complete("c")
    assert run.waiting_at() == ["d"]


def test_an_ad_hoc_subprocess_ends_when_its_completion_condition_holds():
    run = Instance(ADHOC.format(
        ordering="Parallel",
        completion="<completionCondition>${done &gt;= 2}</completionCondition>",
    ), {"done": 0})
    assert run.state.status == "completed"
    assert not run.of(fx.TaskCreated), "c had not begun when the condition held"


def test_a_complex_join_goes_on_with_the_first_token_and_absorbs_the_rest():
    run = Instance(
        '<startEvent id="s"/>' + flow("s", "fork") + '<parallelGateway id="fork"/>'
        + flow("fork", "a") + flow("fork", "b") + '<userTask id="a"/><userTask id="b"/>'
        + flow("a", "first") + flow("b", "first")
        + '<complexGateway id="first"><activationCondition>${activationCount &gt;= 1}'
        "</activationCondition></complexGateway>"
        + flow("first", "after") + '<task id="after"/>' + flow("after", "e") + '<endEvent id="e"/>'
    )
    run.complete("b")
    assert run.completed()["after"] == 1 and run.waiting_at() == ["a"]
    run.complete("a")
    assert run.completed()["after"] == 1, "the second token is absorbed"
    assert run.state.status == "completed"
