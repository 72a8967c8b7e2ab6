from processes.engine.behaviours.base import Behaviour
from processes.engine.behaviours.waits import close_wait, open_wait


class EventBasedGateway(Behaviour):
    """Wait for the events after the gateway; the first to happen wins (BPMN 2.0, 13.4.2).

    The token waits at the gateway itself, with a wait opened for each following event;
    when one happens the others are withdrawn in the same command, so no second event can
    win as well.
    """

    def execute(self, run, token) -> None:
        token.state = "waiting"
        for event in self.events():
            open_wait(run, token, event)

    def events(self) -> list:
        return [self.plan.nodes[self.plan.flows[f].target] for f in self.node.outgoing]

    def choose(self, run, token, event) -> None:
        """``event`` happened: withdraw the other waits and pass through it."""
        for other in self.events():
            close_wait(run, token, other)
        run.end_activity(token)
        token.local["occurred"] = True
        run.take(token, [f for f in self.node.outgoing if self.plan.flows[f].target == event.id])

    def cancel(self, run, token, outcome: str) -> None:
        run.end_activity(token, outcome)
        for event in self.events():
            close_wait(run, token, event)
