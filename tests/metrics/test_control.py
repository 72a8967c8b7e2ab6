"""Control charts on known histories, their limits worked out by hand.

Instances are written as rows with the times a chart needs; the last tests run the engine,
to see that the rows it writes are read the same way.
"""

import math
from datetime import UTC, date, datetime, timedelta

import pytest

from metrics.control import cycle_time_chart, error_rate_chart, quality_rate_chart
from processes.deployments import deploy
from processes.instances import complete_task, start_instance
from processes.models import ActivityInstance, Deployment, Incident, ProcessInstance, Task
from tests.samples import HEADER, simple_process

pytestmark = pytest.mark.django_db

LN2 = math.log(2)

CLAIMS = (
    HEADER + '<error id="err" errorCode="REFUSED"/>'
    '<process id="claims" isExecutable="true"><startEvent id="start"/>'
    '<sequenceFlow id="f1" sourceRef="start" targetRef="review"/>'
    '<userTask id="review" baton:qualityGate="${ok}"/>'
    '<sequenceFlow id="f2" sourceRef="review" targetRef="again"/>'
    '<exclusiveGateway id="again" default="f3"/>'
    '<sequenceFlow id="redo" sourceRef="again" targetRef="review">'
    "<conditionExpression>${redo}</conditionExpression></sequenceFlow>"
    '<sequenceFlow id="f3" sourceRef="again" targetRef="pay"/>'
    '<task id="pay"><multiInstanceLoopCharacteristics isSequential="true">'
    "<loopCardinality>2</loopCardinality></multiInstanceLoopCharacteristics></task>"
    '<sequenceFlow id="f4" sourceRef="pay" targetRef="checks"/>'
    '<subProcess id="checks"><startEvent id="checks_start"/>'
    '<sequenceFlow id="c1" sourceRef="checks_start" targetRef="verdict"/>'
    '<exclusiveGateway id="verdict" default="c2"/>'
    '<sequenceFlow id="c2" sourceRef="verdict" targetRef="checks_end"/>'
    '<sequenceFlow id="c3" sourceRef="verdict" targetRef="refused">'
    "<conditionExpression>${refuse}</conditionExpression></sequenceFlow>"
    '<endEvent id="checks_end"/>'
    '<endEvent id="refused"><errorEventDefinition errorRef="err"/></endEvent></subProcess>'
    '<boundaryEvent id="on_refused" attachedToRef="checks">'
    '<errorEventDefinition errorRef="err"/></boundaryEvent>'
    '<sequenceFlow id="f5" sourceRef="checks" targetRef="end"/>'
    '<sequenceFlow id="f6" sourceRef="on_refused" targetRef="refused_end"/>'
    '<endEvent id="end"/><endEvent id="refused_end"/></process></definitions>'
).encode()


def at(day, hour=12):
    return datetime(2026, 11, day, hour, tzinfo=UTC)


def version(xml, deployed_at, name="p.bpmn"):
    definition = deploy(xml, name=name).definitions[0]
    Deployment.objects.filter(pk=definition.deployment_id).update(deployed_at=deployed_at)
    return definition


@pytest.fixture
def invoice():
    return version(simple_process(), at(1, 0))


@pytest.fixture
def claims():
    return version(CLAIMS, at(1, 0), name="claims.bpmn")


def ended(definition, ended_at, took=timedelta(hours=1), state="completed"):
    return ProcessInstance.objects.create(
        definition=definition, state=state, started_at=ended_at - took, ended_at=ended_at
    )


def running(definition, started_at):
    return ProcessInstance.objects.create(definition=definition, started_at=started_at)


def ran(instance, *steps):
    """Write activity rows: (element_id, element_type, quality, scope_seq), numbered in order."""
    ActivityInstance.objects.bulk_create([
        ActivityInstance(
            instance=instance, definition_id=instance.definition_id, seq=seq,
            element_id=element, element_type=kind, quality=quality, scope_seq=scope,
            started_at=instance.started_at, ended_at=instance.ended_at, outcome="completed",
        )
        for seq, (element, kind, quality, scope) in enumerate(steps, start=1)
    ])


