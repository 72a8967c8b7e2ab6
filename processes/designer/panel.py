"""The properties panel: which fields an element shows, and what a change to one does.

``panel_for`` lists the fields of the selected element with their current values, grouped
in sections; ``change`` checks one new value and answers with the normalised value and the
edits to apply to the diagram, or with the message to show beside the field.
"""

from dataclasses import dataclass, field

from .fields import FIELDS, SECTIONS
from .fields.base import Field, Invalid
from .selection import Selection


@dataclass
class BoundField:
    """A field with its value for the selected element, ready for the template."""

    field: Field
    value: object
    choices: list = field(default_factory=list)
    reading: str = ""

    @property
    def name(self) -> str:
        return self.field.name

    @property
    def rows(self) -> list:
        return self.field.rows(self.value)

    @property
    def blank_row(self) -> list:
        return self.field.rows([{}])[0]


@dataclass
class Section:
    title: str
    fields: list[BoundField]


def panel_for(sel: Selection) -> list[Section]:
    """The sections of fields that apply to the selected element, in a fixed order."""
    sections: dict[str, list[BoundField]] = {title: [] for title in SECTIONS}
    for item in FIELDS:
        if item.applies(sel):
            value = item.current(sel)
            sections[item.section].append(
                BoundField(item, value, item.choices(sel), _reading(item, value, sel))
            )
    return [Section(title, bound) for title, bound in sections.items() if bound]


def change(sel: Selection, name: str, value) -> dict:
    """Check a new value of field ``name``; say what to show and what to edit."""
    item = next((f for f in FIELDS if f.name == name and f.applies(sel)), None)
    if item is None:
        return _refused(name, value, f"A {sel.kind} has no property '{name}'.")
    try:
        cleaned = item.clean(value, sel)
    except Invalid as error:
        return _refused(name, value, str(error))
    return {
        "field": name,
        "value": cleaned,
        "error": None,
        "edits": item.edits(cleaned, sel),
        "reload": item.reload,
        "reading": _reading(item, cleaned, sel),
    }


def _reading(item: Field, value, sel) -> str:
    return item.reading(value, sel) if value not in ("", None, []) else ""


def _refused(name: str, value, message: str) -> dict:
    return {"field": name, "value": value, "error": message, "edits": [], "reload": False,
            "reading": ""}
