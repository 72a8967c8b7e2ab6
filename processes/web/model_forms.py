"""Django forms built from the form fields a process model declares (start and task forms).

Django's fields read the HTML widgets (a checkbox, a date picker, a select); the rules of
the model (required, min/max, length, pattern, enum options) are then judged by
``processes.forms.clean_submission``, the same code the REST API runs, so a page and the
API accept the same values and the page shows the API's message next to the field.

A ``file`` field is the exception the API does not have: the upload is stored through
Django's storage (``default_storage``: MEDIA_ROOT on disk by default, or whatever storage
the site configures), within the size and type limits set for task attachments, and the
variable receives a small descriptor {"name", "path", "size", "content_type"}, never the
bytes. The model's rules for the field (required, length, pattern) apply to the file name.
"""

import mimetypes
from datetime import date, datetime
from pathlib import PurePath
from uuid import uuid4

from django import forms
from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import timezone

from processes.bpmn.extensions import FormField
from processes.engine.expressions import compile_expression, is_expression
from processes.forms import FormInvalid, clean_submission, convert
from processes.task_actions import InvalidInput, check_upload

UPLOAD_DIR = "form-uploads"


class ModelForm(forms.Form):
    """A form whose fields come from a model; ``form_class`` makes one per field list."""

    model_fields: tuple[FormField, ...] = ()

    def clean(self):
        cleaned = super().clean()
        # Fields Django already refused (a missing value, a word in a number box) keep
        # Django's message; the model's rules judge the rest.
        judged = [f for f in self.model_fields if not f.readonly and f.id in cleaned]
        try:
            self.typed = clean_submission(
                tuple(judged), {f.id: submitted_value(f, cleaned[f.id]) for f in judged}
            )
        except FormInvalid as invalid:
            for error in invalid.errors:
                self.add_error(error.field, error.message)
        return cleaned

    def variables(self) -> dict:
        """Return the submitted values as typed variables, storing uploaded files first.

        Files are stored only here, once the whole form is valid, so a refused form leaves
        no file behind. Read-only fields are never written back. A field left empty sets
        its variable to None (as Camunda's forms set null), so the model can test for it.
        """
        values = dict(self.typed)
        for field in self.model_fields:
            if not field.readonly:
                values.setdefault(field.id, None)
            upload = self.cleaned_data.get(field.id)
            if field.type == "file" and upload and not field.readonly:
                values[field.id] = store_upload(upload)
        return values


def form_class(fields: tuple[FormField, ...], variables=None) -> type[ModelForm]:
    """Return a form class for a model's fields, showing ``variables`` (an instance's)."""
    variables = variables or {}
    django_fields = {
        field.id: django_field(field, initial_value(field, variables)) for field in fields
    }
    return type("ModelForm", (ModelForm,), {"model_fields": tuple(fields), **django_fields})


def django_field(field: FormField, initial) -> forms.Field:
    """Return the Django field (with its HTML5 widget and hints) for one model field."""
    make = FIELD_TYPES.get(field.type, _string)
    result = make(
        field,
        label=field.label or field.id,
        initial=initial,
        disabled=field.readonly,
        # An unticked checkbox means false, which a required boolean accepts (as in the API).
        required=field.required and not field.readonly and field.type != "boolean",
    )
    result.widget.attrs.update(html_constraints(field))
    return result


def _string(field: FormField, **options) -> forms.Field:
    return forms.CharField(strip=False, **options)


def _text(field: FormField, **options) -> forms.Field:
    return forms.CharField(strip=False, widget=forms.Textarea(attrs={"rows": 4}), **options)


def _integer(field: FormField, **options) -> forms.Field:
    return forms.IntegerField(**options)


def _decimal(field: FormField, **options) -> forms.Field:
    return forms.DecimalField(**options)


def _boolean(field: FormField, **options) -> forms.Field:
    return forms.BooleanField(**options)


