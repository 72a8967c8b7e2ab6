"""Django's model backend, with a user's permissions read in one query instead of two.

Every page and API request asks ``has_perm`` about a capability; the stock backend reads
the user's own and their groups' permissions separately. The rules are unchanged, but for
one: service accounts never log in with a password.
"""

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import Q

from accounts.models import ServiceAccount


class CapabilityBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        """Check the password, refusing service accounts even if someone gave them one."""
        user = super().authenticate(request, username, password, **kwargs)
        if user is not None and ServiceAccount.objects.filter(user=user).exists():
            return None
        return user

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            permissions = Permission.objects.all()
            if not user_obj.is_superuser:
                permissions = permissions.filter(Q(user=user_obj) | Q(group__user=user_obj))
            user_obj._perm_cache = {
                f"{app_label}.{codename}"
                for app_label, codename in permissions.values_list("content_type__app_label", "codename")
            }
        return user_obj._perm_cache
