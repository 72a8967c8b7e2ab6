"""What a receiver gets: signed events after the change commits, retried, then paused."""

from datetime import timedelta

from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse

from processes.deployments import deploy
from processes.instances import start_instance
from processes.models import Task
from tests.samples import simple_process
from tests.webhooks.conftest import Receiver, make_due, run_jobs, subscribe, verify
from webhooks.models import Delivery


def test_a_started_process_is_delivered_signed_after_it_commits(receiver, owner, invoice):
    subscription = subscribe(owner, receiver, ["instance.started", "task.created"])
    instance = start_instance(invoice, business_key="INV-7", user=owner)
    assert Delivery.objects.count() == 2 and Receiver.received == [], "sent by a job, later"

    assert run_jobs() == ["done", "done"]

    started, created = sorted(Receiver.received, key=lambda r: r.type)
    assert started.type == "instance.started" and created.type == "task.created"
    assert started.json["data"] == {
        "instance_id": instance.pk, "definition_key": "invoice", "definition_version": 1,
        "business_key": "INV-7", "started_at": DjangoJSONEncoder().default(instance.started_at),
        "started_by": "olivia",
    }
    task = Task.objects.get(instance=instance)
    assert created.json["data"] == {
        "instance_id": instance.pk, "definition_key": "invoice", "definition_version": 1,
        "business_key": "INV-7", "task_id": task.pk, "element_id": "task",
        "name": "Approve invoice", "assignee": None, "priority": 50, "due_at": None,
        "candidate_users": [], "candidate_groups": ["Managers"],
    }
    for request in (started, created):
        assert verify(subscription.secret, request.headers, request.body)
        assert request.headers["X-Baton-Event"] == request.type
        delivery = Delivery.objects.get(pk=request.headers["X-Baton-Delivery"])
        assert str(delivery.event_id) == request.json["id"] and delivery.state == "delivered"
        assert request.json["created_at"]


def test_a_forged_or_replayed_body_does_not_verify(receiver, owner, invoice):
    subscription = subscribe(owner, receiver, ["instance.started"])
    start_instance(invoice)
    run_jobs()
    request = Receiver.received[0]
    forged = request.body.replace(b"invoice", b"payroll")
    assert not verify(subscription.secret, request.headers, forged)
    assert not verify("another secret", request.headers, request.body)
    ten_minutes_ago = str(int(request.headers["X-Baton-Timestamp"]) - 600)
    stale = {**request.headers, "X-Baton-Timestamp": ten_minutes_ago}
    assert not verify(subscription.secret, stale, request.body)


def test_a_process_key_filter_limits_the_deliveries(receiver, owner, invoice):
    order = deploy(simple_process(key="order", name="Order"), name="order.bpmn").definitions[0]
    subscribe(owner, receiver, ["instance.started"], definition_key="order")
    start_instance(invoice)
    start_instance(order)
    run_jobs()
    assert [r.json["data"]["definition_key"] for r in Receiver.received] == ["order"]


def test_a_failing_receiver_is_tried_again_later_each_time_later(
    receiver, owner, invoice, settings
):
    settings.WEBHOOKS_RETRIES = 2
    Receiver.status, Receiver.answer = 500, b"x" * 5000
    subscribe(owner, receiver, ["instance.started"])
    start_instance(invoice)

    assert run_jobs() == ["done"]
    delivery = Delivery.objects.get()
    first = delivery.attempts.get()
    assert (first.number, first.status_code, first.error) == (1, 500, "The receiver answered 500.")
    assert first.response == "x" * 1000, "only the start of the answer is kept"
    assert delivery.state == "pending"
    first_wait = delivery.next_attempt_at - first.started_at
    assert first_wait >= timedelta(seconds=30)
    assert run_jobs() == [], "not before it is due"

    make_due()
    assert run_jobs() == ["done"]
    delivery.refresh_from_db()
    second = delivery.attempts.last()
    assert second.number == 2 and delivery.state == "pending"
    assert delivery.next_attempt_at - second.started_at > first_wait >= timedelta(seconds=30)

    make_due()
    run_jobs()
    delivery.refresh_from_db()
    assert delivery.state == "failed" and delivery.next_attempt_at is None
    assert [a.number for a in delivery.attempts.all()] == [1, 2, 3]
    assert len(Receiver.received) == 3
    assert {r.headers["X-Baton-Delivery"] for r in Receiver.received} == {str(delivery.pk)}
    assert {r.json["id"] for r in Receiver.received} == {str(delivery.event_id)}
    make_due()
    assert run_jobs() == [], "no fourth attempt"


