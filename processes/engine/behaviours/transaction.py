"""Transactions and their cancellation (BPMN 2.0, 10.3.5 and 10.5.6).

A transaction completes like an embedded subprocess. A cancel end event inside it cancels
it instead: the activities still running inside are cancelled, the completed ones with
compensation handlers are undone, latest first, and the flow then leaves by the cancel
boundary event attached to the transaction. The cancel end event's token waits in the
transaction while the handlers run, as a compensation throw does
(``processes.engine.compensation``), so a handler that is a user task holds the exit
until it is completed. An error caught on the transaction interrupts it with no
compensation, through the generic error path.
"""

from processes.engine import compensation
from processes.engine.behaviours.subprocess import SubProcess
from processes.engine.errors import StepFailed


class Transaction(SubProcess):
    """A subprocess whose cancellation undoes its completed work before it leaves."""


def cancel(run, token) -> None:
    """A cancel end event was reached by ``token``: cancel and compensate its transaction.

    Everything else running in the transaction is cancelled first, so that only completed
    work is undone; the handlers then run in the transaction, one at a time.
    """
    transaction = run.state.tokens.get(token.scope_id)
    if transaction is None or run.plan.nodes[transaction.element_id].kind != "transaction":
        raise StepFailed(
            f"Cancel end event '{token.element_id}' is not directly inside a transaction."
        )
    cancel_boundary(run, transaction)  # refuse before cancelling anything
    inside = run.state.by_scope()
    for other in list(inside.get(transaction.id, ())):
        if other is not token and run.state.tokens.get(other.id) is other:
            run.cancel_token(other, "cancelled", inside)
    token.state = "waiting"
    token.local["compensation"] = compensation.take(
        compensation.records_in(run.state, transaction.id), None
    )
    compensation.next_handler(run, token)  # with nothing to undo, it leaves at once


def leave_cancelled(run, token) -> None:
    """Compensation finished: end the transaction and leave by its cancel boundary event."""
    transaction = run.state.tokens[token.scope_id]
    boundary = cancel_boundary(run, transaction)
    run.end_activity(token)
    run.state.tokens.pop(token.id, None)
    run.interrupt(transaction, boundary, "cancelled")


def cancel_boundary(run, transaction):
    """Return the cancel boundary event of a transaction, which a cancel end event needs."""
    boundaries = run.plan.boundary_events(transaction.element_id, "cancel")
    if not boundaries:
        raise StepFailed(f"Transaction '{transaction.element_id}' has no cancel boundary event.")
    return boundaries[0]
