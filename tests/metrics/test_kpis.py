"""KPIs of one process over a window, on a small history whose every figure is worked out
here by hand.

The history is written as the engine writes it (instance rows, one activity row per run of
an element, task and incident rows), for a claims process: check the claim (a user task
with a quality gate and a reminder every four hours), pay it, or send it back for rework;
a fraud ends with an error end event. Its SLA is two days; the customer's request date is
the start variable ``received_at``.
"""

from datetime import UTC, datetime, timedelta

import pytest

from metrics.history import facts_for
from metrics.kpis import NoSuchActivity, NoSuchProcess, NoSuchVersion, kpi_overview, process_kpis
from processes.deployments import deploy
from processes.models import ActivityInstance, Incident, ProcessInstance, Task
from tests.samples import HEADER

pytestmark = pytest.mark.django_db

CLAIMS = (
    HEADER + '<error id="fraud_error" errorCode="FRAUD"/>'
    '<process id="claims" name="Claims" isExecutable="true" baton:sla="P2D"'
    ' baton:requestedAtVariable="received_at">'
    '<startEvent id="start"/><sequenceFlow id="f1" sourceRef="start" targetRef="check"/>'
    '<userTask id="check" name="Check claim" baton:candidateGroups="Employees"'
    ' baton:qualityGate="${complete}"/>'
    '<boundaryEvent id="reminder" attachedToRef="check" cancelActivity="false">'
    "<timerEventDefinition><timeCycle>R/PT4H</timeCycle></timerEventDefinition></boundaryEvent>"
    '<sequenceFlow id="f_r" sourceRef="reminder" targetRef="send_reminder"/>'
    '<scriptTask id="send_reminder" name="Send reminder"><script>reminded = True</script></scriptTask>'
    '<sequenceFlow id="f_r2" sourceRef="send_reminder" targetRef="reminded"/><endEvent id="reminded"/>'
    '<sequenceFlow id="f2" sourceRef="check" targetRef="ok"/>'
    '<exclusiveGateway id="ok" default="redo"/>'
    '<sequenceFlow id="to_pay" sourceRef="ok" targetRef="pay">'
    "<conditionExpression>${complete}</conditionExpression></sequenceFlow>"
    '<sequenceFlow id="to_fraud" sourceRef="ok" targetRef="fraud">'
    "<conditionExpression>${fraud}</conditionExpression></sequenceFlow>"
    '<sequenceFlow id="redo" sourceRef="ok" targetRef="check"/>'
    '<serviceTask id="pay" name="Pay claim" baton:type="external" baton:topic="payments"/>'
    '<sequenceFlow id="f3" sourceRef="pay" targetRef="paid"/><endEvent id="paid" name="Paid"/>'
    '<endEvent id="fraud" name="Fraud"><errorEventDefinition errorRef="fraud_error"/></endEvent>'
    "</process></definitions>"
).encode()

# Two weeks, Monday 2 March 2026 to Monday 16 March; "now" is the end of the window.
START, END = datetime(2026, 3, 2, tzinfo=UTC), datetime(2026, 3, 16, tzinfo=UTC)
WEEK_2 = datetime(2026, 3, 9, tzinfo=UTC)
HOUR, DAY = 3600, 86400


def at(text: str) -> datetime:
    """A moment of 2026 in UTC: at("03-02 09:00")."""
    return datetime.strptime(f"2026-{text}", "%Y-%m-%d %H:%M").replace(tzinfo=UTC)


