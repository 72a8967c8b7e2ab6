from processes.engine.behaviours.base import Behaviour
from processes.engine.behaviours.waits import close_wait, open_wait


class IntermediateCatchEvent(Behaviour):
    """Wait here until the event happens: a timer, a message or a signal (BPMN 2.0, 10.5.4).

    A link catch event is where a link throw event of the same name continues; the token
    passes straight through it.
    """

    TRIGGERS = frozenset({"timer", "message", "signal", "link", "conditional"})

    def execute(self, run, token) -> None:
        if self.node.trigger == "link" or token.local.pop("occurred", False):
            run.leave(token)  # jumped to, or chosen by an event-based gateway
            return
        token.state = "waiting"
        open_wait(run, token, self.node)
        if "conditional" in self.node.triggers:
            run.schedule(run.check_conditions)  # it may hold already

    def leave(self, run, token) -> None:
        close_wait(run, token, self.node)  # of a multiple event, the others that did not come
        super().leave(run, token)

    def cancel(self, run, token, outcome: str) -> None:
        run.end_activity(token, outcome)
        if token.state == "waiting":
            close_wait(run, token, self.node)
