"""The live state of one instance: its tokens and variables, never its history."""

from dataclasses import dataclass, field


@dataclass(slots=True)
class Token:
    """A token: where one thread of the instance is and what it is doing there.

    ``state`` is "active" (moving), "waiting" (at a wait state: a user task, a service
    task's job, a timer), "joined" (arrived at a join, waiting for the others), "gathering"
    (arrived at an activity whose startQuantity needs more tokens), "scope" (owns
    an embedded subprocess whose tokens point at it through ``scope_id``) or "failed" (held
    by an incident).
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
    tokens: dict[int, Token] = field(default_factory=dict)
    variables: dict = field(default_factory=dict)
    next_seq: int = 1
    status: str = "active"

    def take_seq(self) -> int:
        """Return the next number for a token or an activity instance."""
        seq = self.next_seq
        self.next_seq += 1
        return seq

    def children(self, scope_id: int | None) -> list[Token]:
        return [t for t in self.tokens.values() if t.scope_id == scope_id]

    def to_json(self) -> dict:
        return {
            "tokens": [t.to_json() for t in self.tokens.values()],
            "variables": self.variables,
            "next_seq": self.next_seq,
            "status": self.status,
        }

    @classmethod
    def from_json(cls, data: dict) -> "InstanceState":
        tokens = {t["id"]: Token(**t) for t in data.get("tokens", [])}
        return cls(tokens, dict(data.get("variables") or {}), data.get("next_seq", 1),
                   data.get("status", "active"))