class History:
    """Write the rows the engine writes for one definition, instance by instance."""

    def __init__(self, definition):
        self.definition = definition
        self.kinds = facts_for(definition).kinds

    def instance(self, started, ended=None, state="completed", **variables):
        instance = ProcessInstance.objects.create(
            definition=self.definition, state=state, started_at=at(started),
            ended_at=at(ended) if ended else None, variables=variables,
        )
        instance.seq = 1
        self.ran(instance, "start", started, started)
        return instance

    def ran(self, instance, element_id, started, ended=None, *, quality=None, outcome="completed"):
        instance.seq += 1
        ActivityInstance.objects.create(
            instance=instance, definition=self.definition, seq=instance.seq,
            element_id=element_id, element_type=self.kinds[element_id],
            started_at=at(started), ended_at=at(ended) if ended else None,
            outcome=outcome if ended else "", quality=quality,
        )
        return instance.seq

    def task(self, instance, created, completed=None, *, claimed=None, quality=None,
             state="completed"):
        """Check the claim: the activity row and its task, created → claimed → completed."""
        seq = self.ran(instance, "check", created, completed, quality=quality,
                       outcome="completed" if state == "completed" else "cancelled")
        Task.objects.create(
            instance=instance, definition=self.definition, token_id=1, activity_seq=seq,
            element_id="check", name="Check claim", state=state if completed else "open",
            created_at=at(created), claimed_at=at(claimed) if claimed else None,
            completed_at=at(completed) if completed else None,
        )

    def paid(self, instance, started, ended):
        self.ran(instance, "ok", started, started)
        self.ran(instance, "pay", started, ended)
        self.ran(instance, "paid", ended, ended)


@pytest.fixture
def claims():
    return claims_history()


def claims_history() -> dict:
    """Deploy the claims process and write its history; return the instances A to I."""
    definition = deploy(CLAIMS, name="claims.bpmn").definitions[0]
    history = History(definition)
    made = {}
    # A: 1 day. Received the day before it started: lead time 2 days. Reminded twice
    # while waiting (a non-interrupting boundary timer: repeats by design, not rework).
    a = made["A"] = history.instance("03-02 09:00", "03-03 09:00", received_at="2026-03-01T09:00:00+00:00")
    history.task(a, "03-02 09:00", "03-03 08:00", claimed="03-02 11:00", quality=True)
    for moment in ("03-02 13:00", "03-02 17:00"):
        history.ran(a, "reminder", moment, moment)
        history.ran(a, "send_reminder", moment, moment)
    history.paid(a, "03-03 08:00", "03-03 09:00")
    # B: 2 days; checked twice (rework), the first check failing its gate. No request date.
    b = made["B"] = history.instance("03-03 10:00", "03-05 10:00")
    history.task(b, "03-03 10:00", "03-03 16:00", quality=False)  # never claimed
    history.ran(b, "ok", "03-03 16:00", "03-03 16:00")
    history.task(b, "03-03 16:00", "03-05 09:00", claimed="03-04 16:00", quality=True)
    history.paid(b, "03-05 09:00", "03-05 10:00")
    # C: 12 hours; the payment had an incident, retried. Its request date is unreadable.
    c = made["C"] = history.instance("03-09 08:00", "03-09 20:00", received_at="last Tuesday")
    history.task(c, "03-09 08:00", "03-09 10:00", claimed="03-09 09:00", quality=True)
    history.paid(c, "03-09 10:00", "03-09 20:00")
    Incident.objects.create(instance=c, token_id=1, element_id="pay", message="Bank down",
                            created_at=at("03-09 11:00"), resolved_at=at("03-09 19:00"))
    # D: cancelled while its check waited.
    d = made["D"] = history.instance("03-10 08:00", "03-11 08:00", state="cancelled")
    history.task(d, "03-10 08:00", "03-11 08:00", state="cancelled")
    # E: fraud: the uncaught error end event opened an incident; an operator cancelled it.
    e = made["E"] = history.instance("03-10 12:00", "03-12 12:00", state="cancelled")
    history.task(e, "03-10 12:00", "03-10 14:00", claimed="03-10 13:00", quality=True)
    history.ran(e, "ok", "03-10 14:00", "03-10 14:00")
    history.ran(e, "fraud", "03-10 14:00", "03-10 14:00")
    Incident.objects.create(instance=e, token_id=1, element_id="fraud", message="Uncaught FRAUD",
                            created_at=at("03-10 14:00"))
    # F: running for 4 days at the end of the window: past its 2-day SLA.
    f = made["F"] = history.instance("03-12 00:00", state="active")
    history.task(f, "03-12 00:00")
    # G: suspended after 40 hours: 83 % of its SLA, at risk.
    g = made["G"] = history.instance("03-14 08:00", state="suspended")
    history.task(g, "03-14 08:00")
    # H: started before the window (open at its start), completed in it after 3 days.
    # Its request date has no zone: read as UTC.
    h = made["H"] = history.instance("02-27 12:00", "03-02 12:00", received_at="2026-02-27T00:00:00")
    history.task(h, "02-27 12:00", "03-02 10:00", claimed="03-02 09:00", quality=True)
    history.paid(h, "03-02 10:00", "03-02 12:00")
    # I: over before the window: counts nowhere.
    i = made["I"] = history.instance("02-20 09:00", "02-21 09:00")
    history.task(i, "02-20 09:00", "02-21 08:00", claimed="02-20 10:00", quality=True)
    history.paid(i, "02-21 08:00", "02-21 09:00")
    return made