def test_the_i_chart_is_drawn_on_the_log_scale_with_limits_from_the_moving_range(invoice):
    for day, seconds in [(2, 100), (3, 200), (4, 400), (5, 200)]:
        ended(invoice, at(day), timedelta(seconds=seconds))

    chart = cycle_time_chart("invoice")

    assert [p.duration for p in chart.points] == [timedelta(seconds=s) for s in (100, 200, 400, 200)]
    assert [p.value for p in chart.points] == pytest.approx(
        [math.log(100), math.log(200), math.log(400), math.log(200)]
    )
    assert [p.moving_range for p in chart.points] == [None, pytest.approx(LN2),
                                                      pytest.approx(LN2), pytest.approx(LN2)]
    [segment] = chart.segments
    # The mean of the logarithms is the log of the geometric mean, 200 s.
    assert segment.centre == pytest.approx(math.log(200))
    assert segment.mr_centre == pytest.approx(LN2)
    assert segment.sigma == pytest.approx(LN2 / 1.128)
    assert segment.ucl == pytest.approx(math.log(200) + 3 * LN2 / 1.128)
    assert segment.lcl == pytest.approx(math.log(200) - 3 * LN2 / 1.128)
    assert segment.mr_ucl == pytest.approx(3.267 * LN2)
    assert segment.centre_duration.total_seconds() == pytest.approx(200)
    assert segment.ucl_duration.total_seconds() == pytest.approx(1263.69, abs=0.01)
    assert segment.lcl_duration.total_seconds() == pytest.approx(31.65, abs=0.01)
    assert (segment.version, segment.start, segment.stop) == (1, 0, 4)
    assert chart.signals == []


def test_each_version_is_a_segment_with_its_own_baseline(invoice):
    second = version(simple_process(task="Approve the invoice"), at(4, 0))
    ended(invoice, at(2), timedelta(seconds=100))
    ended(invoice, at(3), timedelta(seconds=200))
    ended(second, at(4, 18), timedelta(seconds=10))
    ended(invoice, at(5), timedelta(seconds=400))  # after version 2 came: still version 1's
    ended(second, at(6), timedelta(seconds=20))

    chart = cycle_time_chart("invoice")

    assert [(p.version, p.segment, p.duration.seconds) for p in chart.points] == [
        (1, 0, 100), (1, 0, 200), (1, 0, 400), (2, 1, 10), (2, 1, 20)
    ]
    first, latest = chart.segments
    assert (first.start, first.stop, first.deployed_at) == (0, 3, at(1, 0))
    assert (latest.start, latest.stop, latest.deployed_at) == (3, 5, at(4, 0))
    assert first.centre == pytest.approx(math.log(200))
    assert latest.centre == pytest.approx((math.log(10) + math.log(20)) / 2)
    assert chart.points[3].moving_range is None, "no moving range across versions"
    assert latest.mr_centre == pytest.approx(LN2)

    only_latest = cycle_time_chart("invoice", version=2)
    assert [(p.version, p.segment) for p in only_latest.points] == [(2, 0), (2, 0)]


def test_the_i_chart_takes_completed_instances_ending_in_the_window(invoice):
    kept = ended(invoice, at(3), timedelta(seconds=50))
    ended(invoice, at(2), timedelta(seconds=50))  # before the window
    ended(invoice, at(9), timedelta(seconds=50))  # at its end: the window is half-open
    ended(invoice, at(4), timedelta(seconds=50), state="cancelled")
    running(invoice, at(3))

    chart = cycle_time_chart("invoice", since=at(3), until=at(9))

    assert [p.instance_id for p in chart.points] == [kept.pk]
    [segment] = chart.segments
    assert (segment.sigma, segment.ucl, segment.mr_ucl) == (None, None, None), "one point"


