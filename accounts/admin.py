"""Administration of the accounts app's own tables."""

from django.contrib import admin

from accounts.models import NotificationPreference


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "task_emails"]
    list_filter = ["task_emails"]
    search_fields = ["user__username", "user__email"]