def kpis(**options):
    return process_kpis("claims", START, END, now=END, **options)


def test_cycle_time_is_measured_on_the_completed_instances_of_the_window(claims):
    cycle = kpis().cycle_time
    # Completed in the window: C 12 h, A 1 day, B 2 days, H 3 days (D, E were cancelled).
    # Mean (43200 + 86400 + 172800 + 259200) / 4 = 140400; median (86400 + 172800) / 2.
    # p90 at rank 0.9 × 3 = 2.7: 172800 + 0.7 × 86400; p95 at 2.85: 172800 + 0.85 × 86400.
    assert (cycle.count, cycle.mean, cycle.median) == (4, 140400, 129600)
    assert cycle.p90 == pytest.approx(233280) and cycle.p95 == pytest.approx(246240)
    assert (cycle.min, cycle.max) == (12 * HOUR, 3 * DAY)
    assert "completed" in cycle.method


def test_lead_time_counts_from_the_request_date_when_there_is_a_readable_one(claims):
    lead = kpis().lead_time
    # A from 1 March 09:00: 2 days; B (none) and C (unreadable) from their start: 2 days
    # and 12 h; H from 27 February 00:00 UTC to 2 March 12:00: 3.5 days.
    # Sorted 43200, 172800, 172800, 302400: median 172800, mean 691200 / 4 = 172800.
    assert (lead.count, lead.median, lead.mean) == (4, 2 * DAY, 2 * DAY)
    assert (lead.min, lead.max) == (12 * HOUR, 3.5 * DAY)
    assert "received_at" in lead.method


def test_without_a_requested_at_variable_lead_time_is_cycle_time(claims):
    plain = CLAIMS.replace(b' baton:requestedAtVariable="received_at"', b"")
    definition = deploy(plain, name="claims.bpmn").definitions[0]
    history = History(definition)
    history.instance("03-02 09:00", "03-03 09:00", received_at="2026-01-01T00:00:00Z")
    measured = kpis(version=definition.version)
    assert measured.lead_time.median == measured.cycle_time.median == DAY
    assert "is the cycle time" in measured.lead_time.method


def test_the_activity_table_puts_the_longest_waits_first(claims):
    table = kpis().activities
    assert [row.element_id for row in table.rows] == ["check", "pay", "send_reminder"]
    check, pay, reminders = table.rows
    # Checks completed in the window (created → claimed, or → completed if never claimed):
    # A 2 h, B 6 h (never claimed) and 24 h, C 1 h, H 69 h (from 27 February); E 1 h.
    # Waiting, sorted: 3600, 3600, 7200, 21600, 86400, 248400: mean 370800 / 6 = 61800,
    # median (7200 + 21600) / 2 = 14400, p90 at rank 4.5: (86400 + 248400) / 2 = 167400.
    assert (check.name, check.kind, check.count) == ("Check claim", "userTask", 6)
    assert (check.waiting.mean, check.waiting.median) == (61800, 14400)
    assert check.waiting.p90 == pytest.approx(167400)
    # Processing (claimed → completed; 0 when never claimed): A 21 h, B 0 and 17 h, C 1 h,
    # H 1 h, E 1 h. Sorted 0, 3600, 3600, 3600, 61200, 75600: mean 147600 / 6 = 24600.
    assert (check.processing.mean, check.processing.median) == (24600, 3600)
    # Payments: A 1 h, B 1 h, C 10 h, H 2 h; no waiting shown for a service task.
    assert pay.waiting is None and pay.count == 4
    assert (pay.processing.mean, pay.processing.median) == (12600, 5400)
    assert (reminders.count, reminders.processing.max) == (2, 0)


