"""/accounts/tokens/: create a token (its key shown once), list them, revoke one."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import ApiToken
from accounts.tokens import create_token
from tests.accounts.conftest import api_with

pytestmark = pytest.mark.django_db


def create(client, name="CRM integration", **fields):
    return client.post(reverse("api-tokens"), {"name": name, **fields})


def test_the_page_is_linked_from_the_email_settings(client_for, employee):
    page = client_for(employee).get(reverse("notification-settings"))
    assert reverse("api-tokens").encode() in page.content


def test_creating_shows_the_key_once_and_it_works_with_the_api(client_for, employee):
    client = client_for(employee)
    response = create(client)
    key = response.context["new_token"].key
    assert key in response.content.decode()
    assert "will not be shown again" in response.content.decode()
    assert "no-store" in response["Cache-Control"]

    listing = client.get(reverse("api-tokens")).content.decode()
    assert "CRM integration" in listing and f"{key[:8]}…" in listing
    assert key not in listing
    me = api_with(key).get("/api/v1/users/me/")
    assert me.status_code == 200 and me.json()["username"] == "emma"


def test_the_list_shows_when_a_token_was_last_used(client_for, employee):
    client = client_for(employee)
    key = create(client).context["new_token"].key
    assert "never" in client.get(reverse("api-tokens")).content.decode()
    api_with(key).get("/api/v1/users/me/")
    token = ApiToken.objects.get()
    page = client.get(reverse("api-tokens")).content.decode()
    assert timezone.localtime(token.last_used_at).strftime("%Y-%m-%d %H:%M") in page


def test_a_token_may_expire(client_for, employee):
    create(client_for(employee), expires_in_days="30")
    assert ApiToken.objects.get().expires_at > timezone.now() + timedelta(days=29)


def test_a_name_is_required(client_for, employee):
    response = create(client_for(employee), name="")
    assert response.context["new_token"] is None
    assert not ApiToken.objects.exists()


def test_revoking_asks_first_then_the_key_stops_working(client_for, employee):
    client = client_for(employee)
    key = create(client).context["new_token"].key
    token = ApiToken.objects.get()
    url = reverse("api-token-revoke", args=[token.pk])

    confirmation = client.get(url)
    assert "cannot be undone" in confirmation.content.decode()
    assert ApiToken.objects.exists()

    response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("api-tokens")
    assert "is revoked" in response.content.decode()
    assert not ApiToken.objects.exists()
    assert api_with(key).get("/api/v1/users/me/").status_code == 401


def test_nobody_sees_or_revokes_another_users_tokens(client_for, employee, manager):
    create_token(employee, "Emma's script")
    client = client_for(manager)
    assert "Emma's script" not in client.get(reverse("api-tokens")).content.decode()
    url = reverse("api-token-revoke", args=[ApiToken.objects.get().pk])
    assert client.post(url).status_code == 404
    assert ApiToken.objects.exists()


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(reverse("api-tokens"))
    assert response.status_code == 302 and "/login/" in response["Location"]
