from processes.engine import effects as fx
from processes.engine.behaviours.base import Behaviour
from processes.engine.errors import StepFailed


class IntermediateThrowEvent(Behaviour):
    """Throw the event and go on: none, link, signal, message or escalation (BPMN 2.0, 10.5.4)."""

    TRIGGERS = frozenset({"link", "signal", "message", "escalation"})

    def execute(self, run, token) -> None:
        trigger = self.node.trigger
        if trigger == "link":
            self.jump(run, token)
            return
        throw(run, token, self.node)
        if run.state.tokens.get(token.id) is token:  # a catch may have interrupted its scope
            run.leave(token)

    def jump(self, run, token) -> None:
        """Continue at the link catch event of the same name (a 'go to' on the same page)."""
        target = self.plan.link_target(self.node)
        if target is None:
            raise StepFailed(f"No link catch event matches link throw event '{self.node.id}'.")
        run.end_activity(token)
        token.activity_seq = None
        run.enter(token, target.id)


def throw(run, token, node) -> None:
    """Throw the signal, message or escalation of ``node`` (an intermediate or end event)."""
    trigger = node.trigger
    if trigger == "signal":
        name = run.plan.event_name(node, "signal")
        run.emit(fx.SignalThrown(name, {}))
        run.broadcast_signal(name)
    elif trigger == "message":
        run.emit(fx.MessageSent(run.plan.event_name(node, "message"), None, {}))
    elif trigger == "escalation":
        run.throw_escalation(token, run.plan.escalation_code(node))
