"""Forms of the accounts app: logging in, creating API tokens."""

import math
from datetime import timedelta

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone
from django.utils.translation import ngettext

from accounts.throttling import FailureCounter, client_address


class ThrottledLogin:
    """Refuse a username from an address that failed too often, before checking the password.

    Counting by username and address together means a guesser elsewhere cannot lock the
    real user out.
    """

    def clean(self):
        username = self.cleaned_data.get("username")
        if not username:
            return super().clean()
        failures = FailureCounter("login", username.lower(), client_address(self.request))
        wait = failures.retry_after()
        if wait:
            raise ValidationError(too_many_failures(math.ceil(wait / 60)), code="throttled")
        try:
            cleaned_data = super().clean()
        except ValidationError:
            failures.record()
            raise
        failures.clear()
        return cleaned_data

    @property
    def throttled(self) -> bool:
        """Whether the form was refused for too many failures, as pages show it apart."""
        return self.has_error(NON_FIELD_ERRORS, "throttled")


def too_many_failures(minutes: int) -> str:
    return ngettext(
        "Too many failed log-ins for this username from your address. "
        "Try again in %(minutes)d minute.",
        "Too many failed log-ins for this username from your address. "
        "Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


class LoginForm(ThrottledLogin, AuthenticationForm):
    """The site's login form, throttled."""


class AdminLoginForm(ThrottledLogin, AdminAuthenticationForm):
    """The admin's login form, throttled the same way."""


class TokenForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What it is for, e.g. “CRM integration”.")
    expires_in_days = forms.TypedChoiceField(
        label="Expires",
        choices=[("", "Never"), ("30", "In 30 days"), ("90", "In 90 days"), ("365", "In a year")],
        coerce=int,
        empty_value=None,
        required=False,
    )

    def expires_at(self):
        """Return the moment the new token should expire, or None for never."""
        days = self.cleaned_data["expires_in_days"]
        return timezone.now() + timedelta(days=days) if days else None
