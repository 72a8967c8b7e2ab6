"""The window a dashboard looks at: a period of days (or dates), a version, a step size."""

from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone

WINDOWS = [(7, "7 days"), (30, "30 days"), (90, "90 days"), (180, "180 days"), (365, "a year")]
PERIODS = [("day", "day"), ("week", "week"), ("month", "month")]


class WindowForm(forms.Form):
    days = forms.TypedChoiceField(label="Last", choices=WINDOWS, coerce=int, required=False)
    start = forms.DateField(required=False, help_text="Or choose the dates.")
    end = forms.DateField(required=False)
    version = forms.TypedChoiceField(label="Version", coerce=int, required=False, empty_value=None)
    period = forms.ChoiceField(label="Per", choices=PERIODS, required=False)
    activity = forms.CharField(required=False, max_length=255, widget=forms.HiddenInput)

    def __init__(self, data=None, versions=(), **kwargs):
        super().__init__(data, initial={"days": 90, "period": "week"}, **kwargs)
        self.fields["version"].choices = [("", "all versions")] + [(v, f"v{v}") for v in versions]

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] >= data["end"]:
            self.add_error("end", "The end must come after the start.")
        return data

    def window(self) -> tuple[datetime, datetime]:
        """[start, end) to measure: the dates chosen (the end day included), else the last days."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        if data.get("start") and data.get("end"):
            return _midnight(data["start"]), _midnight(data["end"] + timedelta(days=1))
        end = timezone.now()
        return end - timedelta(days=data.get("days") or 90), end

    def choice(self, name, default=None):
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return data.get(name) or default


def _midnight(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))
