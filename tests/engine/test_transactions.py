"""Transactions: complete like a subprocess; a cancel end event undoes them and leaves by the
cancel boundary event; an error caught on them interrupts them without compensation."""

import json

from processes.engine import effects as fx
from processes.engine.state import InstanceState
from tests.engine.runner import Instance, flow
from tests.engine.test_compensation import chain, undoable

CANCEL = "<cancelEventDefinition/>"


def transaction(inner, catches=CANCEL):
    """A transaction holding ``inner``; its boundary event (``catches``) leads to ``recover``."""
    return (
        f'<transaction id="tx">{inner}</transaction>'
        f'<boundaryEvent id="caught" attachedToRef="tx">{catches}</boundaryEvent>'
        '<task id="recover"/><endEvent id="e_caught"/>'
        + chain("caught", "recover", "e_caught")
    )


def started(inner, catches=CANCEL, extra=""):
    return Instance(
        '<startEvent id="s"/>' + transaction(inner, catches) + '<endEvent id="e"/>'
        + chain("s", "tx", "e"),
        {"trace": []},
        extra=extra,
    )


def test_a_transaction_that_completes_goes_on_like_a_subprocess():
    run = started(
        '<startEvent id="ts"/>' + undoable("a") + '<endEvent id="te"/>' + chain("ts", "a", "te")
    )
    assert run.completed()["tx"] == 1 and run.completed()["e"] == 1
    assert run.state.variables["trace"] == [] and "recover" not in run.names.values()
    assert run.state.status == "completed"


def test_a_cancel_end_event_cancels_running_work_undoes_completed_work_then_leaves():
    inner = (
        '<startEvent id="ts"/><parallelGateway id="fork"/>' + undoable("a") + undoable("b")
        + '<userTask id="review"/><endEvent id="te"/>'
        + f'<endEvent id="cancel">{CANCEL}</endEvent>'
        + chain("ts", "fork", "a", "b", "cancel") + chain("fork", "review", "te")
    )
    run = started(inner)
    assert run.ended("cancelled") == ["review", "tx"]
    assert run.state.variables["trace"] == ["undo_b", "undo_a"]
    assert run.ended("compensated") == ["b", "a"]
    assert run.completed()["recover"] == 1 and run.completed()["cancel"] == 1
    assert "e" not in run.names.values(), "the normal flow out is not taken"
    assert run.state.status == "completed"
    closed = [e.outcome for e in run.of(fx.TaskClosed)]
    assert closed == ["cancelled"]


def test_handlers_run_inside_the_transaction_before_it_ends():
    run = started(
        '<startEvent id="ts"/>' + undoable("a") + f'<endEvent id="cancel">{CANCEL}</endEvent>'
        + chain("ts", "a", "cancel")
    )
    order = [run.names[e.seq] for e in run.of(fx.ActivityEnded) if e.seq in run.names]
    assert order.index("undo_a") < order.index("tx") < order.index("caught")
    started_undo = next(e for e in run.of(fx.ActivityStarted) if e.element_id == "undo_a")
    tx = next(e for e in run.of(fx.ActivityStarted) if e.element_id == "tx")
    assert started_undo.scope_seq == tx.seq


def test_an_error_caught_on_the_transaction_interrupts_it_without_compensation():
    inner = (
        '<startEvent id="ts"/>' + undoable("a")
        + '<endEvent id="fail"><errorEventDefinition errorRef="err"/></endEvent>'
        + chain("ts", "a", "fail")
    )
    run = started(
        inner, '<errorEventDefinition errorRef="err"/>', '<error id="err" errorCode="BROKEN"/>'
    )
    assert run.state.variables["trace"] == []
    assert run.ended("error") == ["tx"] and run.completed()["recover"] == 1
    assert run.state.status == "completed"


def test_the_caught_boundary_waits_for_a_user_task_handler():
    run = started(
        '<startEvent id="ts"/>' + undoable("a") + undoable("b", handler="userTask")
        + f'<endEvent id="cancel">{CANCEL}</endEvent>' + chain("ts", "a", "b", "cancel")
    )
    assert run.waiting_at() == ["cancel", "undo_b"]
    assert "caught" not in run.names.values()
    run.complete("undo_b", {"trace": ["undo_b"]})
    assert run.state.variables["trace"] == ["undo_b", "undo_a"]
    assert run.completed()["recover"] == 1 and run.state.status == "completed"


def test_the_state_survives_a_json_round_trip_before_and_during_cancellation():
    run = started(
        '<startEvent id="ts"/>' + undoable("a") + undoable("b", handler="userTask")
        + '<userTask id="t"/>' + f'<endEvent id="cancel">{CANCEL}</endEvent>'
        + chain("ts", "a", "b", "t", "cancel")
    )
    run.state = InstanceState.from_json(json.loads(json.dumps(run.state.to_json())))
    run.complete("t")
    run.state = InstanceState.from_json(json.loads(json.dumps(run.state.to_json())))
    run.complete("undo_b", {"trace": ["undo_b"]})
    assert run.state.variables["trace"] == ["undo_b", "undo_a"]
    assert run.ended("cancelled") == ["tx"] and run.state.status == "completed"


def test_a_completed_subprocess_inside_is_undone_too():
    sub = (
        '<subProcess id="sub"><startEvent id="ss"/>' + undoable("a") + '<endEvent id="se"/>'
        + chain("ss", "a", "se") + "</subProcess>"
    )
    run = started(
        '<startEvent id="ts"/>' + sub + undoable("b") + f'<endEvent id="cancel">{CANCEL}</endEvent>'
        + chain("ts", "sub", "b", "cancel")
    )
    assert run.state.variables["trace"] == ["undo_b", "undo_a"]


def test_a_cancel_end_event_without_a_cancel_boundary_opens_an_incident():
    run = Instance(
        '<startEvent id="s"/><transaction id="tx"><startEvent id="ts"/>'
        + f'<endEvent id="cancel">{CANCEL}</endEvent>' + flow("ts", "cancel") + "</transaction>"
        + '<endEvent id="e"/>' + chain("s", "tx", "e")
    )
    incident = run.of(fx.IncidentOpened)[0]
    assert incident.element_id == "cancel" and "no cancel boundary" in incident.message
