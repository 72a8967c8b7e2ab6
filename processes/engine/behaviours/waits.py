"""What waiting for an event means, shared by catch events, boundaries and event gateways.

A timer waits as a job with a due time; a message or signal as a subscription the
persistence layer keeps, so that deliveries find the token.
"""

from processes.engine import effects as fx
from processes.engine.behaviours.timers import due_at

WAITABLE = frozenset({"timer", "message", "signal"})


def trigger_of(node) -> str | None:
    """The event a catching node waits for; a receive task waits for its message."""
    return "message" if node.kind == "receiveTask" else node.trigger


def open_wait(run, token, node) -> None:
    """Start waiting, on ``token``'s behalf, for the event of ``node``."""
    trigger = trigger_of(node)
    if trigger == "timer":
        run.emit(fx.JobScheduled("timer", token.id, node.id, due_at(run, node)))
    elif trigger in ("message", "signal"):
        run.emit(fx.SubscriptionOpened(trigger, run.plan.event_name(node, trigger), token.id, node.id))


def close_wait(run, token, node) -> None:
    """Stop waiting for the event of ``node`` (it happened, or the wait was withdrawn)."""
    trigger = trigger_of(node)
    if trigger == "timer":
        run.emit(fx.JobCancelled(token.id, node.id))
    elif trigger in ("message", "signal"):
        run.emit(fx.SubscriptionClosed(token.id, node.id))
