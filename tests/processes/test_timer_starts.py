"""Timer start events: deployed processes start themselves, cycles repeat, new versions replace."""

from datetime import timedelta

import pytest
from django.utils import timezone

from processes.deployments import deploy
from processes.jobs import dispatcher, executor
from processes.models import Job, ProcessInstance
from tests.samples import HEADER

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_broker(settings):
    settings.CELERY_BROKER_URL = ""


def nightly(timer: str, name="nightly.bpmn"):
    xml = (
        HEADER + '<process id="nightly" isExecutable="true"><startEvent id="tick">'
        f"<timerEventDefinition>{timer}</timerEventDefinition></startEvent>"
        '<sequenceFlow id="f1" sourceRef="tick" targetRef="e"/><endEvent id="e"/></process></definitions>'
    )
    return deploy(xml.encode(), name=name).definitions[0]


def fire_due(**where):
    Job.objects.filter(kind="engine.start_timer", **where).update(due_at=timezone.now())
    dispatcher.dispatch("tests", "embedded", 100)
    for job in Job.objects.exclude(lock_token="").order_by("pk"):
        executor.run_job(job.pk, job.lock_token, "tests")


def test_a_timer_start_event_starts_an_instance_when_due():
    definition = nightly("<timeDuration>PT1H</timeDuration>")
    job = Job.objects.get(kind="engine.start_timer")
    assert job.element_id == "tick"
    assert timezone.now() + timedelta(minutes=59) < job.due_at <= timezone.now() + timedelta(hours=1)
    fire_due()
    instance = ProcessInstance.objects.get(definition=definition)
    assert instance.state == "completed"
    assert not Job.objects.filter(kind="engine.start_timer").exists(), "a duration fires once"


def test_a_cycle_starts_an_instance_each_time_as_often_as_it_says():
    definition = nightly("<timeCycle>R2/PT10M</timeCycle>")
    first_due = Job.objects.get().due_at
    fire_due()
    following = Job.objects.get()
    assert following.due_at == first_due + timedelta(minutes=10)
    fire_due()
    assert ProcessInstance.objects.filter(definition=definition).count() == 2
    assert not Job.objects.exists(), "R2: two firings"


def test_a_new_version_replaces_the_timers_of_the_old_one():
    nightly("<timeCycle>R/PT10M</timeCycle>")
    newer = nightly("<timeCycle>R/PT20M</timeCycle>", name="nightly-v2.bpmn")
    job = Job.objects.get(kind="engine.start_timer")
    assert job.payload["definition"] == newer.pk



def test_a_suspended_process_skips_an_occurrence_and_keeps_its_cycle():
    definition = nightly("<timeCycle>R/PT10M</timeCycle>")
    definition.suspended = True
    definition.save()
    fire_due()
    assert not ProcessInstance.objects.exists()
    assert Job.objects.filter(kind="engine.start_timer").count() == 1, "the next occurrence waits"
