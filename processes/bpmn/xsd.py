"""Check a document against the OMG BPMN 2.0 XML schema, as advice rather than as a gate.

Many tools export files that break the schema in harmless ways (a missing
targetNamespace, an edge without waypoints, a vendor element in the wrong place), so
schema findings are warnings; what the engine cannot run is refused by validation instead.
The schema ships with the bpmn-moddle npm package; it is read from disk once.
"""

import threading
from functools import lru_cache
from pathlib import Path

from lxml import etree

from .errors import Problem

DEFAULT_XSD_DIR = (
    Path(__file__).resolve().parents[2]
    / "frontend"
    / "node_modules"
    / "bpmn-moddle"
    / "resources"
    / "bpmn"
    / "xsd"
)
MAX_WARNINGS = 20

# A schema keeps the error log of its last run, so runs from several threads must take turns.
_lock = threading.Lock()


@lru_cache(maxsize=4)
def _schema(xsd_dir: Path) -> etree.XMLSchema:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.XMLSchema(etree.parse(str(xsd_dir / "BPMN20.xsd"), parser))


def schema_warnings(tree, xsd_dir: Path = DEFAULT_XSD_DIR) -> list[Problem]:
    """Return up to MAX_WARNINGS warnings for what breaks the BPMN 2.0 schema."""
    xsd_dir = Path(xsd_dir)
    if not (xsd_dir / "BPMN20.xsd").is_file():
        return [
            Problem(
                None,
                f"The BPMN 2.0 schema was not found in {xsd_dir}, so the file was "
                "not checked against it.",
                "warning",
                "xsd-skipped",
            )
        ]
    schema = _schema(xsd_dir)
    with _lock:
        valid = schema.validate(tree)
        errors = list(schema.error_log)
    if valid:
        return []
    ids = _ids_by_line(tree)
    warnings = [
        Problem(
            ids.get(error.line), f"Line {error.line}: {_plain(error.message)}", "warning", "xsd"
        )
        for error in errors[:MAX_WARNINGS]
    ]
    if len(errors) > MAX_WARNINGS:
        warnings.append(
            Problem(
                None,
                f"{len(errors) - MAX_WARNINGS} more schema warnings are not shown.",
                "warning",
                "xsd",
            )
        )
    return warnings


def _ids_by_line(tree) -> dict[int, str]:
    """Map source lines to the id of the first element with an id on that line."""
    ids = {}
    for element in tree.iter():
        if isinstance(element.tag, str) and element.get("id") and element.sourceline not in ids:
            ids[element.sourceline] = element.get("id")
    return ids


def _plain(message: str) -> str:
    """Shorten lxml's "{namespace}name" to "name" so the message reads more easily."""
    while "{" in message and "}" in message[message.index("{") :]:
        start = message.index("{")
        message = message[:start] + message[message.index("}", start) + 1 :]
    return message
