"""When a timer falls due: its text is ISO 8601, cron, or an expression giving either."""

from datetime import datetime, timedelta, timezone
from functools import lru_cache

from processes.engine.errors import StepFailed
from processes.engine.expressions import compile_expression, is_expression
from processes.engine.timers import TimerError, compile_timer


@lru_cache(maxsize=1024)
def compiled_timer(kind: str, text: str):
    return compile_timer(kind, text)


@lru_cache(maxsize=1024)
def _expression(text: str):
    return compile_expression(text)


def due_at(run, node) -> datetime:
    """Return when the timer of ``node`` falls due, counted from the run's clock."""
    timer = _timer(run, node)
    due = timer if isinstance(timer, datetime) else timer.first_due(run.now)
    if due is None:
        raise StepFailed(f"The timer cycle of '{node.id}' has no occurrence left.")
    return due


def next_due_at(run, node, previous_due: datetime, fired_count: int) -> datetime | None:
    """Return when a cycle timer fires again, or None: it fired as often as it says."""
    timer = _timer(run, node)
    return None if isinstance(timer, datetime) else timer.next_due(previous_due, fired_count)


def is_cycle(node) -> bool:
    return any(d.kind == "timer" and d.timer.kind == "timeCycle" for d in node.event_definitions)


def _timer(run, node):
    """Return the node's compiled timer, or the moment its expression gave."""
    definition = next(d for d in node.event_definitions if d.kind == "timer")
    kind, text = definition.timer.kind, definition.timer.text.strip()
    try:
        if is_expression(text):
            value = run.evaluate(_expression(text), node)
            if isinstance(value, datetime):
                return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
            if isinstance(value, timedelta):
                return run.now + value
            text = str(value)
        return compiled_timer(kind, text)
    except TimerError as error:
        raise StepFailed(f"The timer of '{node.id}' is not valid: {error}") from None
