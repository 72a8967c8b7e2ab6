"""What every element does unless its behaviour says otherwise (BPMN 2.0, 13.2)."""

from processes.engine import effects as fx
from processes.engine.errors import StepFailed


class Behaviour:
    """Enter (start the activity instance), execute, leave (take the outgoing flows)."""

    TRIGGERS: frozenset = frozenset()

    def __init__(self, node, plan):
        self.node = node
        self.plan = plan

    def enter(self, run, token) -> None:
        if self.node.start_quantity > 1 and not self.gathered(run, token):
            return
        self.begin(run, token)

    def begin(self, run, token) -> None:
        """Start the activity instance and run it, or hold it for an asynchronous continuation."""
        run.start_activity(token)
        if self.node.properties.async_before:
            self.wait_for_job(run, token, "execute")
            return
        self.execute(run, token)

    def execute(self, run, token) -> None:
        run.leave(token)

    def leave(self, run, token) -> None:
        if not self.held_after(run, token):
            self.take_outgoing(run, token)

    def held_after(self, run, token) -> bool:
        """Hold the token for an asyncAfter continuation, unless it is resuming from one."""
        if self.node.properties.async_after and not token.local.pop("continued", False):
            self.wait_for_job(run, token, "leave")
            return True
        return False

    def take_outgoing(self, run, token) -> None:
        """End the activity instance and move on along the flows whose conditions hold."""
        flows = self.outgoing(run, token)
        run.end_activity(token, actor=self.actor(run))
        run.take(token, [f for f in flows for _ in range(self.node.completion_quantity)])

    def gathered(self, run, token) -> bool:
        """Whether ``startQuantity`` tokens have arrived; the activity starts only then.

        BPMN 2.0, 13.2.1: an activity with startQuantity n waits for n tokens and consumes
        them all when it starts. The ones before the n-th wait here, "gathering".
        """
        others = [
            t for t in run.state.children(token.scope_id)
            if t.element_id == self.node.id and t.state == "gathering" and t is not token
        ]
        if len(others) + 1 < self.node.start_quantity:
            token.state = "gathering"
            return False
        for other in others:
            run.state.tokens.pop(other.id, None)
        return True

    def outgoing(self, run, token) -> list[str]:
        """The flows an activity leaves by (BPMN 2.0, 13.2.1, table 10.3).

        Unconditional flows are always taken, conditional ones when their condition holds;
        the default flow only when no conditional flow holds.
        """
        node = self.node
        taken, held = [], False
        for flow_id in node.outgoing:
            if flow_id == node.default_flow:
                continue
            if flow_id not in self.plan.conditions:
                taken.append(flow_id)
            elif self.holds(run, flow_id, token):
                taken.append(flow_id)
                held = True
        if not held and node.default_flow:
            taken.append(node.default_flow)
        if node.outgoing and not taken:
            raise StepFailed(
                f"No outgoing flow of '{node.id}' has a condition that holds, and it has no "
                "default flow."
            )
        return taken

    def holds(self, run, flow_id: str, token=None) -> bool:
        condition = self.plan.conditions.get(flow_id)
        return condition is None or bool(
            run.evaluate(condition, self.node, run.variables_of(token))
        )

    def actor(self, run) -> str | None:
        return None

    def child_ended(self, run, token) -> bool:
        """A path inside this scope ended; return True if the scope took care of it."""
        return False

    def cancel(self, run, token, outcome: str) -> None:
        run.end_activity(token, outcome)

    def wait_for_job(self, run, token, resume: str) -> None:
        """Hold the token until an asynchronous continuation job resumes it."""
        token.state = "waiting"
        token.local["resume"] = resume
        run.emit(fx.JobScheduled("continue", token.id, self.node.id, None))


class PassThrough(Behaviour):
    """A task with nothing to do (task, manualTask): the flow passes straight on."""
