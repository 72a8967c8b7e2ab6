"""Event subprocesses: handlers that start inside a scope when their event happens.

While a scope (the process, or an embedded subprocess) runs, the start event of each event
subprocess in it waits: a timer as a job, a message or signal as a subscription, held by
the scope's token (token id 0 stands for the process itself). Errors and escalations are
not waited for: a throw inside the scope looks for them (``catching_start``). An
interrupting start ends everything else in the scope first; a non-interrupting one runs
beside it, and may happen again (BPMN 2.0, 10.3.5).
"""

from processes.engine.behaviours.waits import WAITABLE, close_wait, open_wait, repeat_timer

PROCESS_SCOPE = 0  # the token id the process-level waits are held by


class _ProcessScope:
    """Stands in for a token when the scope is the process itself."""

    id = PROCESS_SCOPE


def holder(scope_token):
    return scope_token if scope_token is not None else _ProcessScope


def starts_in(run, scope_token) -> list:
    """The start events of the event subprocesses directly in the scope of ``scope_token``."""
    scope_id = scope_token.element_id if scope_token is not None else run.plan.process.id
    scope = run.plan.process.scopes.get(scope_id)
    if scope is None:  # the body of a loop of a task: no scope of its own
        return []
    return [
        run.plan.nodes[start]
        for esp in scope.event_subprocesses
        for start in run.plan.process.scopes[esp].start_events
    ]


def open_waits(run, scope_token) -> None:
    """The scope began: its event subprocesses' start events begin to wait."""
    starts = starts_in(run, scope_token)
    for start in starts:
        open_wait(run, holder(scope_token), start)
    if any("conditional" in start.triggers for start in starts):
        run.schedule(run.check_conditions)  # one may hold already


def close_waits(run, scope_token) -> None:
    """The scope ended: nothing in it may start any more."""
    for start in starts_in(run, scope_token):
        if WAITABLE.intersection(start.triggers):
            close_wait(run, holder(scope_token), start)


def catching_start(run, scope_token, kind: str, code: str | None):
    """The start event of an event subprocess in the scope catching error or escalation ``code``."""
    code_of = run.plan.error_code if kind == "error" else run.plan.escalation_code
    catch_all = None
    for start in starts_in(run, scope_token):
        if kind not in start.triggers:
            continue
        caught = code_of(start)
        if caught is not None and caught == code:
            return start
        if caught is None and catch_all is None:
            catch_all = start
    return catch_all


def start_subprocess(run, scope_token, start, variables: dict, occurrence=None) -> None:
    """Start the event subprocess of ``start`` in the scope of ``scope_token``.

    ``occurrence`` is the due time and count of the cycle timer that started it, if one did.
    """
    scope_id = scope_token.id if scope_token is not None else None
    if start.is_interrupting:
        inside = run.state.by_scope()
        for token in list(inside.get(scope_id, ())):
            if run.state.tokens.get(token.id) is token:
                run.cancel_token(token, "cancelled", inside)
        close_waits(run, scope_token)
    else:  # it may happen again: the delivery used a subscription up, a cycle goes on
        open_wait(run, holder(scope_token), start, kinds=("message", "signal"))
        repeat_timer(run, holder(scope_token), start, occurrence)
    run.set_variables(variables)
    body = run.new_token(start.scope, scope_id)
    run.start_activity(body)
    body.state = "scope"
    open_waits(run, body)
    run.enter(run.new_token(start.id, body.id), start.id)
