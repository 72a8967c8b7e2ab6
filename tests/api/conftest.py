import pytest
from rest_framework.test import APIClient

from accounts.tokens import create_token


@pytest.fixture
def api_for():
    """Return a function giving an API client authenticated by ``user``'s token."""

    def client(user):
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {create_token(user)}")
        return api

    return client
