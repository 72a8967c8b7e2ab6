from processes.engine.behaviours.base import Behaviour


class BoundaryEvent(Behaviour):
    """A boundary event that fired: the flow leaves through it (the runtime did the rest)."""

    TRIGGERS = frozenset({
        "timer", "error", "message", "signal", "escalation", "conditional", "compensate", "cancel",
    })
