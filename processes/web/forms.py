from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat


class UploadForm(forms.Form):
    file = forms.FileField(
        label="BPMN 2.0 file",
        help_text="A .bpmn or .xml file from Baton, Camunda Modeler, Signavio, Trisotech, Bizagi…",
        widget=forms.ClearableFileInput(attrs={"accept": ".bpmn,.xml,.bpmn20.xml"}),
    )

    as_documentation = forms.BooleanField(
        label="Import as documentation",
        required=False,
        help_text="Store and draw the processes without running them; only the model's "
        "coherence is checked (for maps drawn to document a process).",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.BPMN_MAX_UPLOAD_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"The file is {filesizeformat(upload.size)}; the limit is {filesizeformat(limit)}."
            )
        return upload


class DraftUploadForm(forms.Form):
    """A .bpmn file to open in the designer (nothing is deployed until the owner says so)."""

    file = UploadForm.base_fields["file"]
    clean_file = UploadForm.clean_file


class NewDraftForm(forms.Form):
    name = forms.CharField(max_length=255, help_text="What people call the process.")
    key = forms.RegexField(
        r"^[A-Za-z_][\w.-]*$",
        max_length=255,
        help_text="Its id: letters, digits, _, - and ., starting with a letter. Every version "
        "shares it.",
        error_messages={"invalid": "Start with a letter or _ and use letters, digits, _, - and ."},
    )
