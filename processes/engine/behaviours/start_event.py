from processes.engine import effects as fx
from processes.engine.behaviours.base import Behaviour


class StartEvent(Behaviour):
    """A none start event: the instance (or subprocess) begins here and moves on.

    The instance's start event records the variables it started with in the history.
    A message, signal or timer start event starts an instance when its event happens; in
    an event subprocess, so do error and escalation start events.
    """

    TRIGGERS = frozenset({"message", "signal", "timer", "error", "escalation", "conditional"})

    def execute(self, run, token) -> None:
        if token.scope_id is None and run.state.variables:
            run.emit(fx.VariablesChanged(dict(run.state.variables), token.activity_seq))
        run.leave(token)