def _date(field: FormField, **options) -> forms.Field:
    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    return forms.DateField(widget=widget, **options)


def _datetime(field: FormField, **options) -> forms.Field:
    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    return forms.DateTimeField(widget=widget, **options)


def _enum(field: FormField, **options) -> forms.Field:
    return forms.ChoiceField(choices=[("", "—"), *field.options], **options)


def _email(field: FormField, **options) -> forms.Field:
    return forms.EmailField(**options)


def _file(field: FormField, *, initial, **options) -> forms.Field:
    current = initial.get("name") if isinstance(initial, dict) else None
    help_text = f"Current file: {current}" if current else ""
    return UploadField(help_text=help_text, **options)


class UploadField(forms.FileField):
    """A file within the limits set for task attachments.

    HTML and SVG are not among the accepted types because, served back from the storage,
    they could run script.
    """

    widget = forms.FileInput

    def validate(self, value):
        super().validate(value)
        if not value:
            return
        try:
            check_upload(value.name or "", value.size)
        except InvalidInput as error:
            raise forms.ValidationError(str(error)) from None


FIELD_TYPES = {
    "string": _string,
    "text": _text,
    "integer": _integer,
    "long": _integer,
    "decimal": _decimal,
    "double": _decimal,
    "boolean": _boolean,
    "date": _date,
    "datetime": _datetime,
    "enum": _enum,
    "email": _email,
    "file": _file,
}
NUMBER_OR_MOMENT = ("integer", "long", "decimal", "double", "date", "datetime")


def html_constraints(field: FormField) -> dict:
    """Return the model's rules as HTML attributes, so the browser can warn before sending."""
    if field.type == "file":
        attrs = {"accept": ",".join(settings.TASK_ATTACHMENT_TYPES)}
    elif field.type in NUMBER_OR_MOMENT:
        attrs = {"min": field.min, "max": field.max}
    else:
        attrs = {
            "minlength": field.minlength, "maxlength": field.maxlength, "pattern": field.pattern,
        }
    return {name: value for name, value in attrs.items() if value is not None}


def initial_value(field: FormField, variables):
    """Return what a field shows: the variable's current value, else the model's default.

    A default holding ``${...}`` is evaluated over the variables; one that cannot be
    evaluated (a variable not set yet) or converted leaves the field empty for the person
    to fill in rather than failing the page.
    """
    if field.id in variables:
        value = variables[field.id]
    elif field.default is None:
        return None
    elif is_expression(field.default):
        try:
            value = compile_expression(field.default).evaluate(variables, now=timezone.now())
        except ValueError:
            return None
    else:
        value = field.default
    return None if value is None else shown_value(field, value)


def shown_value(field: FormField, value):
    """Return a variable's value as the Django field displays it, or None if it cannot."""
    if field.type == "file":
        return value if isinstance(value, dict) else None
    if field.type == "date" and isinstance(value, datetime):
        value = value.date()
    try:
        value = convert(field, value)
    except ValueError:
        return None
    if field.type == "date":
        return date.fromisoformat(value)
    if field.type == "datetime":
        return datetime.fromisoformat(value)
    return value


def submitted_value(field: FormField, value):
    """Return what Django cleaned in the shape the model's rules read (as the API gets it)."""
    if field.type == "file":
        return PurePath(value.name or "").name if value else None
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def store_upload(upload) -> dict:
    """Save an upload through Django's storage; return the descriptor kept as the variable.

    The content type is guessed from the checked extension, never taken from the browser,
    so the file is served back as what its name says. Each upload gets its own folder, so
    two files of the same name never overwrite each other.
    """
    name = PurePath(upload.name).name
    path = default_storage.save(
        f"{UPLOAD_DIR}/{uuid4().hex}/{default_storage.get_valid_name(name)}", upload
    )
    return {
        "name": name,
        "path": path,
        "size": upload.size,
        "content_type": mimetypes.guess_type(name)[0] or "application/octet-stream",
    }
