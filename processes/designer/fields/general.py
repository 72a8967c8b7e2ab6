"""Fields every element has: its id, name and documentation; a process's key."""

import re

from ..selection import by_id
from .base import Field, Invalid, create, update

XML_ID = re.compile(r"^[A-Za-z_][\w.-]*$")


def check_id(value: str, sel, what: str = "id") -> str:
    if not value:
        raise Invalid(f"The {what} is required.")
    if not XML_ID.match(value):
        raise Invalid(
            f"'{value}' is not a valid {what}: start with a letter or _ and use letters, digits, "
            "_, - and . only."
        )
    other = by_id(sel.root, value)
    if other is not None and other is not sel.element and other is not sel.process:
        raise Invalid(f"The id '{value}' is already used by another element.")
    return value


class IdField(Field):
    name = "id"
    label = "Id"
    help = "Unique in the file; history and the API name the element by it."

    def applies(self, sel) -> bool:
        return sel.kind not in ("process", "participant", "collaboration")

    def current(self, sel):
        return sel.id

    def clean(self, value, sel):
        return check_id(value.strip(), sel)

    def edits(self, value, sel) -> list[dict]:
        return [update({"id": value})]


class KeyField(Field):
    name = "key"
    label = "Process key"
    help = "Versions of a process share its key: deploying the same key makes a new version."
    kinds = frozenset({"process", "participant"})

    def applies(self, sel) -> bool:
        return super().applies(sel) and sel.process is not None

    def current(self, sel):
        return sel.process.get("id", "")

    def clean(self, value, sel):
        return check_id(value.strip(), sel, "key")

    def edits(self, value, sel) -> list[dict]:
        return [update({"id": value}, "process")]


class NameField(Field):
    name = "name"
    label = "Name"

    def current(self, sel):
        return sel.element.get("name", "")

    def edits(self, value, sel) -> list[dict]:
        return [update({"name": value or None})]


class DocumentationField(Field):
    name = "documentation"
    label = "Documentation"
    widget = "textarea"
    help = "Shown to whoever works on the task, and in the process documentation."

    def current(self, sel):
        return sel.child_text("documentation")

    def edits(self, value, sel) -> list[dict]:
        documentation = [create("bpmn:Documentation", text=value)] if value else []
        return [update({"documentation": documentation})]


class ExecutableField(Field):
    name = "executable"
    label = "Executable"
    widget = "checkbox"
    help = "Only executable processes can be started; others are documentation."
    kinds = frozenset({"process", "participant"})

    def applies(self, sel) -> bool:
        return super().applies(sel) and sel.process is not None

    def current(self, sel):
        return sel.process.get("isExecutable", "false").lower() == "true"

    def clean(self, value, sel):
        if not isinstance(value, bool):
            raise Invalid("Executable is either on or off.")
        return value

    def edits(self, value, sel) -> list[dict]:
        return [update({"isExecutable": value}, "process")]


FIELDS = [KeyField(), IdField(), NameField(), ExecutableField(), DocumentationField()]
