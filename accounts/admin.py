"""Administration of the accounts app's own tables, and of users as service accounts."""

from django.contrib import admin
from django.contrib.auth import admin as auth_admin
from django.contrib.auth.models import User

from accounts.forms import AdminLoginForm
from accounts.models import ApiToken, NotificationPreference, ServiceAccount
from accounts.service_accounts import with_service_account_flag

# The admin's log-in form is throttled like the site's.
admin.site.login_form = AdminLoginForm


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "task_emails"]
    list_filter = ["task_emails"]
    search_fields = ["user__username", "user__email"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """See everyone's tokens and revoke them (delete); keys are created by their owners."""

    list_display = ["prefix", "name", "user", "created_at", "last_used_at", "expires_at"]
    list_select_related = ["user"]
    search_fields = ["prefix", "name", "user__username"]
    fields = ["user", "name", "prefix", "created_at", "last_used_at", "expires_at"]
    readonly_fields = ["user", "prefix", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        return False


class ServiceAccountFilter(admin.SimpleListFilter):
    title = "service account"
    parameter_name = "service_account"

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(is_service_account=self.value() == "yes")
        return queryset


class ServiceAccountInline(admin.StackedInline):
    model = ServiceAccount
    verbose_name_plural = "Service account (logs in with API tokens only, never a password)"


admin.site.unregister(User)


@admin.register(User)
class UserAdmin(auth_admin.UserAdmin):
    """Django's user admin, telling service accounts apart."""

    list_display = [*auth_admin.UserAdmin.list_display, "is_service_account"]
    list_filter = [*auth_admin.UserAdmin.list_filter, ServiceAccountFilter]
    inlines = [ServiceAccountInline]

    def get_queryset(self, request):
        return with_service_account_flag(super().get_queryset(request))

    @admin.display(boolean=True, ordering="is_service_account", description="service account")
    def is_service_account(self, user):
        return user.is_service_account
