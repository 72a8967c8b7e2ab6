from processes.engine.behaviours.base import Behaviour
from processes.engine.errors import StepFailed


class ExclusiveGateway(Behaviour):
    """Take the first flow, in the model's order, whose condition holds; else the default."""

    def outgoing(self, run, token) -> list[str]:
        node = self.node
        for flow_id in node.outgoing:
            if flow_id != node.default_flow and self.holds(run, flow_id, token):
                return [flow_id]
        if node.default_flow:
            return [node.default_flow]
        if not node.outgoing:
            return []
        raise StepFailed(
            f"No outgoing flow of exclusive gateway '{node.id}' matches and it has no default flow."
        )
