"""An instance's history as events, derived from its activity-instance rows."""

from dataclasses import dataclass
from datetime import datetime

from processes.models import ActivityInstance


@dataclass(frozen=True)
class HistoryEvent:
    element_id: str
    element_type: str
    element_name: str
    event: str  # "started", or how the activity ended: "completed", "cancelled", "error"
    timestamp: datetime
    actor: str
    variables: dict | None = None  # on an end: the variables the activity set


def history_events(instance) -> list[HistoryEvent]:
    """Return the started and ended events of every activity instance, in order."""
    events = []
    for row in ActivityInstance.objects.filter(instance=instance).order_by("seq"):
        events.append((row.started_at, row.seq, 0, HistoryEvent(
            row.element_id, row.element_type, row.element_name, "started", row.started_at, "")))
        if row.ended_at is not None:
            events.append((row.ended_at, row.seq, 1, HistoryEvent(
                row.element_id, row.element_type, row.element_name, row.outcome or "completed",
                row.ended_at, row.actor, row.variables)))
    return [event for *_, event in sorted(events, key=lambda e: e[:3])]