def test_signals_name_their_rule_points_instances_and_dates(invoice, settings):
    settings.CONTROL_CHART_MIN_POINTS = 5
    # Ten instances alternating 100 s and 110 s, then one of 1000 s. By hand: moving
    # ranges 9 × ln 1.1 and ln(1000/110), mean 0.3065, sigma 0.2717; centre 4.858, so the
    # upper limit is 5.673 and ln 1000 = 6.908 lies beyond it, while the ten before all
    # lie below the centre (4.605 and 4.700).
    instances = [ended(invoice, at(day), timedelta(seconds=100 + 10 * (day % 2)))
                 for day in range(2, 12)]
    outlier = ended(invoice, at(12), timedelta(seconds=1000))

    chart = cycle_time_chart("invoice")

    below, beyond = chart.signals
    assert (below.rule, below.points) == (2, tuple(range(10)))
    assert below.instance_ids == tuple(i.pk for i in instances)
    assert below.dates == tuple(date(2026, 11, day) for day in range(2, 12))
    assert below.description == "10 instances in a row faster than the mean since 2026-11-02"
    assert (beyond.rule, beyond.points, beyond.instance_ids) == (1, (10,), (outlier.pk,))
    assert beyond.ends_at == at(12)
    assert beyond.description == "1 instance more than 3σ slower than the mean, on 2026-11-12"
    assert (beyond.chart, beyond.segment, beyond.version) == ("cycle_time", 0, 1)


def test_a_segment_with_too_few_points_gets_limits_but_no_signals(invoice, settings):
    settings.CONTROL_CHART_MIN_POINTS = 12
    for day in range(2, 12):
        ended(invoice, at(day), timedelta(seconds=100 + 10 * (day % 2)))
    ended(invoice, at(12), timedelta(seconds=1000))

    chart = cycle_time_chart("invoice")

    assert chart.segments[0].ucl is not None
    assert chart.signals == []


def test_the_error_rate_counts_cancellations_incidents_and_error_ends(claims):
    ended(claims, at(3), state="cancelled")
    with_incident = ended(claims, at(3))
    Incident.objects.create(instance=with_incident, token_id=1, element_id="review",
                            message="failed", created_at=at(3, 1), resolved_at=at(3, 2))
    for _ in range(2):
        ended(claims, at(4))
    refused = ended(claims, at(10))
    ran(refused, ("start", "startEvent", None, None), ("refused", "endEvent", None, None))
    ran(ended(claims, at(10)), ("refused_end", "endEvent", None, None))  # a plain end
    for _ in range(14):
        ended(claims, at(10))
    held = running(claims, at(9))  # still running: its outcome is not known yet
    Incident.objects.create(instance=held, token_id=1, element_id="review", message="stuck",
                            created_at=at(11, 3))

    chart = error_rate_chart("claims", period="week")

    # p̄ = 3 / 20 = 0.15. Week of the 2nd: n 4, sigma √(0.15 × 0.85 / 4) = 0.1785, so the
    # upper limit is 0.15 + 0.5356 = 0.6856 and z = (0.5 − 0.15) / 0.1785 = 1.961; week of
    # the 9th: n 16, sigma 0.0893, upper limit 0.4178, z = (0.0625 − 0.15) / 0.0893 = −0.980.
    assert [(p.period, p.n, p.count) for p in chart.points] == [
        (date(2026, 11, 2), 4, 2), (date(2026, 11, 9), 16, 1)
    ]
    assert chart.segments[0].centre == pytest.approx(0.15)
    first, second = chart.points
    assert (first.rate, first.lcl, first.ucl, first.z) == pytest.approx(
        (0.5, 0.0, 0.685607, 1.960392), abs=1e-6
    )
    assert (second.rate, second.lcl, second.ucl, second.z) == pytest.approx(
        (0.0625, 0.0, 0.417804, -0.980196), abs=1e-6
    )
    assert first.ends_at == datetime(2026, 11, 9, tzinfo=UTC)


