"""Alerts: one e-mail and one event when an episode starts, one event when it ends.

Checks run through the job queue as a worker runs them; e-mails land in Django's outbox,
webhook deliveries on a real HTTP server on this machine.
"""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from accounts.roles import PROCESS_OWNERS
from metrics import jobs
from metrics.alerts import evaluate, process_alerts, process_owners
from metrics.models import Alert
from processes.deployments import deploy
from processes.jobs import dispatcher, executor
from processes.jobs.queue import schedule
from processes.models import Incident, Job, ProcessInstance
from tests.conftest import make_user
from tests.samples import HEADER, simple_process
from tests.webhooks import conftest as webhooks_conftest
from tests.webhooks.conftest import Receiver, subscribe
from webhooks import listeners

# The webhooks tests' HTTP server on this machine, a fixture.
receiver = webhooks_conftest.receiver

QUOTE = (
    HEADER + '<process id="quote" name="Quote" isExecutable="true" baton:sla="PT1H">'
    '<startEvent id="s"/><sequenceFlow id="f" sourceRef="s" targetRef="e"/><endEvent id="e"/>'
    "</process></definitions>"
).encode()


@pytest.fixture(autouse=True)
def alert_settings(settings, db):
    """Checks every 15 minutes; jobs wait for ``run_due``; webhooks may reach this machine."""
    settings.ALERT_CHECK_MINUTES = 15
    settings.CELERY_BROKER_URL = ""
    settings.BATON_HTTP_ALLOW_PRIVATE = True
    yield
    listeners.forget()


@pytest.fixture
def invoice(owner):
    return deploy(simple_process(), name="invoice.bpmn", user=owner).definitions[0]


def run_due() -> list[str]:
    """Run the due jobs and those they schedule, as the dispatcher and a worker would."""
    outcomes = []
    while True:
        dispatcher.dispatch("tests", "embedded", 100)
        leased = list(Job.objects.exclude(lock_token="").order_by("pk"))
        if not leased:
            return outcomes
        outcomes += [executor.run_job(job.pk, job.lock_token, "tests") for job in leased]


def check() -> None:
    """Let the waiting check fall due now, and run it with the mails and deliveries it makes."""
    jobs.ensure_scheduled()
    Job.objects.filter(kind=jobs.KIND).update(due_at=timezone.now() - timedelta(seconds=1))
    run_due()


def incident(instance) -> Incident:
    return Incident.objects.create(instance=instance, token_id=1, element_id="task",
                                   message="The service is down.", created_at=timezone.now())


def sent() -> list[tuple[str, int]]:
    return [(r.type, r.json["data"]["alert_id"]) for r in Receiver.received]


def test_an_episode_is_told_once_while_it_lasts_and_its_end_once(
    settings, invoice, owner, receiver
):
    settings.ALERT_OPEN_INCIDENTS = 2
    subscribe(owner, receiver, ["alert.raised", "alert.resolved"])
    subscribe(owner, receiver, ["alert.raised"], definition_key="another")
    instance = ProcessInstance.objects.create(definition=invoice, started_at=timezone.now())
    first, second = incident(instance), incident(instance)

    check()
    [alert] = Alert.objects.all()
    assert (alert.kind, alert.is_open, alert.details["open_incidents"]) == ("incidents", True, 2)
    [email] = mail.outbox
    assert email.to == ["olivia@example.com"]
    assert email.subject == "Alert on Invoice approval: 2 open incidents (the threshold is 2)"
    assert "Open it: http://127.0.0.1:8000/processes/invoice/" in email.body
    assert sent() == [("alert.raised", alert.pk)]
    data = Receiver.received[0].json["data"]
    assert (data["definition_key"], data["kind"], data["closed_at"]) == ("invoice", "incidents", None)

    incident(instance)  # three now: the same episode
    check()
    alert.refresh_from_db()
    assert (alert.details["open_incidents"], alert.is_open) == (3, True)
    assert alert.last_seen_at > alert.opened_at
    assert (len(mail.outbox), len(Receiver.received)) == (1, 1), "nothing more while it lasts"

    Incident.objects.filter(pk__in=[first.pk, second.pk]).update(resolved_at=timezone.now())
    check()
    alert.refresh_from_db()
    assert alert.closed_at is not None
    assert sent() == [("alert.raised", alert.pk), ("alert.resolved", alert.pk)]
    assert len(mail.outbox) == 1, "the end goes to subscribers, not by e-mail"

    incident(instance)  # two open again: a new episode
    check()
    latest = Alert.objects.get(closed_at__isnull=True)
    assert latest.pk != alert.pk
    assert len(mail.outbox) == 2
    assert sent()[-1] == ("alert.raised", latest.pk)


def test_the_owners_are_those_who_deployed_the_process_and_may_still_deploy(
    invoice, owner, manager, admin_user
):
    oscar = make_user("oscar", PROCESS_OWNERS)
    deploy(simple_process(key="other"), name="other.bpmn", user=oscar)
    assert list(process_owners("invoice")) == [owner]

    owner.groups.clear()  # Olivia moved on: everyone who may deploy hears of it
    assert sorted(user.username for user in process_owners("invoice")) == ["ada", "oscar"]


