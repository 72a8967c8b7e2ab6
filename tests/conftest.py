"""Shared fixtures: one persona per role, as in healthchecks' base test case."""

import pytest
from django.contrib.auth.models import Group, User

from accounts.roles import ADMINISTRATORS, EMPLOYEES, MANAGERS, PROCESS_OWNERS


def pytest_collection_modifyitems(items):
    """Mark tests by folder, so `make test` can select or leave out whole kinds."""
    for item in items:
        path = str(item.path)
        if "/tests/browser/" in path:
            item.add_marker(pytest.mark.browser)
        elif "/tests/integration/" in path:
            item.add_marker(pytest.mark.integration)


@pytest.fixture(autouse=True)
def fresh_compiled_models():
    """Forget compiled deployments: a rolled-back test's ids are handed out again."""
    from processes.store.compiled import definitions_of

    definitions_of.cache_clear()


def make_user(username, *roles, **fields):
    user = User.objects.create_user(username, f"{username}@example.com", "pw-" + username, **fields)
    user.groups.set(Group.objects.filter(name__in=roles))
    return user


@pytest.fixture
def owner(db):
    """Olivia designs and deploys processes."""
    return make_user("olivia", PROCESS_OWNERS)


@pytest.fixture
def employee(db):
    """Emma works on tasks."""
    return make_user("emma", EMPLOYEES)


@pytest.fixture
def manager(db):
    """Max reads dashboards and reassigns work."""
    return make_user("max", MANAGERS)


@pytest.fixture
def admin_user(db):
    """Ada operates the platform (a role, not a Django superuser)."""
    return make_user("ada", ADMINISTRATORS, is_staff=True)


@pytest.fixture
def outsider(db):
    """Charlie has an account but no role."""
    return make_user("charlie")


@pytest.fixture
def client_for(client):
    """Return a function that logs the test client in as a given user."""

    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def api_for():
    """Return a function giving an API client authenticated by a new token of ``user``."""
    from rest_framework.test import APIClient

    from accounts.tokens import create_token

    def client(user):
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {create_token(user)}")
        return api

    return client
