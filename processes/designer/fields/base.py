"""What a property of the designer's panel is: how it reads, checks and writes one value.

Each field reads its current value from the selected element, checks a new value the way
deployment would (returning it normalised, or raising ``Invalid`` with a message for beside
the field), and says which edits bring the diagram in line. The edits are applied in the
browser through bpmn-js's modeling API, so undo and redo work; see ``designer.js``.

An edit is ``{"op": "update", "target": ..., "properties": {...}}`` where the target is the
element, its process, its first event definition, its loop characteristics or the
definitions, or ``{"op": "addRoot", "element": ...}`` for a new message, signal, error or
escalation. A property value is a plain value, None to remove it, ``{"$create": type, ...}``
for a new model element, ``{"$ref": id}`` for an existing one, or ``{"$xml": fragment,
"$type": type}`` for extension elements.
"""

from dataclasses import dataclass

from ..selection import extension_elements_xml


class Invalid(ValueError):
    """A value the field refuses; the message is shown beside it."""


def update(properties: dict, target: str = "element") -> dict:
    return {"op": "update", "target": target, "properties": properties}


def create(bpmn_type: str, **properties) -> dict:
    return {"$create": bpmn_type, **properties}


def extension_elements(sel, drop: set[str], add: list) -> dict | None:
    """The ``extensionElements`` value with our (and Camunda's) ``drop`` replaced by ``add``."""
    xml = extension_elements_xml(sel, drop, add)
    return {"$xml": xml, "$type": "bpmn:ExtensionElements"} if xml else None


def expression(body: str) -> dict | None:
    """A bpmn:FormalExpression holding ``body``, or None to remove it."""
    return create("bpmn:FormalExpression", body=body) if body else None


class Field:
    """One editable property. Subclasses set the class attributes and override what differs."""

    name = ""
    label = ""
    widget = "text"  # text, textarea, select, checkbox or list
    help = ""
    placeholder = ""
    section = "General"
    kinds: frozenset[str] | None = None  # element kinds it applies to; None for all
    reload = False  # the panel's shape depends on the value: render it again after a change

    def applies(self, sel) -> bool:
        return self.kinds is None or sel.kind in self.kinds

    def current(self, sel):
        return ""

    def choices(self, sel) -> list[tuple[str, str]]:
        return []

    def clean(self, value, sel):
        return value.strip() if isinstance(value, str) else value

    def edits(self, value, sel) -> list[dict]:
        return []

    def reading(self, value, sel) -> str:
        """A plain-language reading of the value, shown under the field."""
        return ""


class AttributeField(Field):
    """One of our extension attributes (``baton:<attribute>``), Camunda's alias read too."""

    attribute = ""

    def current(self, sel):
        return sel.attr(self.attribute) or ""

    def edits(self, value, sel) -> list[dict]:
        return [update(sel.attr_edit(self.attribute, value or None))]


class ProcessAttributeField(AttributeField):
    """An extension attribute of the process (a pool's process when a pool is selected)."""

    kinds = frozenset({"process", "participant"})
    section = "Measurement"

    def applies(self, sel) -> bool:
        return super().applies(sel) and sel.process is not None

    def current(self, sel):
        return sel.attr(self.attribute, sel.process) or ""

    def edits(self, value, sel) -> list[dict]:
        return [update(sel.attr_edit(self.attribute, value or None, sel.process), "process")]



@dataclass(frozen=True)
class Column:
    """A column of a list field: each row of the list is one item (a form field, a header)."""

    name: str
    label: str
    widget: str = "text"  # text, checkbox or select
    choices: tuple[tuple[str, str], ...] = ()
    advanced: bool = False  # folded away under "More" in each row


class ListField(Field):
    """A list of items edited as rows that can be added, removed and reordered.

    The browser sends the whole list on every change, as a list of objects keyed by column,
    and writes the normalised rows back into its inputs (the panel is not rendered again, so
    the row being typed in keeps its focus).
    """

    widget = "list"
    columns: tuple[Column, ...] = ()
    item_label = "item"

    def rows(self, value) -> list[list[tuple[Column, object]]]:
        return [[(column, row.get(column.name, "")) for column in self.columns] for row in value]

    def clean_rows(self, value) -> list[tuple[str, dict]]:
        """The rows of a list field, cells normalised, each named ("Header 2") for messages.

        An empty row is refused rather than dropped: the browser matches the rows it shows to
        the normalised rows by position.
        """
        if not isinstance(value, list):
            raise Invalid(f"The {self.item_label}s must be a list.")
        found = []
        for number, row in enumerate(value, start=1):
            where = f"{self.item_label.capitalize()} {number}"
            if not isinstance(row, dict):
                raise Invalid(f"{where} is not a set of properties.")
            cells = {column.name: _cell(row.get(column.name), column) for column in self.columns}
            if not any(cells.values()):
                raise Invalid(f"{where} is empty: fill it in, or remove it.")
            found.append((where, cells))
        return found


def _cell(value, column: Column):
    if column.widget == "checkbox":
        return value in (True, "true", "on")
    return "" if value is None else str(value).strip()
