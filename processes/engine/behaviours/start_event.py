from processes.engine import effects as fx
from processes.engine.behaviours.base import Behaviour
from processes.engine.errors import UnsupportedElement


class StartEvent(Behaviour):
    """A none start event: the instance (or subprocess) begins here and moves on.

    The instance's start event records the variables it started with in the history.
    A message, signal or timer start event starts an instance when its event happens; in
    an event subprocess, so do error and escalation start events.
    """

    TRIGGERS = frozenset({"message", "signal", "timer", "error", "escalation", "conditional"})

    def __init__(self, node, plan):
        super().__init__(node, plan)
        parallel = node.parallel_multiple and len(node.event_definitions) > 1
        if parallel and not in_subprocess(node, plan):
            # Its events are counted on the token of the scope it starts in; the process
            # itself has none (nor has an instance not started yet).
            raise UnsupportedElement(node.id, "parallel multiple start event outside a subprocess")

    def execute(self, run, token) -> None:
        if token.scope_id is None and run.state.variables:
            run.emit(fx.VariablesChanged(dict(run.state.variables), token.activity_seq))
        run.leave(token)


def in_subprocess(node, plan) -> bool:
    """Whether ``node`` starts an event subprocess inside an embedded subprocess."""
    scope = plan.process.scopes.get(node.scope)
    return bool(scope and scope.is_event_subprocess and scope.parent != plan.process.id)
