"""The user's own settings."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render

from accounts.models import NotificationPreference


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