def test_the_quality_rate_counts_instances_completed_right_first_time(claims):
    mi = [("pay", "multiInstanceBody", None, None), ("pay", "task", None, 2),
          ("pay", "task", None, 2)]  # iterations in the body, seq 2
    for _ in range(8):
        ran(ended(claims, at(3)), ("review", "userTask", True, None), *mi)
    ran(ended(claims, at(3)), ("review", "userTask", None, None))  # no gate passed, none failed
    ran(ended(claims, at(4)), ("review", "userTask", False, None))
    for _ in range(7):
        ended(claims, at(10))
    ran(ended(claims, at(10)), ("review", "userTask", False, None))
    ran(ended(claims, at(11)), ("review", "userTask", None, None),
        ("review", "userTask", None, None))
    ended(claims, at(11), state="cancelled")  # ended, but yielded nothing

    chart = quality_rate_chart("claims", period="week")

    # p̄ = 16 / 20 = 0.8; each week n 10, sigma √(0.8 × 0.2 / 10) = 0.1265, so the limits
    # are 0.8 ± 0.3795: the upper one cut at 1.
    assert [(p.period, p.n, p.count) for p in chart.points] == [
        (date(2026, 11, 2), 10, 9), (date(2026, 11, 9), 10, 7)
    ]
    first, second = chart.points
    assert (first.rate, first.lcl, first.ucl) == pytest.approx((0.9, 0.420527, 1.0))
    assert (second.rate, second.z) == pytest.approx((0.7, -0.790569))


def test_p_chart_signals_are_tested_on_each_period_s_distance_in_sigmas(invoice, settings):
    settings.CONTROL_CHART_MIN_POINTS = 5
    for day, errors in [(2, 1), (3, 1), (4, 1), (5, 1), (6, 6)]:
        for number in range(10):
            ended(invoice, at(day), state="cancelled" if number < errors else "completed")

    chart = error_rate_chart("invoice", period="day")

    # p̄ = 10 / 50 = 0.2, sigma 0.1265 a day: 0.6 on the 6th lies 3.16 sigmas above.
    [signal] = chart.signals
    assert (signal.rule, signal.points, signal.dates) == (1, (4,), (date(2026, 11, 6),))
    assert signal.instance_ids == ()
    assert signal.description == "1 day more than 3σ above the mean error rate, on 2026-11-06"
    assert signal.ends_at == at(7, 0)


def test_a_period_must_be_a_day_or_a_week(invoice):
    with pytest.raises(ValueError, match="day, week"):
        error_rate_chart("invoice", period="month")


def test_rows_the_engine_writes_are_read_as_they_should_be(claims, settings):
    settings.CELERY_BROKER_URL = ""

    def run(ok, refuse=False, redo=False):
        instance = start_instance(claims, variables={"refuse": refuse, "redo": redo})
        complete_task(Task.objects.get(instance=instance, state="open").pk,
                      variables={"ok": ok, "redo": redo})
        if redo:
            complete_task(Task.objects.get(instance=instance, state="open").pk,
                          variables={"ok": ok, "redo": False})
        instance.refresh_from_db()
        assert instance.state == "completed"
        return instance

    run(ok=True)  # right first time; the multi-instance task ran twice, as it should
    run(ok=True, refuse=True)  # an error end event, caught: an error, yet right first time
    run(ok=False)  # failed its quality gate
    run(ok=True, redo=True)  # reviewed twice: rework

    errors = error_rate_chart("claims", period="day").points
    quality = quality_rate_chart("claims", period="day").points
    assert [(p.n, p.count) for p in errors] == [(4, 1)]
    assert [(p.n, p.count) for p in quality] == [(4, 2)]


def test_a_process_never_deployed_has_empty_charts():
    assert cycle_time_chart("nothing").points == []
    assert error_rate_chart("nothing").segments == []
    assert quality_rate_chart("nothing", version=3).signals == []
