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
        flows = super().outgoing(run, token) if self.node.outgoing else []
        if self.node.outgoing and not flows:
            raise StepFailed(f"No outgoing flow of inclusive gateway '{self.node.id}' matches.")
        return flows
