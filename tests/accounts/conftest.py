import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.tokens import create_token


@pytest.fixture
def counting_cache(settings):
    """Count in an empty local-memory cache (tests otherwise use one that keeps nothing).

    The window is a day long, so that no test straddles the end of one.
    """
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.AUTH_FAILURE_LIMIT = 3
    settings.AUTH_FAILURE_WINDOW_SECONDS = 24 * 60 * 60
    cache.clear()


def api_with(key, address="127.0.0.1"):
    """Return an API client sending ``key`` from ``address``."""
    api = APIClient(REMOTE_ADDR=address)
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


@pytest.fixture
def api_for():
    """Return a function giving an API client authenticated by a new token of ``user``."""
    return lambda user: api_with(create_token(user))


def assert_error(response, status, code):
    """Check the status and the one error shape of processes/api/errors.py."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"] and isinstance(error["details"], list)
    return error
