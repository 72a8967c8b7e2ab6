"""What waiting for an event means, shared by catch events, boundaries and event gateways.

A timer waits as a job with a due time; a message or signal as a subscription the
persistence layer keeps, so that deliveries find the token.
"""

from processes.engine import effects as fx
from processes.engine.behaviours.timers import due_at, is_cycle, next_due_at

WAITABLE = frozenset({"timer", "message", "signal"})


def trigger_of(node) -> str | None:
    """The event a catching node waits for; a receive task waits for its message."""
    return "message" if node.kind == "receiveTask" else node.trigger


def open_wait(run, token, node) -> None:
    """Start waiting, on ``token``'s behalf, for the event of ``node``."""
    trigger = trigger_of(node)
    if trigger == "timer":
        schedule_timer(run, token, node, due_at(run, node), 0)
    elif trigger in ("message", "signal"):
        run.emit(fx.SubscriptionOpened(trigger, run.plan.event_name(node, trigger), token.id, node.id))


def close_wait(run, token, node) -> None:
    """Stop waiting for the event of ``node`` (it happened, or the wait was withdrawn)."""
    trigger = trigger_of(node)
    if trigger == "timer":
        run.emit(fx.JobCancelled(token.id, node.id))
    elif trigger in ("message", "signal"):
        run.emit(fx.SubscriptionClosed(token.id, node.id))


def schedule_timer(run, token, node, due, fired: int) -> None:
    """Schedule a timer; a cycle's job remembers its due time and count, for the next one."""
    payload = {"due": due.isoformat(), "fired": fired} if is_cycle(node) else {}
    run.emit(fx.JobScheduled("timer", token.id, node.id, due, payload=payload))


def repeat_timer(run, token, node, occurrence) -> None:
    """A cycle timer fired (``occurrence``: its due time and count): schedule the next one."""
    if occurrence is None or not is_cycle(node):
        return
    due, fired = occurrence
    following = next_due_at(run, node, due, fired + 1)
    if following is not None:
        schedule_timer(run, token, node, following, fired + 1)
