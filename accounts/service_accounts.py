"""Service accounts: users that other systems act as, authenticated by token only."""

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Exists, OuterRef

from accounts.models import ServiceAccount
from accounts.roles import INTEGRATIONS, groups_named
from accounts.tokens import issue_token


class UsernameTaken(Exception):
    """A user of that name exists already."""


def create_service_account(username: str, roles=(INTEGRATIONS,), description: str = ""):
    """Create a service account holding ``roles``; return it with a first token."""
    groups = groups_named(roles)
    with transaction.atomic():
        if User.objects.filter(username=username).exists():
            raise UsernameTaken(f"A user {username!r} exists already.")
        user = User.objects.create_user(username)  # with an unusable password
        ServiceAccount.objects.create(user=user, description=description)
        user.groups.set(groups)
        token = issue_token(user, name="created with the service account")
    return user, token


def with_service_account_flag(users):
    """Annotate each user of the queryset with ``is_service_account``."""
    return users.annotate(
        is_service_account=Exists(ServiceAccount.objects.filter(user=OuterRef("pk")))
    )
