"""Create and check personal API tokens (stored hashed, shown once)."""

import hashlib
import secrets
from datetime import timedelta

from django.utils import timezone

from accounts.models import ApiToken

# A lookup refreshes last_used_at at most this often, to keep reads cheap under load.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class TokenRefused(Exception):
    """The key authenticates no one; the message tells the client why."""


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def issue_token(user, name: str = "", expires_at=None) -> ApiToken:
    """Create a token for ``user``; its key is on the returned object only, never stored."""
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=key[:8], key_hash=hash_key(key), expires_at=expires_at
    )
    token.key = key
    return token


def create_token(user, name: str = "", expires_at=None) -> str:
    """Create a token for ``user`` and return its key; it cannot be shown again."""
    return issue_token(user, name, expires_at).key


def user_for_key(key: str):
    """Return the active user owning ``key``; raise TokenRefused if there is none."""
    token = (
        ApiToken.objects.select_related("user").filter(key_hash=hash_key(key)).first()
    )
    if token is None or not token.user.is_active:
        raise TokenRefused("Invalid or revoked token.")
    if token.is_expired:
        raise TokenRefused(
            f"This token expired at {token.expires_at.isoformat(timespec='seconds')}; "
            "create a new one."
        )
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
