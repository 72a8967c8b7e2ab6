"""Create and check personal API tokens (stored hashed, shown once)."""

import hashlib
import secrets
from datetime import timedelta

from django.utils import timezone

from accounts.models import ApiToken

# A lookup refreshes last_used_at at most this often, to keep reads cheap under load.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_token(user, name: str = "") -> str:
    """Create a token for ``user`` and return its key; it cannot be shown again."""
    key = secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, name=name, prefix=key[:8], key_hash=hash_key(key))
    return key


def user_for_key(key: str):
    """Return the active user owning ``key``, or None."""
    token = (
        ApiToken.objects.select_related("user").filter(key_hash=hash_key(key)).first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
