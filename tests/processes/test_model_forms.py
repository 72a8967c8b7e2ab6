"""Forms built from a model's form fields: a Django field per type, the API's rules, defaults."""

import pytest
from django import forms
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from processes.bpmn.extensions import FormField
from processes.forms import FormInvalid, clean_submission
from processes.web.model_forms import form_class

CHANNELS = (("phone", "Phone"), ("email", "E-mail"))


def form_for(*fields, variables=None, data=None, files=None):
    return form_class(fields, variables)(data, files)


def submit(field, value):
    form = form_for(field, data={field.id: value})
    assert form.is_valid(), form.errors
    return form.variables()


def error_of(field, value):
    form = form_for(field, data={field.id: value})
    assert not form.is_valid()
    return form.errors[field.id]


@pytest.mark.parametrize("kind, django_class, widget_class", [
    ("string", forms.CharField, forms.TextInput),
    ("text", forms.CharField, forms.Textarea),
    ("integer", forms.IntegerField, forms.NumberInput),
    ("long", forms.IntegerField, forms.NumberInput),
    ("decimal", forms.DecimalField, forms.NumberInput),
    ("boolean", forms.BooleanField, forms.CheckboxInput),
    ("date", forms.DateField, forms.DateInput),
    ("datetime", forms.DateTimeField, forms.DateTimeInput),
    ("email", forms.EmailField, forms.EmailInput),
    ("file", forms.FileField, forms.FileInput),
    ("enum", forms.ChoiceField, forms.Select),
])
def test_each_type_gets_its_django_field_and_widget(kind, django_class, widget_class):
    field = form_for(FormField("x", "X", kind, options=CHANNELS)).fields["x"]
    assert type(field) is django_class or isinstance(field, django_class)
    assert type(field.widget) is widget_class


def test_dates_use_the_browsers_date_and_time_pickers():
    form = form_for(FormField("on", type="date"), FormField("at", type="datetime"))
    assert 'type="date"' in str(form["on"])
    assert 'type="datetime-local"' in str(form["at"])


@pytest.mark.parametrize("kind, submitted, variable", [
    ("string", "INV-1 ", "INV-1 "),
    ("text", "two\nlines", "two\nlines"),
    ("integer", "42", 42),
    ("decimal", "12.50", 12.5),
    ("boolean", "on", True),
    ("date", "2026-12-31", "2026-12-31"),
    ("email", "ann@example.com", "ann@example.com"),
    ("enum", "phone", "phone"),
])
def test_submitted_values_become_typed_variables(kind, submitted, variable):
    assert submit(FormField("x", "X", kind, options=CHANNELS), submitted) == {"x": variable}


def test_a_date_and_time_is_read_in_the_sites_time_zone(settings):
    settings.TIME_ZONE = "Europe/Paris"
    variables = submit(FormField("at", "At", "datetime"), "2026-12-31T09:30")
    assert variables == {"at": "2026-12-31T09:30:00+01:00"}


def test_an_unticked_checkbox_is_false_even_when_required():
    form = form_for(FormField("ok", "OK", "boolean", required=True), data={})
    assert form.is_valid(), "as in the API, a required boolean accepts false"
    assert form.variables() == {"ok": False}
    assert "required" not in str(form["ok"])


def test_empty_optional_fields_set_their_variables_to_none():
    form = form_for(FormField("po"), FormField("n", type="integer"), data={"po": "", "n": ""})
    assert form.is_valid()
    assert form.variables() == {"po": None, "n": None}, "the model can test for a missing value"


def test_a_required_field_left_empty_is_refused_next_to_it():
    form = form_for(FormField("vendor", "Vendor", required=True), data={"vendor": ""})
    assert not form.is_valid()
    assert form.errors["vendor"] == ["This field is required."]
    assert 'aria-invalid="true"' in str(form["vendor"])


def test_text_that_is_only_spaces_is_refused_for_a_required_field_as_by_the_api():
    assert error_of(FormField("vendor", "Vendor", required=True), "   ") == ["Vendor is required."]


@pytest.mark.parametrize("field, value", [
    (FormField("amount", "Amount", "decimal", min="0.01"), "0"),
    (FormField("amount", "Amount", "decimal", max="100"), "100.5"),
    (FormField("rating", "Rating", "integer", min="1", max="5"), "6"),
    (FormField("code", "Code", minlength=3), "ab"),
    (FormField("code", "Code", maxlength=3), "abcd"),
    (FormField("code", "Code", pattern=r"[A-Z]{2}-\d+"), "ab-1"),
    (FormField("on", "On", "date", min="2026-01-01"), "2025-12-31"),
    (FormField("on", "On", "date", max="2026-01-01"), "2026-01-02"),
])
def test_the_models_rules_give_the_apis_message_next_to_the_field(field, value):
    with pytest.raises(FormInvalid) as api:
        clean_submission((field,), {field.id: value})
    assert error_of(field, value) == [api.value.errors[0].message]


@pytest.mark.parametrize("field, value", [
    (FormField("amount", "Amount", "decimal", min="0.01"), "0.01"),
    (FormField("rating", "Rating", "integer", min="1", max="5"), "5"),
    (FormField("code", "Code", minlength=3, maxlength=3), "abc"),
    (FormField("code", "Code", pattern=r"[A-Z]{2}-\d+"), "AB-12"),
])
def test_values_within_the_rules_are_accepted_by_page_and_api_alike(field, value):
    api = clean_submission((field,), {field.id: value})
    assert submit(field, value) == {field.id: api[field.id]}


