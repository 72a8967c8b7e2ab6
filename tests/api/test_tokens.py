"""API tokens: stored hashed, shown once, checked on every request."""

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.tokens import create_token

pytestmark = pytest.mark.django_db


def apitoken(*args):
    out = io.StringIO()
    call_command("apitoken", *args, stdout=out)
    return out.getvalue().strip()


def test_a_token_is_stored_only_as_a_hash(employee):
    key = create_token(employee)
    token = ApiToken.objects.get()
    assert key not in (token.key_hash, token.prefix) and token.prefix == key[:8]


def test_a_token_authenticates_its_user(employee):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {create_token(employee)}")
    assert api.get("/api/v1/definitions/").status_code == 200
    assert ApiToken.objects.get().last_used_at is not None


@pytest.mark.parametrize("header", ["Token nope", "Token", "Token a b", "Bearer x"])
def test_a_bad_token_is_refused_with_401(header, employee):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=header)
    response = api.get("/api/v1/definitions/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["error"]["message"]


def test_a_deactivated_users_token_stops_working(employee):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {create_token(employee)}")
    employee.is_active = False
    employee.save()
    assert api.get("/api/v1/definitions/").status_code == 401


def test_the_command_creates_a_user_with_roles_and_prints_a_working_token():
    key = apitoken("integration-bot", "--create", "--groups", "Employees,Process owners")
    bot = User.objects.get(username="integration-bot")
    assert sorted(bot.groups.values_list("name", flat=True)) == ["Employees", "Process owners"]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/definitions/").status_code == 200


def test_the_command_refuses_unknown_users_and_roles(employee):
    with pytest.raises(CommandError, match="add --create"):
        apitoken("ghost")
    with pytest.raises(CommandError, match="Unknown role"):
        apitoken("emma", "--groups", "Wizards")
