"""Compensation: undo completed activities by running their handlers (BPMN 2.0, 10.5.6).

An activity with a compensation boundary event leaves a record in its scope when it
completes; so does a completed subprocess holding such records, with them inside. A
compensation throw takes from its own scope the records of the activity it names, or all
of them, and runs their handlers latest completion first, as tokens in the thrower's scope.
A subprocess with a handler of its own is undone by that handler alone; one without, by
undoing what it holds (the spec's default compensation). Activities still running, and
subprocesses still running, are not compensated: only completed work has a record.

Records are JSON, ``{"activity", "seq", "ended", "handler"?, "inner"?}``, kept in the scope
token's ``local["compensable"]`` (the state's ``compensable`` for the process). A throw
takes the records out, so compensating a second time finds nothing left to undo.
"""

from datetime import datetime

from processes.engine import effects as fx


def completed(run, token) -> None:
    """Keep what compensation needs once the activity of ``token`` has completed."""
    if "compensates" in token.local:
        handler_done(run, token)
    else:
        remember(run, token)


def remember(run, token) -> None:
    """Record a completed activity in its scope if a throw may compensate it later."""
    inner = token.local.pop("compensable", None)
    body = run.state.loop_body(token)
    if body is not None:  # one run of a loop: its body completes, and is recorded, last
        if inner:
            body.local.setdefault("compensable", []).extend(inner)
        return
    handler = handler_of(run.plan, token.element_id)
    if handler is None and not inner:
        return
    record = {"activity": token.element_id, "seq": token.activity_seq, "ended": run.now.isoformat()}
    if handler is not None:
        record["handler"] = handler
    if inner:
        record["inner"] = inner
    records_in(run.state, token.scope_id).append(record)


def handler_of(plan, activity_id: str) -> str | None:
    """Return the handler associated with the compensation boundary event of an activity."""
    boundaries = plan.boundary_events(activity_id, "compensate")
    return boundaries[0].compensation_handler if boundaries else None


def records_in(state, scope_id: int | None) -> list[dict]:
    if scope_id is None:
        return state.compensable
    return state.tokens[scope_id].local.setdefault("compensable", [])


def throw(run, token, node) -> None:
    """Compensate what ``node`` names in the scope of ``token``.

    With waitForCompletion (the default) the thrower waits and the handlers run one after
    the other, so that the order holds for handlers that wait themselves (a user task);
    without it, they all start now and the thrower goes on.
    """
    definition = next(d for d in node.event_definitions if d.kind == "compensate")
    undo = take(records_in(run.state, token.scope_id), definition.activity_ref)
    if not definition.wait_for_completion:
        for entry in undo:
            start_handler(run, entry, token.scope_id, None)
    elif undo:
        token.state = "waiting"
        token.local["compensation"] = undo
        next_handler(run, token)


def take(records: list[dict], activity_ref: str | None) -> list[dict]:
    """Take out the records of ``activity_ref`` (None: all); return what to undo, latest first."""
    chosen = [r for r in records if activity_ref in (None, r["activity"])]
    records[:] = [r for r in records if r not in chosen]
    return [entry for record in reversed(chosen) for entry in undoing(record)]


def undoing(record: dict) -> list[dict]:
    """What undoes one record: its own handler, else the records inside it, latest first."""
    if "handler" in record:
        return [{"handler": record["handler"], "seq": record["seq"], "ended": record["ended"]}]
    return take(record["inner"], None)


def next_handler(run, thrower) -> None:
    """Start the next handler the thrower waits for; with none left, let it go on."""
    queue = thrower.local["compensation"]
    if queue:
        start_handler(run, queue.pop(0), thrower.scope_id, thrower.id)
        return
    del thrower.local["compensation"]
    thrower.state = "active"
    run.schedule(run.leave, thrower)


def start_handler(run, entry: dict, scope_id: int | None, thrower_id: int | None) -> None:
    handler = run.new_token(entry["handler"], scope_id)
    handler.local["compensates"] = {
        "seq": entry["seq"], "ended": entry["ended"], "thrower": thrower_id,
    }
    run.enter(handler, entry["handler"])


def handler_done(run, token) -> None:
    """A handler completed: mark its activity compensated, and go on with the throw."""
    done = token.local.pop("compensates")
    run.emit(fx.ActivityEnded(done["seq"], datetime.fromisoformat(done["ended"]), "compensated"))
    thrower = run.state.tokens.get(done["thrower"])
    if thrower is not None:
        next_handler(run, thrower)
