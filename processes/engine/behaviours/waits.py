"""What waiting for an event means, shared by catch events, boundaries and event gateways.

A timer waits as a job with a due time; a message or signal as a subscription the
persistence layer keeps, so that deliveries find the token.
"""

from processes.engine import effects as fx
from processes.engine.behaviours.timers import due_at, is_cycle, next_due_at

WAITABLE = frozenset({"timer", "message", "signal"})


def triggers_of(node) -> tuple[str, ...]:
    """The events a catching node waits for (a multiple event: any of several); a receive
    task waits for its message."""
    return ("message",) if node.kind == "receiveTask" else node.triggers


def open_wait(run, token, node, kinds=WAITABLE) -> None:
    """Start waiting, on ``token``'s behalf, for the events of ``node`` of ``kinds``."""
    for trigger in dict.fromkeys(triggers_of(node)):  # each kind once: names come below
        if trigger not in kinds:
            continue
        if trigger == "timer":
            schedule_timer(run, token, node, due_at(run, node), 0)
        elif trigger in ("message", "signal"):
            for name in run.plan.event_names(node, trigger):
                run.emit(fx.SubscriptionOpened(trigger, name, token.id, node.id))


def close_wait(run, token, node) -> None:
    """Stop waiting for the events of ``node`` (one happened, or the wait was withdrawn)."""
    triggers = triggers_of(node)
    if "timer" in triggers:
        run.emit(fx.JobCancelled(token.id, node.id))
    if "message" in triggers or "signal" in triggers:
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
