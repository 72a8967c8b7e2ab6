from collections import ChainMap
from functools import lru_cache

from processes.engine.behaviours.inclusive_gateway import InclusiveGateway
from processes.engine.expressions import compile_expression


@lru_cache(maxsize=256)
def _compiled(text: str):
    return compile_expression(text)


class ComplexGateway(InclusiveGateway):
    """Split like an inclusive gateway; join by an activation condition (BPMN 2.0, 13.4.5).

    Tokens arriving at the join wait. As soon as the activation condition holds (it sees
    ``activationCount``, the number of tokens waiting), one token goes on; later ones are
    absorbed. Once no other token can arrive, the absorbed ones are dropped and the
    gateway is ready again. Without a condition, every token must arrive, as in an
    inclusive join.
    """

    def arrived(self, run, token) -> None:
        waiting = self.waiting(run, token)
        if any(other.local.get("fired") for other in waiting):
            token.local["fired"] = True  # absorbed: this activation already went on
            return
        condition = self.node.activation_condition
        if condition is None or not condition.text.strip():
            return  # like an inclusive join: settled when nothing else can arrive
        count = {"activationCount": len(waiting) + 1}
        if run.evaluate(_compiled(condition.text), self.node, ChainMap(count, run.variables_of(token))):
            for other in (*waiting, token):
                other.local["fired"] = True
            leaving = run.new_token(self.node.id, token.scope_id)
            leaving.activity_seq = token.activity_seq
            run.schedule(run.leave, leaving)

    def fire(self, run, token) -> None:
        """Nothing else can arrive: drop the absorbed tokens, or join all (no condition)."""
        if not token.local.get("fired"):
            super().fire(run, token)
            return
        for other in [*self.waiting(run, token), token]:
            run.consume(other)