def test_throughput_and_arrivals_are_counted_per_week(claims):
    throughput = kpis().throughput
    # Completed: A, B, H in the first week, C in the second. Started: A, B; then C, D, E, F, G.
    assert [(p.start, p.count) for p in throughput.completed] == [(START, 3), (WEEK_2, 1)]
    assert [p.count for p in throughput.started] == [2, 5]
    assert (throughput.completed_total, throughput.started_total) == (4, 7)
    assert throughput.per_week == 2  # 4 completed in 2 weeks


def test_throughput_per_day_lists_every_day_of_the_window(claims):
    days = kpis(period="day").throughput.completed
    assert len(days) == 14 and days[0].start == START
    assert [p.count for p in days[:5]] == [1, 1, 0, 1, 0]  # H on the 2nd, A the 3rd, B the 5th


def test_work_in_progress_now_and_at_the_end_of_each_week(claims):
    wip = kpis().wip
    assert (wip.now, wip.active, wip.suspended) == (2, 1, 1)  # F and G
    # Open at the start: H. Week 1: + A, B started, - A, B, H ended = 0.
    # Week 2: + C, D, E, F, G, - C, D, E = 2.
    assert [p.count for p in wip.series] == [0, 2]


def test_error_rate_counts_each_cause_and_each_instance_once(claims):
    errors = kpis().errors
    # Ended in the window: A, B, C, D, E, H. Failed: C (incident), D (cancelled),
    # E (error end, incident, cancelled): 3 of 6.
    assert (errors.finished, errors.failed, errors.rate) == (6, 3, 0.5)
    assert (errors.error_end, errors.incident, errors.cancelled) == (1, 2, 2)
    assert [(p.finished, p.count, p.rate) for p in errors.series] == [(3, 0, 0.0), (3, 3, 1.0)]


def test_first_pass_yield_leaves_out_rework_failed_gates_and_cancellations(claims):
    quality = kpis().quality
    # First pass: A (its reminders repeat by design), C (an incident is no quality
    # problem), H. Not B (checked twice, first gate failed), not D or E (cancelled).
    assert (quality.finished, quality.first_pass, quality.rate) == (6, 3, 0.5)
    assert (quality.failed_gate, quality.rework, quality.rework_rate) == (1, 1, 1 / 6)
    assert [p.rate for p in quality.series] == [2 / 3, 1 / 3]
    assert [p.count for p in quality.rework_series] == [1, 0]


def test_sla_compliance_and_running_instances_at_risk_or_breached(claims):
    sla = kpis().sla
    # Within 2 days: A (1 day), B (exactly 2 days), C; not H (3 days).
    assert (sla.sla, sla.completed, sla.within, sla.rate) == ("P2D", 4, 3, 0.75)
    assert (sla.breached_count, sla.at_risk_count) == (1, 1)
    breached, at_risk = sla.breached[0], sla.at_risk[0]
    assert (breached.id, breached.elapsed, breached.sla_share) == (claims["F"].pk, 4 * DAY, 2.0)
    assert breached.deadline == at("03-14 00:00")
    assert at_risk.id == claims["G"].pk and at_risk.sla_share == pytest.approx(40 / 48)


def test_an_activity_narrows_every_kpi_to_the_instances_it_ran_in(claims):
    measured = kpis(activity="pay")
    # pay ran in A, B, C, H (and I, before the window).
    assert measured.cycle_time.count == 4 and measured.errors.finished == 4
    assert (measured.errors.failed, measured.quality.first_pass) == (1, 3)  # C's incident; B
    assert [row.element_id for row in measured.activities.rows] == ["pay"]
    assert measured.wip.now == 0 and "'pay'" in measured.errors.method


def test_one_version_or_all(claims):
    second = deploy(CLAIMS.replace(b'name="Claims"', b'name="Claims v2"'), name="c.bpmn")
    History(second.definitions[0]).instance("03-04 09:00", "03-04 10:00")
    assert kpis().versions == [2, 1] and kpis().cycle_time.count == 5
    only_second = kpis(version=2)
    assert (only_second.name, only_second.versions, only_second.cycle_time.count) == ("Claims v2", [2], 1)


