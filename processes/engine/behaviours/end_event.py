"""End events: none, terminate, error, signal, message, escalation, compensate, cancel
(BPMN 10.5.3)."""

from processes.engine.behaviours import transaction
from processes.engine.behaviours.base import Behaviour
from processes.engine.behaviours.intermediate_throw_event import goes_on, throw


class EndEvent(Behaviour):
    TRIGGERS = frozenset({
        "terminate", "error", "signal", "message", "escalation", "compensate", "cancel",
    })

    def execute(self, run, token) -> None:
        trigger = self.node.trigger
        if trigger == "cancel":
            transaction.cancel(run, token)  # it leaves once the compensation is done
            return
        if {"signal", "message", "escalation", "compensate"}.intersection(self.node.triggers):
            throw(run, token, self.node)
            if not goes_on(run, token):
                return  # a catch ended this scope, or it waits for compensation handlers
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

    def leave(self, run, token) -> None:
        """Go on after compensation: a cancel end event leaves by its transaction's boundary."""
        if self.node.trigger == "cancel":
            transaction.leave_cancelled(run, token)
        else:
            super().leave(run, token)
