"""The /webhooks/ pages, role by role, and what an owner does there."""

import pytest
from django.urls import reverse

from tests.webhooks.conftest import Receiver, run_jobs, subscribe
from webhooks.models import Delivery, Subscription


def nav_labels(response):
    return [entry.label for entry in response.context["nav_entries"]]


@pytest.mark.parametrize("persona", ["employee", "manager", "outsider"])
def test_those_without_manage_webhooks_are_refused(client_for, persona, request, owner, receiver):
    subscription = subscribe(owner, receiver, ["instance.started"])
    client = client_for(request.getfixturevalue(persona))
    assert "Webhooks" not in nav_labels(client.get(reverse("home")))
    assert client.get(reverse("webhook-list")).status_code == 403
    assert client.get(reverse("webhook-detail", args=[subscription.pk])).status_code == 403
    assert client.post(reverse("webhook-ping", args=[subscription.pk])).status_code == 403


def test_an_owner_sees_only_their_own(client_for, owner, other_owner, receiver):
    subscribe(owner, receiver + "/mine", ["instance.started"])
    theirs = subscribe(other_owner, receiver + "/theirs", ["task.created"])
    client = client_for(owner)
    assert "Webhooks" in nav_labels(client.get(reverse("home")))
    page = client.get(reverse("webhook-list")).content.decode()
    assert "/hooks/mine" in page and "/hooks/theirs" not in page
    assert client.get(reverse("webhook-detail", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("webhook-delete", args=[theirs.pk])).status_code == 404
    assert Subscription.objects.filter(pk=theirs.pk).exists()


def test_an_administrator_sees_every_subscription_and_its_owner(
    client_for, admin_user, owner, other_owner, receiver
):
    subscribe(owner, receiver + "/mine", ["instance.started"])
    theirs = subscribe(other_owner, receiver + "/theirs", ["task.created"])
    client = client_for(admin_user)
    page = client.get(reverse("webhook-list")).content.decode()
    assert "/hooks/mine" in page and "/hooks/theirs" in page and "oscar" in page
    assert client.get(reverse("webhook-detail", args=[theirs.pk])).status_code == 200


def test_an_owner_subscribes_and_lands_on_the_page_with_the_secret(client_for, owner, receiver):
    response = client_for(owner).post(reverse("webhook-new"), {
        "url": receiver, "events": ["instance.started", "task.completed"],
        "definition_key": "invoice",
    }, follow=True)
    subscription = Subscription.objects.get()
    assert response.redirect_chain[-1][0] == reverse("webhook-detail", args=[subscription.pk])
    assert subscription.owner == owner
    assert subscription.events == ["instance.started", "task.completed"]
    page = response.content.decode()
    assert subscription.secret in page and "Nothing was sent yet" in page


def test_a_refused_url_is_shown_next_to_the_field(client_for, owner, settings):
    settings.BATON_HTTP_ALLOW_PRIVATE = False
    response = client_for(owner).post(reverse("webhook-new"), {
        "url": "http://127.0.0.1/hook", "events": ["instance.started"],
    })
    assert response.status_code == 400
    assert "private address: refused" in response.content.decode()
    assert not Subscription.objects.exists()


def test_an_owner_edits_the_events(client_for, owner, receiver):
    subscription = subscribe(owner, receiver, ["instance.started"])
    client_for(owner).post(reverse("webhook-edit", args=[subscription.pk]), {
        "url": receiver, "events": ["incident.opened"], "definition_key": "",
    })
    subscription.refresh_from_db()
    assert subscription.events == ["incident.opened"]


def test_a_test_event_from_the_page_shows_in_its_log(client_for, owner, receiver):
    subscription = subscribe(owner, receiver, ["instance.started"])
    client = client_for(owner)
    client.post(reverse("webhook-ping", args=[subscription.pk]))
    run_jobs()
    assert [r.type for r in Receiver.received] == ["ping"]
    page = client.get(reverse("webhook-detail", args=[subscription.pk])).content.decode()
    assert "delivered" in page and "HTTP 200" in page


def test_pause_resume_rotate_and_delete_from_the_page(client_for, owner, receiver):
    subscription = subscribe(owner, receiver, ["instance.started"])
    client = client_for(owner)
    client.post(reverse("webhook-pause", args=[subscription.pk]))
    subscription.refresh_from_db()
    assert not subscription.active and subscription.paused_reason == "Paused by olivia."
    client.post(reverse("webhook-resume", args=[subscription.pk]))
    old = subscription.secret
    client.post(reverse("webhook-rotate-secret", args=[subscription.pk]))
    subscription.refresh_from_db()
    assert subscription.active and subscription.secret != old
    assert client.get(reverse("webhook-pause", args=[subscription.pk])).status_code == 405
    client.post(reverse("webhook-delete", args=[subscription.pk]))
    assert not Subscription.objects.exists() and not Delivery.objects.exists()
