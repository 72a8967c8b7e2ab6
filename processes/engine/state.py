"""The live state of one instance: its tokens and variables, never its history."""

from collections import ChainMap, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(slots=True)
class Token:
    """A token: where one thread of the instance is and what it is doing there.

    ``state`` is "active" (moving), "waiting" (at a wait state: a user task, a service
    task's job, a timer), "joined" (arrived at a join, waiting for the others), "gathering"
    (arrived at an activity whose startQuantity needs more tokens), "scope" (owns
    an embedded subprocess, or the instances of a loop or multi-instance activity, whose
    tokens point at it through ``scope_id``) or "failed" (held by an incident).

    ``local`` holds what the token alone needs, in JSON types only: it is saved as is.
    """

    id: int
    element_id: str
    scope_id: int | None = None
    state: str = "active"
    activity_seq: int | None = None
    local: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return {
            "id": self.id, "element_id": self.element_id, "scope_id": self.scope_id,
            "state": self.state, "activity_seq": self.activity_seq, "local": self.local,
        }


@dataclass(slots=True)
class InstanceState:
    """The tokens and variables of one instance, and what compensation may undo.

    ``compensable`` lists the completed activities of the process scope that a
    compensation throw may undo (``processes.engine.compensation``); a subprocess keeps
    its own list on its token. ``business_key`` is the instance's, for expressions
    (``execution.processBusinessKey``); its row keeps it, so ``to_json`` leaves it out.
    """

    tokens: dict[int, Token] = field(default_factory=dict)
    variables: dict = field(default_factory=dict)
    next_seq: int = 1
    status: str = "active"
    compensable: list = field(default_factory=list)
    business_key: str | None = None

    def take_seq(self) -> int:
        """Return the next number for a token or an activity instance."""
        seq = self.next_seq
        self.next_seq += 1
        return seq

    def children(self, scope_id: int | None) -> list[Token]:
        return [t for t in self.tokens.values() if t.scope_id == scope_id]

    def by_scope(self) -> dict[int | None, list[Token]]:
        """Group the tokens by the scope they are in, to walk many scopes in one pass."""
        grouped = defaultdict(list)
        for token in self.tokens.values():
            grouped[token.scope_id].append(token)
        return grouped

    def loop_body(self, token: Token) -> Token | None:
        """Return the body token if ``token`` runs one instance of a loop or multi-instance.

        An instance is a child of its body at the same element; no other token is.
        """
        scope = self.tokens.get(token.scope_id)
        return scope if scope is not None and scope.element_id == token.element_id else None

    def local_variables(self, token: Token | None) -> list[dict]:
        """Return the local variables of ``token`` and its scopes, innermost first.

        Loop and multi-instance instances keep theirs (``loopCounter``, the element
        variable) in ``local["variables"]``; every other variable is the instance's.
        """
        layers = []
        while token is not None:
            if "variables" in token.local:
                layers.append(token.local["variables"])
            token = self.tokens.get(token.scope_id)
        return layers

    def variables_for(self, token: Token | None) -> Mapping:
        """Return the variables ``token`` sees: local ones over the instance's."""
        layers = self.local_variables(token)
        return ChainMap(*layers, self.variables) if layers else self.variables

    def to_json(self) -> dict:
        return {
            "tokens": [t.to_json() for t in self.tokens.values()],
            "variables": self.variables,
            "next_seq": self.next_seq,
            "status": self.status,
            "compensable": self.compensable,
        }

    @classmethod
    def from_json(cls, data: dict) -> "InstanceState":
        tokens = {t["id"]: Token(**t) for t in data.get("tokens", [])}
        return cls(tokens, dict(data.get("variables") or {}), data.get("next_seq", 1),
                   data.get("status", "active"), list(data.get("compensable") or []),
                   data.get("business_key"))
