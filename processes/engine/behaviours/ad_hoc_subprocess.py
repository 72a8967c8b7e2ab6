from functools import lru_cache

from processes.engine.behaviours.subprocess import SubProcess
from processes.engine.expressions import compile_expression


@lru_cache(maxsize=256)
def _compiled(text: str):
    return compile_expression(text)


class AdHocSubProcess(SubProcess):
    """Run the activities inside that no flow leads to, then end (BPMN 2.0, 10.3.6).

    Nobody picks them at run time here: "Parallel" ordering starts them all at once,
    "Sequential" one after another in the model's order. After each one the completion
    condition, if any, is checked; when it holds the subprocess ends (cancelling what
    still runs, unless cancelRemainingInstances is false).
    """

    def execute(self, run, token) -> None:
        token.state = "scope"
        firsts = self.firsts()
        if not firsts:
            run.leave(token)
            return
        if self.node.ad_hoc.ordering == "Sequential":
            token.local["pending"] = firsts[1:]
            firsts = firsts[:1]
        for element_id in firsts:
            run.enter(run.new_token(element_id, token.id), element_id)

    def firsts(self) -> list[str]:
        scope = self.plan.process.scopes[self.node.id]
        return [
            node_id for node_id in scope.node_ids
            if not self.plan.nodes[node_id].incoming
            and self.plan.nodes[node_id].kind not in ("boundaryEvent", "startEvent")
            and not self.plan.nodes[node_id].is_for_compensation
            and not self.plan.nodes[node_id].triggered_by_event
        ]

    def child_ended(self, run, token) -> bool:
        """A path inside ended: finish if the condition says so, or start the next activity."""
        condition = self.node.ad_hoc.completion_condition
        if condition is not None and condition.text.strip() and run.evaluate(
            _compiled(condition.text), self.node, run.variables_of(token)
        ):
            token.local.pop("pending", None)
            if self.node.ad_hoc.cancel_remaining_instances:
                for child in run.state.children(token.id):
                    run.cancel_token(child)
            if not run.state.children(token.id):
                token.state = "active"
                run.schedule(run.leave, token)
            return True
        pending = token.local.get("pending")
        if pending and not run.state.children(token.id):
            element_id = pending.pop(0)
            run.enter(run.new_token(element_id, token.id), element_id)
            return True
        return False
