"""The demo processes run end to end as in `make run`: SQLite, no broker, the embedded worker.

People's steps are completed as the inbox would; service tasks and timers are left to the
embedded worker thread. The follow-up timer is made due rather than waited for.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from processes.demo import deploy_demo_processes
from processes.instances import complete_task, start_instance
from processes.jobs.embedded import EmbeddedWorker
from processes.models import Job, ProcessDefinition, ProcessInstance, Task
from tests.polling import wait_until


@pytest.fixture
def worker(transactional_db, settings):
    settings.CELERY_BROKER_URL = ""
    deploy_demo_processes()
    embedded = EmbeddedWorker()
    embedded.start()
    yield embedded
    embedded.stop()
    embedded.join(timeout=10)


def start(key, **variables):
    return start_instance(ProcessDefinition.objects.get(key=key), variables=variables)


def open_task(instance, element_id):
    assert wait_until(lambda: Task.objects.filter(instance=instance, element_id=element_id, state="open").exists())
    return Task.objects.get(instance=instance, element_id=element_id, state="open")


def state_of(instance):
    return ProcessInstance.objects.get(pk=instance.pk).state


def test_a_small_invoice_is_paid_by_the_worker(worker):
    instance = start("accounts_payable", vendor="ACME", invoice_number="INV-1", po_number="PO-1", amount=120)
    assert wait_until(lambda: state_of(instance) == "completed")
    instance.refresh_from_db()
    assert instance.variables["payment_reference"] == "PAY-INV-1"
    assert instance.activities.filter(element_id="invoice_paid").exists()


def test_an_inquiry_is_resolved_then_followed_up_by_timer_and_service(worker):
    instance = start(
        "customer_service", customer="Ada", channel="email", category="technical",
        description="The printer is on fire",
    )
    task = open_task(instance, "resolve_issue")
    complete_task(task.pk, variables={"resolution": "Put it out", "resolved_first_time": True})
    timer = Job.objects.get(instance=instance, element_id="wait_follow_up")
    assert timer.due_at > timezone.now() + timedelta(minutes=1), "PT2M after the resolution"
    assert state_of(instance) == "active"
    Job.objects.filter(pk=timer.pk).update(due_at=timezone.now())
    assert wait_until(lambda: state_of(instance) == "completed")
    instance.refresh_from_db()
    assert "follow_up_sent_at" in instance.variables
    assert not Job.objects.filter(instance=instance).exists()
