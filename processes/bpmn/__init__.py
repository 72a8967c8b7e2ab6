"""Import BPMN 2.0 files: safe XML, the compiled model, validation and schema advice.

Pure Python: nothing here imports Django. ``load_definitions`` is the one entry point the
rest of the platform needs; the modules below it can be used on their own.
"""

from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from .errors import BpmnError, BpmnValidationError, BpmnXmlError, Problem
from .model import Definitions
from .parser import compile_definitions
from .validate import validate
from .xml import MAX_BYTES, parse_xml
from .xsd import DEFAULT_XSD_DIR, schema_warnings

__all__ = [
    "BpmnError",
    "BpmnValidationError",
    "BpmnXmlError",
    "Definitions",
    "LoadResult",
    "Problem",
    "compile_definitions",
    "load_definitions",
    "parse_xml",
    "schema_warnings",
    "validate",
]


@dataclass(frozen=True)
class LoadResult:
    """A deployable document: its model, its tree (for drawing) and its warnings."""

    definitions: Definitions
    tree: etree._ElementTree
    problems: list[Problem]


def load_definitions(
    data: bytes,
    *,
    max_bytes: int = MAX_BYTES,
    as_documentation: bool = False,
    xsd_dir: Path = DEFAULT_XSD_DIR,
) -> LoadResult:
    """Parse, compile and validate a BPMN file; raise BpmnError if it cannot be deployed.

    ``as_documentation`` imports every process as not executable (see compile_definitions).
    """
    tree = parse_xml(data, max_bytes=max_bytes)
    definitions = compile_definitions(tree, as_documentation=as_documentation)
    problems = _unique(validate(definitions))
    if any(problem.severity == "error" for problem in problems):
        raise BpmnValidationError(sorted(problems, key=lambda p: p.severity != "error"))
    return LoadResult(definitions, tree, problems + schema_warnings(tree, xsd_dir))


def _unique(problems: list[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))
