"""Failed authentications are limited per client; successes never are."""

import pytest
from django.urls import reverse

from accounts.tokens import create_token
from tests.accounts.conftest import api_with, assert_error

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("counting_cache")]

ATTACKER = "203.0.113.7"


def fail_tokens(times, address=ATTACKER):
    for _ in range(times):
        assert api_with("guess", address).get("/api/v1/users/me/").status_code == 401


def test_an_address_failing_too_often_gets_429_with_retry_after(employee):
    fail_tokens(3)
    response = api_with("guess", ATTACKER).get("/api/v1/users/me/")
    assert_error(response, 429, "throttled")
    assert int(response["Retry-After"]) > 0


def test_a_refused_address_is_refused_even_with_a_good_token(employee):
    """Otherwise each answer would still tell a guesser right from wrong."""
    fail_tokens(3)
    assert api_with(create_token(employee), ATTACKER).get("/api/v1/users/me/").status_code == 429


def test_other_addresses_and_browser_sessions_are_not_affected(employee, client_for):
    fail_tokens(3)
    assert api_with(create_token(employee), "198.51.100.1").get("/api/v1/users/me/").status_code == 200
    session = client_for(employee)
    assert session.get("/api/v1/users/me/", REMOTE_ADDR=ATTACKER).status_code == 200


def test_successful_requests_are_never_counted(employee):
    api = api_with(create_token(employee), ATTACKER)
    for _ in range(5):
        assert api.get("/api/v1/users/me/").status_code == 200
    fail_tokens(2)
    assert api.get("/api/v1/users/me/").status_code == 200


def test_x_forwarded_for_is_ignored_unless_proxies_are_configured(employee):
    api = api_with("guess", ATTACKER)
    for n in range(3):
        api.get("/api/v1/users/me/", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    assert api.get("/api/v1/users/me/", HTTP_X_FORWARDED_FOR="192.0.2.99").status_code == 429


def test_behind_a_proxy_the_forwarded_address_counts(settings, employee):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    proxy = "10.0.0.1"
    for _ in range(3):
        api_with("guess", proxy).get("/api/v1/users/me/", HTTP_X_FORWARDED_FOR=ATTACKER)
    good = api_with(create_token(employee), proxy)
    assert good.get("/api/v1/users/me/", HTTP_X_FORWARDED_FOR=ATTACKER).status_code == 429
    assert good.get("/api/v1/users/me/", HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 200


def log_in(client, username, password, address=ATTACKER, url=None):
    return client.post(
        url or reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_the_login_form_refuses_a_username_after_too_many_failures(client, employee):
    for _ in range(3):
        assert "didn't match" in log_in(client, "emma", "wrong").content.decode()
    response = log_in(client, "emma", "pw-emma")
    assert "Too many failed log-ins" in response.content.decode()
    assert client.get("/").status_code == 302, "still logged out"


def test_the_login_limit_is_per_username_and_address(client, employee, manager):
    for _ in range(3):
        log_in(client, "emma", "wrong")
    assert log_in(client, "max", "pw-max").status_code == 302
    client.logout()
    assert log_in(client, "emma", "pw-emma", address="198.51.100.1").status_code == 302


def test_logging_in_clears_the_failures(client, employee):
    for _ in range(2):
        log_in(client, "emma", "wrong")
    assert log_in(client, "emma", "pw-emma").status_code == 302
    client.logout()
    for _ in range(2):
        log_in(client, "emma", "wrong")
    assert log_in(client, "emma", "pw-emma").status_code == 302


def test_the_admin_login_is_limited_too(client, admin_user):
    for _ in range(3):
        log_in(client, "ada", "wrong", url="/admin/login/")
    response = log_in(client, "ada", "pw-ada", url="/admin/login/")
    assert "Too many failed log-ins" in response.content.decode()


def test_each_users_api_requests_are_capped_at_api_user_rate(settings, employee, manager):
    settings.API_USER_RATE = "2/minute"
    api = api_with(create_token(employee))
    assert [api.get("/api/v1/users/me/").status_code for _ in range(3)] == [200, 200, 429]
    assert_error(api.get("/api/v1/users/me/"), 429, "throttled")
    assert api_with(create_token(manager)).get("/api/v1/users/me/").status_code == 200
