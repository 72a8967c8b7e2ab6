from processes.engine.behaviours.join import Join
from processes.engine.errors import StepFailed


class InclusiveGateway(Join):
    """Split along every flow whose condition holds; join what can arrive (BPMN 2.0, 13.3.4).

    The join fires when no other token of its scope can still reach it: the runtime asks
    ``can_fire`` once nothing else is moving.
    """

    def can_fire(self, run, token) -> bool:
        for other in run.state.children(token.scope_id):
            if other.element_id == self.node.id and other.state == "joined":
                continue
            if self.plan.reaches(other.element_id, self.node.id):
                return False
        return True

    def outgoing(self, run, token) -> list[str]:
        """Every flow whose condition holds (no condition: it holds); else the default."""
        node = self.node
        flows = [f for f in node.outgoing if f != node.default_flow and self.holds(run, f, token)]
        if not flows and node.default_flow:
            flows = [node.default_flow]
        if node.outgoing and not flows:
            raise StepFailed(f"No outgoing flow of inclusive gateway '{node.id}' matches.")
        return flows
