"""Limits on authentication attempts and API requests, counted in Django's cache.

Failed authentications are counted per client in fixed windows of
AUTH_FAILURE_WINDOW_SECONDS; after AUTH_FAILURE_LIMIT failures the client is refused until
its window ends. Successes are never counted. While refused, a client's key or password is
not even checked: otherwise each answer would still tell a guesser right from wrong.
"""

import contextlib
import hashlib
import math
import time

from django.conf import settings
from django.core.cache import cache
from rest_framework import throttling


def client_address(request) -> str:
    """Return the client's address; X-Forwarded-For counts only behind NUM_PROXIES proxies.

    A request without one (a WSGI server that sets no REMOTE_ADDR) counts as "unknown".
    """
    return throttling.BaseThrottle().get_ident(request) or "unknown"


class FailureCounter:
    """The failed authentications of one client (``parts`` name it) in the current window."""

    def __init__(self, *parts: str):
        window = settings.AUTH_FAILURE_WINDOW_SECONDS
        now = time.time()
        self.ends_at = (now // window + 1) * window
        digest = hashlib.sha256("\0".join(parts).encode()).hexdigest()
        self.key = f"auth-failures:{digest}:{int(now // window)}"

    def retry_after(self) -> int:
        """Return the seconds the client must wait before trying again; 0 if it may try now."""
        if cache.get(self.key, 0) < settings.AUTH_FAILURE_LIMIT:
            return 0
        return max(1, math.ceil(self.ends_at - time.time()))

    def record(self) -> None:
        """Count one more failure."""
        cache.add(self.key, 0, math.ceil(self.ends_at - time.time()) + 1)
        # ValueError: the cache dropped the key since add() (evicted, or one that keeps nothing).
        with contextlib.suppress(ValueError):
            cache.incr(self.key)

    def clear(self) -> None:
        cache.delete(self.key)


class UserRateThrottle(throttling.UserRateThrottle):
    """Limit each user's API requests to API_USER_RATE (e.g. "1200/minute"; empty: no limit).

    DRF reads its rates once, when it is imported; reading the setting on each request keeps
    it a plain setting that override_settings can change.
    """

    def get_rate(self):
        return settings.API_USER_RATE or None
