"""Fields of call activities: which process they call, which version, and what passes in and out.

Variables pass only through the mappings, as in Camunda: ``baton:in`` from the caller into
the called process, ``baton:out`` back. The business key travels on an ``in`` element of its
own, so the mapping and business key fields rewrite all the ``in`` and ``out`` elements
together (Camunda's and Activiti's included, which they replace).
"""

from processes.bpmn.extensions import BINDINGS, read_extensions
from processes.engine.expressions import is_expression
from processes.models import ProcessDefinition

from ..selection import baton_element
from . import checks
from .base import AttributeField, Column, Field, Invalid, ListField, extension_elements, update

CALL = frozenset({"callActivity"})
BINDING_WORDS = {
    "latest": "the latest version",
    "deployment": "the version deployed with this one",
    "version": "a fixed version",
}


class CalledProcessField(Field):
    name = "calledElement"
    label = "Called process"
    widget = "select"
    section = "Call"
    kinds = CALL
    reload = True
    help = "Deployed processes and those of this file; a ${...} value is chosen at run time."

    def current(self, sel):
        return sel.element.get("calledElement", "")

    def choices(self, sel):
        current, known = self.current(sel), _callable(sel)
        if current and current not in known:
            known[current] = current if is_expression(current) else f"{current} (not deployed)"
        blank = [] if current else [("", "choose a process")]
        return blank + sorted(known.items(), key=lambda item: item[1].lower())

    def clean(self, value, sel):
        value = value.strip()
        if not value:
            raise Invalid("Choose the process to call.")
        if is_expression(value):
            return checks.maybe_expression(value, "called process")
        if value != self.current(sel) and value not in _callable(sel):
            raise Invalid(
                f"No process with the key '{value}' is deployed or in this file: deploy it "
                "first, or pick one from the list."
            )
        return value

    def edits(self, value, sel) -> list[dict]:
        return [update({"calledElement": value})]


class BindingField(AttributeField):
    name = attribute = "calledElementBinding"
    label = "Version called"
    widget = "select"
    section = "Call"
    kinds = CALL
    reload = True
    help = "Calls started before a new deployment keep the version they started with."

    def current(self, sel):
        return sel.attr(self.attribute) or "latest"

    def choices(self, sel):
        return list(BINDING_WORDS.items())

    def clean(self, value, sel):
        if value not in BINDINGS:
            raise Invalid(f"Choose which version to call: {', '.join(BINDINGS)}.")
        return value

    def edits(self, value, sel) -> list[dict]:
        properties = sel.attr_edit(self.attribute, None if value == "latest" else value)
        if value != "version":
            properties |= sel.attr_edit("calledElementVersion", None)
        return [update(properties)]


class VersionField(AttributeField):
    name = attribute = "calledElementVersion"
    label = "Version"
    section = "Call"
    kinds = CALL
    placeholder = "3"

    def applies(self, sel) -> bool:
        return super().applies(sel) and sel.attr("calledElementBinding") == "version"

    def clean(self, value, sel):
        number = checks.whole_number(str(value).strip(), "version", minimum=1)
        if number is None:
            raise Invalid("Give the version to call, or choose another version above.")
        return number


class BusinessKeyField(Field):
    name = "businessKey"
    label = "Business key"
    section = "Call"
    kinds = CALL
    placeholder = "${execution.processBusinessKey}"
    help = "The called instance's business key; ${execution.processBusinessKey} passes this one's."

    def current(self, sel):
        return _mappings(sel)["business_key"]

    def clean(self, value, sel):
        value = value.strip()
        if value:
            checks.expression(value, "business key")
        return value

    def edits(self, value, sel) -> list[dict]:
        return _mapping_edits(sel, business_key=value)


class MappingsField(ListField):
    """Variables passed into the called process, or back out of it."""

    section = "Call"
    kinds = CALL
    item_label = "mapping"
    columns = (
        Column("source", "Source variable"),
        Column("target", "Target variable"),
        Column("source_expression", "or source expression", advanced=True),
        Column("all", "All variables", "checkbox", advanced=True),
        Column("local", "Local variables only", "checkbox", advanced=True),
    )

    def current(self, sel):
        return _mappings(sel)[self.name]

    def clean(self, value, sel):
        cleaned, targets = [], set()
        for where, row in self.clean_rows(value):
            _check_mapping(row, where, targets)
            cleaned.append(row)
        return cleaned

    def edits(self, value, sel) -> list[dict]:
        return _mapping_edits(sel, **{self.name: value})


class InputsField(MappingsField):
    name = "inputs"
    label = "Input mappings"
    help = (
        "What the called process starts with: a source variable or expression into a target "
        "variable, or all variables (local: only those of the current loop instance)."
    )


class OutputsField(MappingsField):
    name = "outputs"
    label = "Output mappings"
    help = "What comes back when the called process ends: its variables into this process's."


def _callable(sel) -> dict[str, str]:
    """The keys a call can name, with labels: executable deployed processes, this file's."""
    found = {
        key: f"{name} ({key})" if name and name != key else key
        for key, name in ProcessDefinition.objects.latest_versions()
        .filter(is_executable=True)
        .values_list("key", "name")
    }
    for key in sel.process_keys():
        found.setdefault(key, f"{key} (this file)")
    return found


def _mappings(sel) -> dict:
    props = read_extensions(sel.element, sel.id, [])
    return {
        "business_key": props.business_key or "",
        "inputs": [_row(mapping) for mapping in props.call_inputs],
        "outputs": [_row(mapping) for mapping in props.call_outputs],
    }


def _row(mapping) -> dict:
    return {
        "source": mapping.source or "",
        "source_expression": mapping.source_expression or "",
        "target": mapping.target or "",
        "all": mapping.all,
        "local": mapping.local,
    }


def _check_mapping(row: dict, where: str, targets: set) -> None:
    if row["all"]:
        if row["source"] or row["source_expression"] or row["target"]:
            raise Invalid(
                f"{where} passes all variables: leave source, expression and target empty."
            )
        return
    if bool(row["source"]) == bool(row["source_expression"]):
        raise Invalid(f"{where}: give either a source variable or a source expression.")
    if not row["target"]:
        raise Invalid(f"{where}: name the target variable that receives the value.")
    checks.variable(row["source"], f"source of {where.lower()}")
    checks.variable(row["target"], f"target of {where.lower()}")
    if row["source_expression"]:
        checks.expression(row["source_expression"], f"source expression of {where.lower()}")
    if row["target"] in targets:
        raise Invalid(f"{where}: another mapping already sets '{row['target']}'.")
    targets.add(row["target"])


def _mapping_edits(sel, **changed) -> list[dict]:
    """Rewrite every ``in`` and ``out`` element, with ``changed`` replacing what the task has."""
    mappings = _mappings(sel) | changed
    key = mappings["business_key"]
    elements = [baton_element("in", {"businessKey": key})] if key else []
    elements += [_mapping_element("in", row) for row in mappings["inputs"]]
    elements += [_mapping_element("out", row) for row in mappings["outputs"]]
    return [update({"extensionElements": extension_elements(sel, {"in", "out"}, elements)})]


def _mapping_element(tag: str, row: dict):
    return baton_element(tag, {
        "source": row["source"], "sourceExpression": row["source_expression"],
        "target": row["target"], "variables": "all" if row["all"] else None, "local": row["local"],
    })


FIELDS = [
    CalledProcessField(), BindingField(), VersionField(), BusinessKeyField(), InputsField(),
    OutputsField(),
]