@pytest.mark.parametrize("kind, value, message", [
    ("integer", "1.5", "Enter a whole number."),
    ("decimal", "abc", "Enter a number."),
    ("date", "31/31/2026", "Enter a valid date."),
    ("email", "not-an-address", "Enter a valid email address."),
    ("enum", "fax", "Select a valid choice. fax is not one of the available choices."),
])
def test_a_value_of_the_wrong_kind_is_refused_next_to_the_field(kind, value, message):
    assert error_of(FormField("x", "X", kind, options=CHANNELS), value) == [message]


def test_the_rules_are_also_given_to_the_browser():
    html = str(form_for(
        FormField("amount", type="decimal", min="0.01", max="100"),
        FormField("code", minlength=2, maxlength=5, pattern="[A-Z]+", required=True),
    ))
    assert 'min="0.01"' in html and 'max="100"' in html
    assert 'minlength="2"' in html and 'maxlength="5"' in html and 'pattern="[A-Z]+"' in html
    assert "required" in html


def test_a_literal_default_fills_the_field():
    form = form_for(
        FormField("n", type="integer", default="3"),
        FormField("ok", type="boolean", default="false"),
        FormField("channel", type="enum", default="email", options=CHANNELS),
    )
    assert form["n"].value() == 3
    assert form["ok"].value() is False, "the text 'false' must not tick the box"
    assert form["channel"].value() == "email"


def test_a_default_expression_is_evaluated_over_the_instances_variables():
    form = form_for(
        FormField("total", type="decimal", default="${amount * 2}"),
        FormField("greeting", default="Dear ${customer}"),
        FormField("on", type="date", default="${today()}"),
        variables={"amount": 21, "customer": "Ann"},
    )
    assert form["total"].value() == 42
    assert form["greeting"].value() == "Dear Ann"
    assert form["on"].value() == timezone.now().date()


def test_a_default_that_cannot_be_evaluated_leaves_the_field_empty():
    form = form_for(FormField("total", type="decimal", default="${missing + 1}"))
    assert form["total"].value() is None


def test_a_variable_already_set_wins_over_the_default():
    form = form_for(FormField("po", default="PO-0"), variables={"po": "PO-7"})
    assert form["po"].value() == "PO-7"


def test_a_read_only_field_shows_the_variable_and_is_never_written_back():
    vendor = FormField("vendor", "Vendor", readonly=True)
    at = FormField("at", "At", "datetime", readonly=True)
    comment = FormField("comment", "Comment", "text")
    variables = {"vendor": "ACME", "at": "2026-12-31T09:30:00"}
    form = form_for(vendor, at, comment, variables=variables,
                    data={"vendor": "Evil Corp", "at": "2000-01-01T00:00", "comment": "fine"})
    assert form.is_valid(), form.errors
    assert form.variables() == {"comment": "fine"}
    html = str(form["vendor"])
    assert "disabled" in html and 'value="ACME"' in html
    assert 'value="2026-12-31T09:30"' in str(form["at"])


def test_a_required_read_only_field_asks_nothing_of_the_user():
    form = form_for(FormField("vendor", required=True, readonly=True), data={})
    assert form.is_valid()
    assert form.variables() == {}


@pytest.fixture
def storage(settings):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.InMemoryStorage"
    }}
    return default_storage


def test_an_uploaded_file_is_stored_and_the_variable_describes_it(storage):
    field = FormField("receipt", "Receipt", "file", required=True)
    upload = SimpleUploadedFile("receipt.pdf", b"%PDF-1.4 ...", content_type="text/html")
    form = form_for(field, data={}, files={"receipt": upload})
    assert form.is_valid(), form.errors
    receipt = form.variables()["receipt"]
    assert receipt["name"] == "receipt.pdf"
    assert receipt["size"] == 12
    assert receipt["content_type"] == "application/pdf", "guessed from the name, not the browser"
    assert storage.open(receipt["path"]).read() == b"%PDF-1.4 ..."


def test_a_refused_form_stores_no_file(storage):
    fields = (FormField("receipt", type="file"), FormField("n", "N", "integer", required=True))
    form = form_for(*fields, data={}, files={"receipt": SimpleUploadedFile("a.pdf", b"x")})
    assert not form.is_valid()
    assert storage.listdir("")[0] == []
    assert storage.listdir("")[1] == []


def test_a_required_file_must_be_uploaded(storage):
    form = form_for(FormField("receipt", "Receipt", "file", required=True), data={}, files={})
    assert not form.is_valid()
    assert "receipt" in form.errors


def test_files_that_could_run_script_or_are_too_large_are_refused(storage, settings):
    field = FormField("receipt", "Receipt", "file")
    page = form_for(field, data={}, files={"receipt": SimpleUploadedFile("x.html", b"<script>")})
    assert not page.is_valid()
    assert "not accepted" in page.errors["receipt"][0]
    settings.TASK_ATTACHMENT_MAX_BYTES = 3
    big = form_for(field, data={}, files={"receipt": SimpleUploadedFile("x.pdf", b"1234")})
    assert not big.is_valid()
    assert "the limit is" in big.errors["receipt"][0]


def test_a_files_rules_apply_to_its_name(storage):
    field = FormField("receipt", "Receipt", "file", pattern=r"INV-\d+\.pdf")
    form = form_for(field, data={}, files={"receipt": SimpleUploadedFile("holiday.pdf", b"x")})
    assert not form.is_valid()
    assert form.errors["receipt"] == ["Receipt does not have the expected format."]


def test_a_variable_without_a_value_shows_an_empty_field():
    form = form_class((FormField("po"),), {"po": None})()
    assert 'value="None"' not in str(form["po"])
