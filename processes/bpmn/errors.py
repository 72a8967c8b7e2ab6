"""What goes wrong when a BPMN file is imported, in words a process owner understands."""

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a model: the element it concerns and what to do about it."""

    element_id: str | None
    message: str
    severity: Severity
    code: str

    def __str__(self) -> str:
        where = f"{self.element_id}: " if self.element_id else ""
        return f"{self.severity}: {where}{self.message}"


class BpmnError(Exception):
    """A BPMN document that cannot be imported; ``problems`` says why."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("; ".join(str(problem) for problem in self.problems))


class BpmnXmlError(BpmnError):
    """Bytes that are not a safe, well-formed BPMN 2.0 XML document."""

    def __init__(self, message: str):
        self.message = message
        super().__init__([Problem(None, message, "error", "xml")])


class BpmnValidationError(BpmnError):
    """A BPMN document that parses but breaks rules the engine relies on."""


_WORDS = {"subProcess": "subprocess", "adHocSubProcess": "ad-hoc subprocess"}


def words(kind: str) -> str:
    """Return "user task" for the BPMN tag "userTask", to name elements in messages."""
    return _WORDS.get(kind) or "".join(f" {c.lower()}" if c.isupper() else c for c in kind).strip()


def article(kind: str) -> str:
    """Return the indefinite article for the words of a kind: "an end event"."""
    return "an" if words(kind)[0] in "aeio" else "a"


def sentence(message: str) -> str:
    """Start a message built from labels ("a user task 'Pay'...") with a capital letter."""
    return message[:1].upper() + message[1:]
