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
