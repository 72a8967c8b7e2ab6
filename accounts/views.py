"""The user's own settings: e-mails and API tokens."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache

from accounts.forms import TokenForm
from accounts.models import ApiToken, NotificationPreference
from accounts.tokens import issue_token


class NotificationForm(forms.ModelForm):
    class Meta:
        model = NotificationPreference
        fields = ["task_emails"]
        labels = {"task_emails": "E-mail me when a task is assigned to me or becomes overdue"}


def notification_settings(request):
    """Let each user turn task e-mails off (they are on until someone says otherwise)."""
    preference, _ = NotificationPreference.objects.get_or_create(user=request.user)
    form = NotificationForm(request.POST if request.method == "POST" else None, instance=preference)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your e-mail settings are saved.")
        return redirect("notification-settings")
    return render(request, "accounts/notifications.html", {"form": form})


@never_cache
def api_tokens(request):
    """List the user's API tokens and create one; a new key is shown in this response only."""
    form = TokenForm(request.POST if request.method == "POST" else None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        new_token = issue_token(request.user, form.cleaned_data["name"], form.expires_at())
        form = TokenForm()
    tokens = request.user.api_tokens.order_by("-created_at")
    return render(
        request, "accounts/tokens.html", {"form": form, "tokens": tokens, "new_token": new_token}
    )


def revoke_api_token(request, pk):
    """Ask before revoking one of the user's tokens; revoke it on POST."""
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    if request.method == "POST":
        token.delete()
        messages.success(request, f"The token “{token.name}” ({token.prefix}…) is revoked.")
        return redirect("api-tokens")
    return render(request, "accounts/token_revoke.html", {"token": token})
