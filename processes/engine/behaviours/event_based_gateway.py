from processes.engine.behaviours.base import Behaviour
from processes.engine.behaviours.waits import close_wait, open_wait
from processes.engine.errors import UnsupportedElement


class EventBasedGateway(Behaviour):
    """Wait for the events after the gateway; the first to happen wins (BPMN 2.0, 13.4.2).

    The token waits at the gateway itself, with a wait opened for each following event;
    when one happens the others are withdrawn in the same command, so no second event can
    win as well.
    """

    def __init__(self, node, plan):
        super().__init__(node, plan)
        if any(e.parallel_multiple and len(e.event_definitions) > 1 for e in self.events()):
            raise UnsupportedElement(
                node.id, "event-based gateway before a parallel multiple event"
            )

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
