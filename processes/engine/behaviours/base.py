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
        run.start_activity(token)
        if self.node.properties.async_before:
            self.wait_for_job(run, token, "execute")
            return
        self.execute(run, token)

    def execute(self, run, token) -> None:
        run.leave(token)

    def leave(self, run, token) -> None:
        if self.node.properties.async_after and not token.local.pop("continued", False):
            self.wait_for_job(run, token, "leave")
            return
        flows = self.outgoing(run, token)
        run.end_activity(token, actor=self.actor(run))
        run.take(token, flows)

    def outgoing(self, run, token) -> list[str]:
        """Every flow whose condition holds; the default flow only if none does (13.2.1)."""
        node = self.node
        taken = [f for f in node.outgoing if f != node.default_flow and self.holds(run, f)]
        if not taken and node.default_flow:
            taken = [node.default_flow]
        if node.outgoing and not taken:
            raise StepFailed(
                f"No outgoing flow of '{node.id}' has a condition that holds, and it has no "
                "default flow."
            )
        return taken

    def holds(self, run, flow_id: str) -> bool:
        condition = self.plan.conditions.get(flow_id)
        return condition is None or bool(run.evaluate(condition, self.node))

    def actor(self, run) -> str | None:
        return None

    def cancel(self, run, token, outcome: str) -> None:
        run.end_activity(token, outcome)

    def wait_for_job(self, run, token, resume: str) -> None:
        """Hold the token until an asynchronous continuation job resumes it."""
        token.state = "waiting"
        token.local["resume"] = resume
        run.emit(fx.JobScheduled("continue", token.id, self.node.id, None))


class PassThrough(Behaviour):
    """A task with nothing to do (task, manualTask): the flow passes straight on."""
