from processes.engine import effects as fx
from processes.engine.behaviours.base import Behaviour
from processes.engine.behaviours.timers import due_at


class IntermediateCatchEvent(Behaviour):
    """Wait here until the event happens (a timer, in this version of the engine)."""

    TRIGGERS = frozenset({"timer"})

    def execute(self, run, token) -> None:
        token.state = "waiting"
        run.emit(fx.JobScheduled("timer", token.id, self.node.id, due_at(run, self.node)))

    def cancel(self, run, token, outcome: str) -> None:
        run.end_activity(token, outcome)
        run.emit(fx.JobCancelled(token.id, self.node.id))
