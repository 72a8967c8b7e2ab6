"""/api/v1/tokens/: the caller's own tokens; expiry; manage.py apitoken --list and --revoke."""

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import ApiToken
from accounts.tokens import create_token
from tests.accounts.conftest import api_with, assert_error

pytestmark = pytest.mark.django_db


def apitoken(*args):
    out = io.StringIO()
    call_command("apitoken", *args, stdout=out)
    return out.getvalue().strip()


def test_the_list_holds_the_callers_tokens_only(api_for, employee, manager):
    create_token(manager, "Max's report")
    api = api_for(employee)
    body = api.get("/api/v1/tokens/").json()
    assert body["count"] == 1
    assert set(body["results"][0]) == {
        "id", "name", "prefix", "created_at", "last_used_at", "expires_at"
    }


def test_creating_returns_the_key_once(api_for, employee):
    api = api_for(employee)
    in_a_week = timezone.now() + timedelta(days=7)
    response = api.post(
        "/api/v1/tokens/", {"name": "Nightly export", "expires_at": in_a_week.isoformat()},
        format="json",
    )
    assert response.status_code == 201
    created = response.json()
    assert created["prefix"] == created["key"][:8] and created["expires_at"]
    assert api_with(created["key"]).get("/api/v1/users/me/").status_code == 200
    listed = api.get("/api/v1/tokens/").json()["results"]
    assert "key" not in next(t for t in listed if t["id"] == created["id"])


def test_a_token_needs_a_name_and_a_future_expiry(api_for, employee):
    api = api_for(employee)
    error = assert_error(api.post("/api/v1/tokens/", {}, format="json"), 400, "invalid")
    assert error["details"][0]["field"] == "name"
    yesterday = (timezone.now() - timedelta(days=1)).isoformat()
    response = api.post("/api/v1/tokens/", {"name": "x", "expires_at": yesterday}, format="json")
    assert assert_error(response, 400, "invalid")["details"][0]["field"] == "expires_at"


def test_deleting_revokes_a_token(api_for, employee):
    key = create_token(employee, "old")
    token = ApiToken.objects.get(prefix=key[:8])
    assert api_for(employee).delete(f"/api/v1/tokens/{token.pk}/").status_code == 204
    assert_error(api_with(key).get("/api/v1/users/me/"), 401, "authentication_failed")


def test_nobody_deletes_another_users_token(api_for, employee, manager):
    create_token(manager)
    token = ApiToken.objects.get()
    assert_error(api_for(employee).delete(f"/api/v1/tokens/{token.pk}/"), 404, "not_found")
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_an_expired_token_is_refused_with_a_clear_message(employee):
    key = create_token(employee, expires_at=timezone.now() - timedelta(minutes=1))
    response = api_with(key).get("/api/v1/users/me/")
    error = assert_error(response, 401, "authentication_failed")
    assert "expired" in error["message"]
    assert response["WWW-Authenticate"] == "Token"


def test_a_token_works_until_it_expires(employee):
    key = create_token(employee, expires_at=timezone.now() + timedelta(days=1))
    assert api_with(key).get("/api/v1/users/me/").status_code == 200


def test_the_command_lists_a_users_tokens(employee):
    key = create_token(employee, "CRM integration")
    listing = apitoken("emma", "--list")
    assert key[:8] in listing and "CRM integration" in listing and "last used never" in listing
    assert key not in listing
    apitoken("emma", "--revoke", key[:8])
    assert "has no API token" in apitoken("emma", "--list")


def test_the_command_revokes_a_token_by_prefix(employee):
    key = create_token(employee)
    kept = create_token(employee)
    assert "Revoked" in apitoken("emma", "--revoke", key[:8])
    assert api_with(key).get("/api/v1/users/me/").status_code == 401
    assert api_with(kept).get("/api/v1/users/me/").status_code == 200
    with pytest.raises(CommandError, match="no token with the prefix"):
        apitoken("emma", "--revoke", key[:8])
