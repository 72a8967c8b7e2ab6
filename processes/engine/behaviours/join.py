"""What parallel and inclusive joins share: tokens wait at the gateway for each other."""

from processes.engine.behaviours.base import Behaviour


class Join(Behaviour):
    """A gateway that may wait for several tokens before one goes on.

    All tokens waiting at one activation of the join share one activity instance, so the
    history shows the gateway once per activation, not once per branch.
    """

    def enter(self, run, token) -> None:
        if len(self.node.incoming) <= 1:
            super().enter(run, token)
            return
        waiting = self.waiting(run, token)
        if waiting:
            token.activity_seq = waiting[0].activity_seq
        else:
            run.start_activity(token)
        token.state = "joined"
        self.arrived(run, token)

    def arrived(self, run, token) -> None:
        """Decide whether the join fires now (the inclusive join decides later)."""

    def waiting(self, run, token) -> list:
        return [
            t for t in run.state.children(token.scope_id)
            if t.element_id == self.node.id and t.state == "joined" and t is not token
        ]

    def fire(self, run, token) -> None:
        """Merge the tokens waiting here into ``token`` and let it go on."""
        for other in self.waiting(run, token):
            run.state.tokens.pop(other.id, None)
        token.state = "active"
        run.schedule(run.leave, token)

    def cancel(self, run, token, outcome: str) -> None:
        if token.state != "joined" or not self.waiting(run, token):
            run.end_activity(token, outcome)
