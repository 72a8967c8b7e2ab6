"""API permissions: the same capabilities the pages check."""

from rest_framework.permissions import BasePermission

from accounts.roles import capability


def capability_required(*codenames: str) -> type[BasePermission]:
    """Return a permission class granting access to holders of any of ``codenames``."""
    permissions = [capability(c) for c in codenames]

    class HasCapability(BasePermission):
        message = "You do not have permission to do this."

        def has_permission(self, request, view):
            user = request.user
            return bool(user and user.is_authenticated) and any(user.has_perm(p) for p in permissions)

    HasCapability.__name__ = f"HasCapability_{'_or_'.join(codenames)}"
    return HasCapability
