from processes.engine import compensation
from processes.engine import effects as fx
from processes.engine.behaviours.base import Behaviour
from processes.engine.errors import StepFailed


class IntermediateThrowEvent(Behaviour):
    """Throw the event and go on: none, link, signal, message, escalation or compensation
    (BPMN 2.0, 10.5.4)."""

    TRIGGERS = frozenset({"link", "signal", "message", "escalation", "compensate"})

    def execute(self, run, token) -> None:
        if self.node.trigger == "link":
            self.jump(run, token)
            return
        throw(run, token, self.node)
        if goes_on(run, token):
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
    """Throw the signals, messages, escalations, compensation of ``node`` (intermediate, end).

    A multiple event throws every one of its event definitions.
    """
    for name in run.plan.event_names(node, "message"):
        run.emit(fx.MessageSent(name, None, {}))
    for name in run.plan.event_names(node, "signal"):
        if run.state.tokens.get(token.id) is not token:
            return  # an interrupting catch of an earlier one ended the thrower
        run.emit(fx.SignalThrown(name, {}))
        run.broadcast_signal(name)
    if "escalation" in node.triggers and run.state.tokens.get(token.id) is token:
        run.throw_escalation(token, run.plan.escalation_code(node))
    if "compensate" in node.triggers and run.state.tokens.get(token.id) is token:
        compensation.throw(run, token, node)


def goes_on(run, token) -> bool:
    """Whether the thrower moves on now: no catch interrupted its scope, and it does not
    wait for compensation handlers (the last one to complete moves it on)."""
    return run.state.tokens.get(token.id) is token and token.state != "waiting"