def test_an_unreachable_receiver_is_logged_as_an_error(owner, invoice, settings):
    settings.WEBHOOKS_RETRIES = 0
    subscribe(owner, "http://127.0.0.1:9/nobody-listens", ["instance.started"])
    start_instance(invoice)
    run_jobs()
    attempt = Delivery.objects.get().attempts.get()
    assert attempt.status_code is None and "refused" in attempt.error.lower()


def test_deliveries_failing_in_a_row_pause_the_subscription(
    receiver, client_for, owner, invoice, settings
):
    settings.WEBHOOKS_RETRIES = 0
    settings.WEBHOOKS_PAUSE_AFTER_FAILURES = 2
    Receiver.status = 503
    subscription = subscribe(owner, receiver, ["instance.started"])
    start_instance(invoice)
    start_instance(invoice)
    run_jobs()

    subscription.refresh_from_db()
    assert not subscription.active and subscription.failures == 2
    assert "2 deliveries in a row failed" in subscription.paused_reason
    assert "503" in subscription.paused_reason
    page = client_for(owner).get(reverse("webhook-detail", args=[subscription.pk])).content.decode()
    assert "Paused." in page and "2 deliveries in a row failed" in page

    start_instance(invoice)
    assert Delivery.objects.count() == 2, "a paused subscription records nothing"

    Receiver.status = 200
    client_for(owner).post(reverse("webhook-resume", args=[subscription.pk]))
    subscription.refresh_from_db()
    assert subscription.active and subscription.failures == 0 and not subscription.paused_reason
    start_instance(invoice)
    run_jobs()
    assert Delivery.objects.filter(state="delivered").count() == 1


def test_a_delivery_that_goes_through_starts_the_count_again(receiver, owner, invoice, settings):
    settings.WEBHOOKS_RETRIES = 0
    settings.WEBHOOKS_PAUSE_AFTER_FAILURES = 2
    subscription = subscribe(owner, receiver, ["instance.started"])
    for status in (500, 200, 500):
        Receiver.status = status
        start_instance(invoice)
        run_jobs()
    subscription.refresh_from_db()
    assert subscription.active and subscription.failures == 1


def test_retries_pending_when_a_subscription_pauses_are_not_sent(receiver, owner, invoice):
    Receiver.status = 500
    subscription = subscribe(owner, receiver, ["instance.started"])
    start_instance(invoice)
    run_jobs()
    subscription.pause("Paused by olivia.")
    make_due()
    run_jobs()
    assert len(Receiver.received) == 1
    assert Delivery.objects.get().state == "cancelled"


def test_a_private_address_is_refused_when_sending_too(receiver, owner, invoice, settings):
    subscription = subscribe(owner, receiver, ["instance.started"])
    settings.BATON_HTTP_ALLOW_PRIVATE = False
    settings.WEBHOOKS_RETRIES = 0
    start_instance(invoice)
    run_jobs()
    assert Receiver.received == []
    attempt = subscription.deliveries.get().attempts.get()
    assert "private address: refused" in attempt.error


def test_a_redirect_is_not_followed(receiver, owner, invoice, settings):
    settings.WEBHOOKS_RETRIES = 0
    Receiver.status = 302
    subscribe(owner, receiver, ["instance.started"])
    start_instance(invoice)
    run_jobs()
    attempt = Delivery.objects.get().attempts.get()
    assert attempt.status_code == 302 and not attempt.succeeded
    assert len(Receiver.received) == 1
