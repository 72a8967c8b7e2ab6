"""Every API error, whoever raises it, comes in the one shape of processes/api/errors.py."""

import pytest
from rest_framework.test import APIClient

from tests.accounts.conftest import api_with, assert_error

pytestmark = pytest.mark.django_db


def test_no_credentials_is_401_saying_how_to_authenticate():
    response = APIClient().get("/api/v1/users/")
    assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Token"


def test_a_wrong_token_is_401():
    response = api_with("not-a-token").get("/api/v1/users/")
    assert "Invalid or revoked" in assert_error(response, 401, "authentication_failed")["message"]
    assert response["WWW-Authenticate"] == "Token"


def test_a_missing_capability_is_403(api_for, employee):
    response = api_for(employee).post("/api/v1/deployments/", {}, format="multipart")
    assert_error(response, 403, "permission_denied")


@pytest.mark.parametrize("path", ["/api/v1/no-such-thing/", "/api/", "/api/v2/users/"])
def test_an_unknown_url_under_api_is_a_json_404(api_for, employee, path):
    assert path in assert_error(api_for(employee).get(path), 404, "not_found")["message"]


def test_an_unknown_url_is_a_json_404_for_anonymous_clients_too():
    assert_error(APIClient().post("/api/v1/no-such-thing/"), 404, "not_found")


def test_an_unknown_object_is_a_404(api_for, employee):
    assert_error(api_for(employee).get("/api/v1/users/999999/"), 404, "not_found")


def test_pages_outside_the_api_keep_the_html_404(client_for, employee):
    response = client_for(employee).get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_wrong_method_is_405_naming_the_allowed_ones(api_for, employee):
    response = api_for(employee).put("/api/v1/users/", {}, format="json")
    assert_error(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"]


def test_an_unsupported_media_type_is_415(api_for, employee):
    response = api_for(employee).post("/api/v1/tokens/", "name=x", content_type="text/plain")
    assert_error(response, 415, "unsupported_media_type")


def test_malformed_json_is_400(api_for, employee):
    response = api_for(employee).post(
        "/api/v1/tokens/", '{"name": "x"', content_type="application/json"
    )
    assert_error(response, 400, "parse_error")


def test_too_many_failures_is_429_with_retry_after(counting_cache, employee):
    for _ in range(3):
        api_with("guess").get("/api/v1/users/")
    response = api_with("guess").get("/api/v1/users/")
    assert_error(response, 429, "throttled")
    assert int(response["Retry-After"]) > 0
