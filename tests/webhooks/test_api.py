"""/api/v1/webhooks/: subscribe, refuse bad targets by name, owners apart, ping, rotate."""

import pytest

from tests.webhooks.conftest import Receiver, run_jobs, subscribe, verify
from webhooks.models import Delivery, Subscription

URL = "/api/v1/webhooks/"


def test_an_owner_subscribes_and_is_shown_the_secret(api_for, owner, receiver):
    response = api_for(owner).post(URL, {
        "url": receiver, "events": ["task.created", "instance.started", "task.created"],
        "definition_key": "invoice",
    }, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["events"] == ["task.created", "instance.started"]
    assert body["owner"] == "olivia" and body["active"] is True and body["failures"] == 0
    assert len(bytes.fromhex(body["secret"])) == 32
    assert Subscription.objects.get().secret == body["secret"]


@pytest.mark.parametrize("url", [
    "ftp://example.com/hook", "file:///etc/passwd", "javascript:alert(1)", "not a url", "",
])
def test_a_url_that_is_not_http_is_refused_naming_url(api_for, owner, url):
    response = api_for(owner).post(URL, {"url": url, "events": ["instance.started"]}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid" and error["details"][0]["field"] == "url"
    assert not Subscription.objects.exists()


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000/hook", "http://localhost/hook",
                                 "https://[::1]/hook", "http://169.254.169.254/latest"])
def test_a_private_address_is_refused_when_the_setting_forbids_it(api_for, owner, settings, url):
    settings.BATON_HTTP_ALLOW_PRIVATE = False
    response = api_for(owner).post(URL, {"url": url, "events": ["instance.started"]}, format="json")
    assert response.status_code == 400
    detail = response.json()["error"]["details"][0]
    assert detail["field"] == "url" and "private address: refused" in detail["message"]


@pytest.mark.parametrize("body, field", [
    ({"events": ["instance.exploded"]}, "events"),
    ({"events": []}, "events"),
    ({"events": "instance.started"}, "events"),
    ({"events": [{"type": "instance.started"}]}, "events"),
    ({"events": ["instance.started"], "definition_key": "no spaces"}, "definition_key"),
    ({"events": ["instance.started"], "url": 42}, "url"),
])
def test_bad_input_is_a_400_naming_the_field(api_for, owner, receiver, body, field):
    response = api_for(owner).post(URL, {"url": receiver, **body}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["details"][0]["field"].startswith(field)


def test_owners_see_their_own_and_administrators_all(
    api_for, owner, other_owner, admin_user, receiver
):
    mine = subscribe(owner, receiver, ["instance.started"])
    theirs = subscribe(other_owner, receiver, ["task.created"])
    assert [s["id"] for s in api_for(owner).get(URL).json()["results"]] == [mine.pk]
    assert api_for(owner).get(f"{URL}{theirs.pk}/").status_code == 404
    assert api_for(owner).delete(f"{URL}{theirs.pk}/").status_code == 404
    assert api_for(owner).post(f"{URL}{theirs.pk}/rotate-secret/").status_code == 404
    everyone = api_for(admin_user).get(URL).json()["results"]
    assert [(s["id"], s["owner"]) for s in everyone] == [(mine.pk, "olivia"), (theirs.pk, "oscar")]


@pytest.mark.parametrize("persona", ["employee", "manager", "outsider"])
def test_only_holders_of_manage_webhooks_may_use_the_api(api_for, persona, request):
    assert api_for(request.getfixturevalue(persona)).get(URL).status_code == 403


def test_an_owner_changes_events_but_not_the_secret_or_state(api_for, owner, receiver):
    subscription = subscribe(owner, receiver, ["instance.started"])
    response = api_for(owner).patch(f"{URL}{subscription.pk}/", {
        "events": ["task.completed"], "secret": "mine", "active": False, "owner": "ada",
    }, format="json")
    assert response.status_code == 200
    changed = Subscription.objects.get()
    assert changed.events == ["task.completed"]
    assert (changed.secret, changed.active, changed.owner) == (subscription.secret, True, owner)


def test_pause_and_resume(api_for, owner, receiver):
    subscription = subscribe(owner, receiver, ["instance.started"])
    paused = api_for(owner).post(f"{URL}{subscription.pk}/pause/").json()
    assert paused["active"] is False and paused["paused_reason"] == "Paused by olivia."
    resumed = api_for(owner).post(f"{URL}{subscription.pk}/resume/").json()
    assert resumed["active"] is True and resumed["paused_reason"] == ""


def test_ping_delivers_a_test_event_shown_in_the_log(api_for, owner, receiver):
    subscription = subscribe(owner, receiver, ["instance.started"])
    response = api_for(owner).post(f"{URL}{subscription.pk}/ping/")
    assert response.status_code == 202 and response.json()["state"] == "pending"
    assert run_jobs() == ["done"]

    request = Receiver.received[0]
    assert request.type == "ping" and request.headers["X-Baton-Event"] == "ping"
    assert request.json["data"]["subscription_id"] == subscription.pk
    assert verify(subscription.secret, request.headers, request.body)
    log = api_for(owner).get(f"{URL}{subscription.pk}/deliveries/").json()
    assert log["count"] == 1
    (delivery,) = log["results"]
    assert delivery["event"] == "ping" and delivery["state"] == "delivered"
    assert [(a["number"], a["status_code"]) for a in delivery["attempts"]] == [(1, 200)]


def test_a_failed_ping_is_not_retried_nor_counted(api_for, owner, receiver):
    Receiver.status = 500
    subscription = subscribe(owner, receiver, ["instance.started"])
    api_for(owner).post(f"{URL}{subscription.pk}/ping/")
    run_jobs()
    assert Delivery.objects.get().state == "failed"
    subscription.refresh_from_db()
    assert subscription.failures == 0 and subscription.active


def test_rotating_the_secret_changes_the_signature(api_for, owner, receiver):
    subscription = subscribe(owner, receiver, ["instance.started"])
    old = subscription.secret
    new = api_for(owner).post(f"{URL}{subscription.pk}/rotate-secret/").json()["secret"]
    assert new != old and len(bytes.fromhex(new)) == 32
    api_for(owner).post(f"{URL}{subscription.pk}/ping/")
    run_jobs()
    request = Receiver.received[0]
    assert verify(new, request.headers, request.body)
    assert not verify(old, request.headers, request.body)


def test_deleting_a_subscription_drops_its_log_and_pending_deliveries(api_for, owner, receiver):
    subscription = subscribe(owner, receiver, ["instance.started"])
    api_for(owner).post(f"{URL}{subscription.pk}/ping/")
    assert api_for(owner).delete(f"{URL}{subscription.pk}/").status_code == 204
    assert run_jobs() == ["done"], "its job finds nothing to send"
    assert Receiver.received == [] and not Delivery.objects.exists()


def test_the_schema_describes_every_webhook_operation(api_for, admin_user):
    schema = api_for(admin_user).get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    for path in ("/api/v1/webhooks/", "/api/v1/webhooks/{id}/",
                 "/api/v1/webhooks/{id}/deliveries/", "/api/v1/webhooks/{id}/ping/",
                 "/api/v1/webhooks/{id}/resume/", "/api/v1/webhooks/{id}/rotate-secret/"):
        assert path in paths, path
    deliveries = paths["/api/v1/webhooks/{id}/deliveries/"]["get"]["responses"]["200"]
    assert "PaginatedDeliveryList" in str(deliveries)
    assert "Attempt" in schema["components"]["schemas"]
