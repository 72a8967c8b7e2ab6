"""End events: none, terminate, error, signal, message and escalation (BPMN 2.0, 10.5.3)."""

from processes.engine.behaviours.base import Behaviour
from processes.engine.behaviours.intermediate_throw_event import throw


class EndEvent(Behaviour):
    TRIGGERS = frozenset({"terminate", "error", "signal", "message", "escalation"})

    def execute(self, run, token) -> None:
        trigger = self.node.trigger
        if trigger in ("signal", "message", "escalation"):
            throw(run, token, self.node)
            if token.id not in run.state.tokens:
                return  # an interrupting escalation catch ended this scope
        run.end_activity(token)
        if trigger == "error":
            code = self.plan.error_code(self.node)
            run.throw_error(token, code, None, False)
            return
        if trigger == "terminate":
            # Terminate ends every token of its scope: the process, or only the subprocess.
            for other in run.state.children(token.scope_id):
                if other is not token:
                    run.cancel_token(other)
        run.consume(token)