def test_sla_compliance_judges_each_instance_at_its_deadline(settings):
    quote = deploy(QUOTE, name="quote.bpmn").definitions[0]
    now = timezone.now()

    def instance(started_hours_ago, took_hours=None, state="completed"):
        started = now - timedelta(hours=started_hours_ago)
        ended = None if took_hours is None else started + timedelta(hours=took_hours)
        ProcessInstance.objects.create(definition=quote, started_at=started, ended_at=ended,
                                       state=state if ended else "active")

    for _ in range(3):
        instance(5, 0.5)  # met
    instance(5, 2)  # completed late
    instance(5)  # still running past its deadline: late
    instance(5, 2, state="cancelled")  # cancelled after its deadline: late
    instance(5, 0.1, state="cancelled")  # cancelled before its deadline: not judged
    instance(0.5)  # deadline still to come: not judged
    instance(24 * 9, 0.5)  # deadline more than 7 days ago: not judged

    found = evaluate("quote", now)

    assert found[("sla", "")] == {
        "description": "50% of instances met their SLA (3 of 6 in 7 days), below the 95% target",
        "compliance": 50.0, "target": 95, "met": 3, "judged": 6, "slas": ["PT1H"],
    }
    settings.ALERT_SLA_TARGET_PERCENT = 50
    assert ("sla", "") not in evaluate("quote", now)


def test_recent_signals_open_alerts_and_old_ones_do_not(settings, invoice):
    settings.CONTROL_CHART_MIN_POINTS = 5
    now = timezone.now()
    # As in test_control: ten alternating 100 s and 110 s, then 1000 s (rules 2 and 1).
    for days_ago in range(11, 1, -1):
        ended_at = now - timedelta(days=days_ago)
        ProcessInstance.objects.create(
            definition=invoice, state="completed", ended_at=ended_at,
            started_at=ended_at - timedelta(seconds=100 + 10 * (days_ago % 2)),
        )
    ProcessInstance.objects.create(definition=invoice, state="completed", ended_at=now,
                                   started_at=now - timedelta(seconds=1000))

    found = evaluate("invoice", now)

    assert sorted(found) == [("signal", "cycle_time:1"), ("signal", "cycle_time:2")]
    assert found[("signal", "cycle_time:1")]["description"].startswith(
        "1 instance more than 3σ slower than the mean, on "
    )
    assert found[("signal", "cycle_time:2")]["description"].startswith(
        "10 instances in a row faster than the mean since "
    )
    assert evaluate("invoice", now + timedelta(days=8)) == {}, "a week later, nothing recent"


def test_the_dashboard_lists_open_alerts_recently_closed_ones_and_recent_signals(
    settings, invoice
):
    settings.CONTROL_CHART_MIN_POINTS = 5
    now = timezone.now()
    for seconds, days_ago in [(100, 6), (110, 5), (100, 4), (110, 3), (100, 2), (5000, 0)]:
        ended_at = now - timedelta(days=days_ago)
        ProcessInstance.objects.create(definition=invoice, state="completed", ended_at=ended_at,
                                       started_at=ended_at - timedelta(seconds=seconds))
    opened = Alert.objects.create(definition_key="invoice", kind="incidents", opened_at=now,
                                  last_seen_at=now)
    closed = Alert.objects.create(definition_key="invoice", kind="sla", opened_at=now,
                                  last_seen_at=now, closed_at=now - timedelta(days=1))
    Alert.objects.create(definition_key="invoice", kind="sla", opened_at=now, last_seen_at=now,
                         closed_at=now - timedelta(days=30))

    shown = process_alerts("invoice", now=now)

    assert (shown.open, shown.closed) == ([opened], [closed])
    assert [(s.chart, s.rule) for s in shown.signals] == [("cycle_time", 1)]


def test_the_check_schedules_exactly_one_next_check():
    first = jobs.ensure_scheduled()
    assert timedelta(minutes=14) < first.due_at - timezone.now() <= timedelta(minutes=15)
    assert jobs.ensure_scheduled() is None, "one is waiting already"

    Job.objects.filter(pk=first.pk).update(due_at=timezone.now())
    assert run_due() == ["done"]

    [following] = Job.objects.filter(kind=jobs.KIND)
    assert following.pk != first.pk
    assert following.due_at - timezone.now() > timedelta(minutes=14)


def test_a_check_out_of_retries_stays_failed_and_the_next_one_comes(settings, invoice):
    settings.CONTROL_CHART_MIN_POINTS = 2
    settings.NELSON_RULES = {"9": {}}  # a mistake in the settings: every check fails
    now = timezone.now()
    for seconds in (100, 200):
        ProcessInstance.objects.create(definition=invoice, state="completed", ended_at=now,
                                       started_at=now - timedelta(seconds=seconds))
    failing = schedule(jobs.KIND, retries=1)

    assert run_due() == ["failed"]

    failing.refresh_from_db()
    assert failing.retries_left == 0 and "no rule 9" in failing.last_error
    [following] = Job.objects.filter(kind=jobs.KIND, retries_left__gt=0)
    assert following.due_at > now


def test_migrate_starts_the_checks_unless_they_are_switched_off(settings):
    settings.ALERT_CHECK_MINUTES = 0
    call_command("migrate", verbosity=0)
    assert not Job.objects.filter(kind=jobs.KIND).exists()

    settings.ALERT_CHECK_MINUTES = 15
    call_command("migrate", verbosity=0)
    call_command("migrate", verbosity=0)
    assert Job.objects.filter(kind=jobs.KIND).count() == 1