def test_unknown_process_version_or_activity_are_named():
    with pytest.raises(NoSuchProcess):
        kpis()
    deploy(CLAIMS, name="claims.bpmn")
    with pytest.raises(NoSuchVersion):
        kpis(version=3)
    with pytest.raises(NoSuchActivity):
        kpis(activity="sign")


def test_an_empty_window_gives_counts_of_zero_and_no_rates(claims):
    measured = process_kpis("claims", at("01-05 00:00"), at("01-12 00:00"), now=END)
    assert measured.cycle_time.count == 0 and measured.cycle_time.median is None
    assert measured.errors.rate is None and measured.quality.rate is None
    assert measured.sla.rate is None and measured.activities.rows == []
    assert [p.count for p in measured.wip.series] == [0]


def test_the_overview_compares_the_window_with_the_one_before(claims):
    overview = kpi_overview(WEEK_2, END)  # this week against the week before
    assert overview.previous_start == START
    (claims_row,) = overview.processes
    # Week 2: C completed (12 h); C, D, E ended, all three failed; first pass: C.
    # Week 1: A, B, H completed (1, 2, 3 days: median 2 days); none failed; first pass A, H.
    assert claims_row.cycle_time.value == 12 * HOUR and claims_row.cycle_time.previous == 2 * DAY
    assert claims_row.cycle_time.trend == "better"
    assert (claims_row.throughput.value, claims_row.throughput.previous) == (1, 3)
    assert claims_row.throughput.trend == "worse"
    assert (claims_row.error_rate.value, claims_row.error_rate.trend) == (1.0, "worse")
    assert claims_row.quality_rate.value == pytest.approx(1 / 3)
    assert claims_row.quality_rate.previous == pytest.approx(2 / 3)
    assert claims_row.mixed is True  # faster, but fewer done and more errors
    assert (claims_row.finished, claims_row.previous_finished) == (3, 3)


def test_the_overview_lists_processes_without_instances_with_no_values():
    deploy(CLAIMS, name="claims.bpmn")
    (row,) = kpi_overview(START, END).processes
    assert (row.key, row.name, row.finished) == ("claims", "Claims", 0)
    assert row.cycle_time.value is None and row.cycle_time.trend is None
    assert row.throughput.trend == "same" and row.mixed is False


def test_a_multi_instance_activity_is_rework_only_when_its_body_runs_again():
    model = (
        HEADER + '<process id="reviews" isExecutable="true"><startEvent id="start"/>'
        '<sequenceFlow id="f1" sourceRef="start" targetRef="review"/>'
        '<userTask id="review"><multiInstanceLoopCharacteristics>'
        "<loopCardinality>3</loopCardinality></multiInstanceLoopCharacteristics></userTask>"
        '<sequenceFlow id="f2" sourceRef="review" targetRef="agreed"/>'
        '<exclusiveGateway id="agreed" default="again"/>'
        '<sequenceFlow id="done" sourceRef="agreed" targetRef="e">'
        "<conditionExpression>${agreed}</conditionExpression></sequenceFlow>"
        '<sequenceFlow id="again" sourceRef="agreed" targetRef="review"/>'
        '<endEvent id="e"/></process></definitions>'
    ).encode()
    definition = deploy(model, name="reviews.bpmn").definitions[0]
    history = History(definition)
    for bodies in (1, 2):
        instance = history.instance("03-02 09:00", "03-02 12:00")
        for _ in range(bodies):
            body = history.ran(instance, "review", "03-02 09:00", "03-02 11:00")
            ActivityInstance.objects.filter(instance=instance, seq=body).update(
                element_type="multiInstanceBody")
            for _ in range(3):  # three reviewers, each a run of the same element
                history.ran(instance, "review", "03-02 09:00", "03-02 10:00")
            history.ran(instance, "agreed", "03-02 11:00", "03-02 11:00")
    quality = process_kpis("reviews", START, END).quality
    assert (quality.finished, quality.rework, quality.first_pass) == (2, 1, 1)


def test_a_period_starts_at_midnight_in_the_current_time_zone(claims, settings):
    settings.TIME_ZONE = "Europe/Berlin"
    (march,) = kpis(period="month").throughput.completed
    assert march.start == datetime(2026, 3, 1, tzinfo=UTC) - timedelta(hours=1)  # CET
    assert march.count == 4
