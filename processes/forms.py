"""Check and convert submitted form values against the fields a model declares.

The API and the task pages both use this, so a value refused on one is refused on the
other with the same message. Values become JSON-friendly variables: numbers, booleans,
text, and ISO 8601 text for dates.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from processes.bpmn.extensions import FormField

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
TRUE_WORDS = {"true", "on", "1", "yes"}
FALSE_WORDS = {"false", "off", "0", "no", ""}


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


class FormInvalid(ValueError):
    """Submitted values that break the form's rules; ``errors`` names each field."""

    def __init__(self, errors: list[FieldError]):
        self.errors = errors
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))


def clean_submission(fields: tuple[FormField, ...], data: Mapping) -> dict:
    """Return ``data`` with the form's fields converted; raise FormInvalid listing problems.

    Read-only fields are display only: a submitted value for one is dropped. Variables the
    form does not declare pass through unchanged, as Camunda's API allows.
    """
    declared = {f.id: f for f in fields}
    values = {k: v for k, v in data.items() if k not in declared}
    errors = []
    for field in fields:
        if field.readonly:
            continue
        raw = data.get(field.id)
        if raw is None or (isinstance(raw, str) and raw.strip() == "" and field.type != "boolean"):
            if field.required:
                errors.append(FieldError(field.id, f"{label(field)} is required."))
            continue
        try:
            values[field.id] = check(field, convert(field, raw))
        except ValueError as exc:
            errors.append(FieldError(field.id, str(exc)))
    if errors:
        raise FormInvalid(errors)
    return values


def label(field: FormField) -> str:
    return field.label or field.id


def convert(field: FormField, raw):
    """Return ``raw`` as the field's type, or raise ValueError saying what is expected."""
    kind = field.type
    if kind in ("integer", "long"):
        if isinstance(raw, bool) or not _is_integral(raw):
            raise ValueError(f"{label(field)} must be a whole number.")
        return int(Decimal(str(raw)))
    if kind in ("decimal", "double"):
        try:
            number = Decimal(str(raw).strip())
        except InvalidOperation:
            raise ValueError(f"{label(field)} must be a number.") from None
        if isinstance(raw, bool) or not number.is_finite():
            raise ValueError(f"{label(field)} must be a number.")
        return float(number)
    if kind == "boolean":
        return _boolean(field, raw)
    if kind == "date":
        return _parse(field, raw, date.fromisoformat, "a date such as 2026-12-31").isoformat()
    if kind == "datetime":
        return _parse(field, raw, datetime.fromisoformat, "a date and time such as 2026-12-31T09:30").isoformat()
    text = str(raw) if not isinstance(raw, str) else raw
    if kind == "email" and not EMAIL.match(text.strip()):
        raise ValueError(f"{label(field)} must be an e-mail address.")
    if kind == "enum" and field.options and text not in {value for value, _ in field.options}:
        choices = ", ".join(value for value, _ in field.options)
        raise ValueError(f"{label(field)} must be one of: {choices}.")
    return text.strip() if kind == "email" else text


def check(field: FormField, value):
    """Apply the field's min/max, length and pattern rules to a converted value."""
    name = label(field)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if field.min is not None and value < float(field.min):
            raise ValueError(f"{name} must be at least {field.min}.")
        if field.max is not None and value > float(field.max):
            raise ValueError(f"{name} must be at most {field.max}.")
    if isinstance(value, str) and field.type in ("date", "datetime"):
        if field.min is not None and value < field.min:
            raise ValueError(f"{name} must not be before {field.min}.")
        if field.max is not None and value > field.max:
            raise ValueError(f"{name} must not be after {field.max}.")
    elif isinstance(value, str):
        if field.minlength is not None and len(value) < field.minlength:
            raise ValueError(f"{name} must have at least {field.minlength} characters.")
        if field.maxlength is not None and len(value) > field.maxlength:
            raise ValueError(f"{name} must have at most {field.maxlength} characters.")
        if field.pattern and not re.fullmatch(field.pattern, value):
            raise ValueError(f"{name} does not have the expected format.")
    return value


def _is_integral(raw) -> bool:
    try:
        number = Decimal(str(raw).strip())
    except InvalidOperation:
        return False
    return number.is_finite() and number == number.to_integral_value()


def _boolean(field, raw) -> bool:
    if isinstance(raw, bool):
        return raw
    word = str(raw).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(f"{label(field)} must be true or false.")


def _parse(field, raw, parse, example):
    try:
        return parse(str(raw).strip())
    except ValueError:
        raise ValueError(f"{label(field)} must be {example}.") from None


def field_schema(field) -> dict:
    """A form field as data, for clients that render and check forms themselves."""
    return {
        "id": field.id, "label": field.label, "type": field.type, "required": field.required,
        "readonly": field.readonly, "default": field.default, "min": field.min,
        "max": field.max, "minlength": field.minlength, "maxlength": field.maxlength,
        "pattern": field.pattern,
        "options": [{"id": key, "name": name} for key, name in field.options],
    }
