"""Fields of user tasks (who does them, by when, with which form) and of start forms."""

import re

from processes.bpmn.extensions import read_extensions
from processes.bpmn.xml import local_name
from processes.engine.expressions import is_expression
from processes.web.model_forms import FIELD_TYPES

from ..selection import baton_element
from . import checks
from .base import AttributeField, Column, Invalid, ListField, extension_elements, update

USER_TASK = frozenset({"userTask"})


class AssigneeField(AttributeField):
    name = attribute = "assignee"
    label = "Assignee"
    section = "Assignment"
    kinds = USER_TASK
    placeholder = "a user name, or ${initiator}"

    def clean(self, value, sel):
        return checks.maybe_expression(value.strip(), "assignee")


class CandidatesField(AttributeField):
    section = "Assignment"
    kinds = USER_TASK

    def clean(self, value, sel):
        return checks.names(value.strip())


class CandidateUsersField(CandidatesField):
    name = attribute = "candidateUsers"
    label = "Candidate users"
    placeholder = "anna, ben"
    help = "Any of them may claim the task. Separate names with commas."


class CandidateGroupsField(CandidatesField):
    name = attribute = "candidateGroups"
    label = "Candidate groups"
    placeholder = "sales, managers"
    help = "Members of these groups see the task in their group queue and may claim it."


class MomentField(AttributeField):
    """A due or follow-up date: a duration from creation, a date, or an expression."""

    section = "Assignment"
    kinds = USER_TASK
    placeholder = "P2D, 2027-01-31T17:00:00Z or ${deadline}"

    def clean(self, value, sel):
        value = value.strip()
        if value and not is_expression(value):
            kind = "timeDuration" if value.upper().startswith("P") else "timeDate"
            checks.timer(kind, value.upper() if kind == "timeDuration" else value)
            return value.upper() if kind == "timeDuration" else value
        return checks.maybe_expression(value, self.label.lower())

    def reading(self, value, sel) -> str:
        if not value or is_expression(value):
            return ""
        kind = "timeDuration" if value.upper().startswith("P") else "timeDate"
        try:
            timer = checks.timer(kind, value)
        except Invalid:
            return ""
        return ("due " if self.attribute == "dueDate" else "follow up ") + timer.describe()


class DueDateField(MomentField):
    name = attribute = "dueDate"
    label = "Due date"
    help = "Overdue tasks are flagged in the inbox and their assignee is told."


class FollowUpDateField(MomentField):
    name = attribute = "followUpDate"
    label = "Follow-up date"


class PriorityField(AttributeField):
    name = attribute = "priority"
    label = "Priority"
    section = "Assignment"
    kinds = USER_TASK
    placeholder = "50"
    help = "A whole number; higher comes first in the inbox."

    def clean(self, value, sel):
        value = value.strip()
        if is_expression(value):
            return checks.maybe_expression(value, "priority")
        number = checks.whole_number(value, "priority", minimum=0)
        return "" if number is None else str(number)


class FormFieldsField(ListField):
    """The form of a user task or start event: fields in order, with their validation."""

    name = "form_fields"
    label = "Form fields"
    section = "Form"
    kinds = frozenset({"userTask", "startEvent"})
    help = "Each field sets the variable named by its id when the form is submitted."
    item_label = "field"
    types = tuple(FIELD_TYPES)
    columns = (
        Column("id", "Variable"),
        Column("label", "Label"),
        Column("type", "Type", "select", tuple((t, t) for t in FIELD_TYPES)),
        Column("required", "Required", "checkbox"),
        Column("default", "Default value", advanced=True),
        Column("min", "Minimum", advanced=True),
        Column("max", "Maximum", advanced=True),
        Column("minlength", "Minimum length", advanced=True),
        Column("maxlength", "Maximum length", advanced=True),
        Column("pattern", "Pattern (regular expression)", advanced=True),
        Column("values", "Choices (enum): a=Label, b=Other", advanced=True),
    )

    def applies(self, sel) -> bool:
        return super().applies(sel) and not (sel.kind == "startEvent" and _in_subprocess(sel))

    def current(self, sel):
        props = read_extensions(sel.element, sel.id, [])
        return [
            {
                "id": f.id, "label": f.label or "", "type": f.type, "required": f.required,
                "default": f.default or "", "min": f.min or "", "max": f.max or "",
                "minlength": _text(f.minlength), "maxlength": _text(f.maxlength),
                "pattern": f.pattern or "",
                "values": ", ".join(f"{key}={label}" for key, label in f.options),
            }
            for f in props.form_fields
        ]

    def clean(self, value, sel):
        rows, seen = [], set()
        for where, row in self.clean_rows(value):
            _check_row(row, where + (f" ({row['id']})" if row["id"] else ""), seen, self.types)
            rows.append(row)
        return rows

    def edits(self, value, sel) -> list[dict]:
        elements = [_form_field_element(row) for row in value]
        return [update({
            "extensionElements": extension_elements(sel, {"formField", "formData"}, elements),
        })]


def _in_subprocess(sel) -> bool:
    return local_name(sel.element.getparent().tag) != "process"


def _text(value) -> str:
    return "" if value is None else str(value)


def _check_row(row: dict, where: str, seen: set, types) -> None:
    if not checks.VARIABLE.match(row["id"]):
        raise Invalid(
            f"{where}: the id is the variable the field sets; use letters, digits and _, "
            "starting with a letter."
        )
    if row["id"] in seen:
        raise Invalid(f"{where}: another field already sets '{row['id']}'.")
    seen.add(row["id"])
    if row["type"] not in types:
        raise Invalid(f"{where}: choose a type among {', '.join(types)}.")
    for limit in ("minlength", "maxlength"):
        row[limit] = _text(checks.whole_number(row[limit], f"{limit} of {where}", minimum=0))
    if row["pattern"]:
        try:
            re.compile(row["pattern"])
        except re.error as error:
            raise Invalid(f"{where}: the pattern is not a regular expression ({error}).") from None
    if row["type"] == "enum":
        options = [item.strip() for item in row["values"].split(",") if item.strip()]
        if not options:
            raise Invalid(f"{where}: list the values to choose from, as a=Label, b=Other.")
        row["values"] = ", ".join(options)
    else:
        row["values"] = ""


def _form_field_element(row: dict):
    element = baton_element("formField", {
        "id": row["id"], "label": row["label"], "type": row["type"],
        "defaultValue": row["default"], "required": row["required"], "min": row["min"],
        "max": row["max"], "minlength": row["minlength"], "maxlength": row["maxlength"],
        "pattern": row["pattern"],
    })
    for option in filter(None, row["values"].split(",")):
        key, _, label = option.strip().partition("=")
        element.append(baton_element("value", {"id": key.strip(), "name": label.strip() or key.strip()}))
    return element


FIELDS = [
    AssigneeField(), CandidateUsersField(), CandidateGroupsField(), DueDateField(),
    FollowUpDateField(), PriorityField(), FormFieldsField(),
]
