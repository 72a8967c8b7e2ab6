"""Who listens is remembered per process: engine commands nobody listens to pay nothing."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from processes.instances import claim_task, complete_task, start_instance
from processes.models import Job, Task
from tests.webhooks.conftest import Receiver, run_jobs, subscribe
from webhooks.listeners import listening
from webhooks.models import Delivery, Subscription


def webhook_queries(queries) -> list[str]:
    return [query["sql"] for query in queries if "webhooks_" in query["sql"]]


def test_without_subscriptions_the_engine_makes_no_webhook_query(invoice, manager, settings):
    settings.WEBHOOKS_CACHE_SECONDS = 3600
    start_instance(invoice)  # the process's first command reads who listens, once
    with CaptureQueriesContext(connection) as queries:
        instance = start_instance(invoice)
        task = Task.objects.get(instance=instance)
        claim_task(task.pk, manager)
        complete_task(task.pk, user=manager)
    assert webhook_queries(queries) == []
    assert not Job.objects.filter(kind="webhook.deliver").exists()


def test_a_subscription_saved_here_is_heard_at_once(invoice, owner, receiver, settings):
    settings.WEBHOOKS_CACHE_SECONDS = 3600
    start_instance(invoice)
    subscribe(owner, receiver, ["instance.started"])
    start_instance(invoice)
    assert Delivery.objects.count() == 1


def test_a_pause_made_by_another_process_stops_the_sending(invoice, owner, receiver, settings):
    settings.WEBHOOKS_CACHE_SECONDS = 3600
    subscription = subscribe(owner, receiver, ["instance.started"])
    start_instance(invoice)
    run_jobs()
    # Another process pauses it: no signal reaches this one, which still records for a while.
    Subscription.objects.filter(pk=subscription.pk).update(active=False)
    start_instance(invoice)
    run_jobs()
    assert len(Receiver.received) == 1
    assert list(Delivery.objects.values_list("state", flat=True)) == ["cancelled", "delivered"]


def test_a_delivery_for_a_subscription_deleted_by_another_process_is_dropped(
    invoice, owner, receiver, settings
):
    settings.WEBHOOKS_CACHE_SECONDS = 3600
    subscription = subscribe(owner, receiver, ["instance.started"])
    assert listening("instance.started"), "this process now remembers it"
    with connection.cursor() as cursor:  # as another process would: no signal reaches this one
        cursor.execute("DELETE FROM webhooks_subscription WHERE id = %s", [subscription.pk])
    start_instance(invoice)
    assert Delivery.objects.count() == 1, "recorded from what this process remembers"
    assert run_jobs() == ["done"]
    assert Receiver.received == [] and not Delivery.objects.exists()
