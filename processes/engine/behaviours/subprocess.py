from processes.engine.behaviours import event_subprocess
from processes.engine.behaviours.base import Behaviour
from processes.engine.errors import StepFailed


class SubProcess(Behaviour):
    """An embedded subprocess: its own scope of tokens, done when the last one ends."""

    def execute(self, run, token) -> None:
        scope = self.plan.process.scopes[self.node.id]
        starts = [s for s in scope.start_events if not self.plan.nodes[s].event_definitions]
        if not starts:
            raise StepFailed(f"Subprocess '{self.node.id}' has no none start event.")
        token.state = "scope"
        event_subprocess.open_waits(run, token)
        run.enter(run.new_token(starts[0], token.id), starts[0])

    def cancel(self, run, token, outcome: str) -> None:
        event_subprocess.close_waits(run, token)
        super().cancel(run, token, outcome)
