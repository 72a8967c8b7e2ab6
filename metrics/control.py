"""Control charts of a process: cycle time (I-MR) and error and quality rates (p-charts).

Each version of a process is a segment with limits of its own: a new version is a changed
process, so its instances form a new baseline instead of signalling against the old one.
Instances of a version that end after the next version was deployed stay in their own
version's segment. Points are ordered by segment, then by time, so each segment's limits
draw as one horizontal line.

What counts:

- cycle time: the completed instances, by end time (cancelled ones are errors, and how
  long they ran says nothing about how long the work takes);
- error rate: of the instances that ended (completed or cancelled) in a period, those
  cancelled, with an incident (resolved or not) or having passed an error end event;
- quality rate (first-pass yield): of the instances that ended in a period, those that
  completed without failing a quality gate and without rework, counted as the KPIs count
  it (``metrics.history.ModelFacts.reworkable``: an element a flow can lead back to ran
  again; loop and multi-instance iterations and event subprocesses repeat by design).

A running instance is left out until it ends, when its outcome is known; the incident
alert (``metrics.alerts``) tells of instances held up meanwhile.
"""

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import reduce
from operator import or_
from statistics import fmean

from django.conf import settings
from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, F, OuterRef, Q
from django.db.models.functions import Trunc
from django.utils import timezone

from metrics import rules
from metrics.history import facts_for, outcome_flags
from processes.models import ActivityInstance, Incident, ProcessDefinition, ProcessInstance

# Shewhart's constants for moving ranges of two points: d2 turns the mean moving range
# into sigma, D4 gives the moving-range chart's upper limit.
D2 = 1.128
D4 = 3.267
LIMIT_SIGMAS = 3
SHORTEST = 0.001  # seconds: an instance that took no measurable time, for the logarithm
LONGEST = math.log(timedelta(days=999_999).total_seconds())  # what a timedelta can hold
PERIODS = {"day": 1, "week": 7}

COMPLETED = ProcessInstance.State.COMPLETED
CANCELLED = ProcessInstance.State.CANCELLED

CYCLE_WORDS = rules.Wording(
    "instance", "instances", "slower than the mean", "faster than the mean",
    "each slower than the one before", "each faster than the one before",
)


@dataclass(frozen=True)
class Signal:
    """A Nelson rule's signal on a chart, with the points that make it.

    ``points`` index the chart's points; ``instance_ids`` are theirs on the cycle-time
    chart (empty on p-charts); ``dates`` are the days the instances ended or the periods
    began; ``ends_at`` is when the last point closed (its instance's end or period's end).
    """

    chart: str  # "cycle_time", "error_rate" or "quality_rate"
    rule: int
    segment: int
    version: int
    points: tuple[int, ...]
    instance_ids: tuple[int, ...]
    dates: tuple[date, ...]
    ends_at: datetime
    description: str


@dataclass(frozen=True)
class CyclePoint:
    """One completed instance: its cycle time, and its logarithm the chart is drawn on."""

    instance_id: int
    version: int
    segment: int
    ended_at: datetime
    duration: timedelta
    value: float  # ln(seconds)
    moving_range: float | None  # to the previous point of the segment; None for its first

    @property
    def day(self) -> date:
        return timezone.localdate(self.ended_at)


@dataclass(frozen=True)
class CycleSegment:
    """One version's points ``chart.points[start:stop]`` and their limits.

    Limits are on the log scale, the ``*_duration`` ones turned back into durations (the
    centre is then the geometric mean). With a single point there is no moving range:
    sigma and the limits are None.
    """

    index: int
    version: int
    deployed_at: datetime
    start: int
    stop: int
    centre: float
    sigma: float | None
    lcl: float | None
    ucl: float | None
    mr_centre: float | None
    mr_ucl: float | None

    @property
    def centre_duration(self) -> timedelta:
        return _duration(self.centre)

    @property
    def lcl_duration(self) -> timedelta | None:
        return None if self.lcl is None else _duration(self.lcl)

    @property
    def ucl_duration(self) -> timedelta | None:
        return None if self.ucl is None else _duration(self.ucl)


@dataclass(frozen=True)
class CycleTimeChart:
    key: str
    since: datetime | None
    until: datetime | None
    points: list[CyclePoint]
    segments: list[CycleSegment]
    signals: list[Signal]


@dataclass(frozen=True)
class RatePoint:
    """One period of one version: ``count`` of its ``n`` instances, and the limits for ``n``.

    ``count`` is the errors on the error-rate chart, the instances that passed first time
    on the quality-rate chart. ``z`` is how many sigmas the rate lies from the centre, what
    the Nelson rules are applied to (sigma differs with each period's ``n``).
    """

    period: date
    version: int
    segment: int
    n: int
    count: int
    rate: float
    lcl: float
    ucl: float
    z: float | None
    ends_at: datetime


@dataclass(frozen=True)
class RateSegment:
    """One version's points ``chart.points[start:stop]``; ``centre`` is p̄ = count / n."""

    index: int
    version: int
    deployed_at: datetime
    start: int
    stop: int
    n: int
    count: int
    centre: float


@dataclass(frozen=True)
class RateChart:
    key: str
    measure: str  # "error_rate" or "quality_rate"
    period: str  # "day" or "week"
    since: datetime | None
    until: datetime | None
    points: list[RatePoint]
    segments: list[RateSegment]
    signals: list[Signal]


def cycle_time_chart(key: str, *, version: int | None = None, since: datetime | None = None,
                     until: datetime | None = None) -> CycleTimeChart:
    """Return the I-MR chart of the cycle times of process ``key`` ending in [since, until)."""
    definitions = _definitions(key, version)
    rows = (
        ProcessInstance.objects.filter(definition__in=definitions, state=COMPLETED)
        .filter(_window("ended_at", since, until))
        .order_by("ended_at", "pk")
        .values_list("definition_id", "pk", "started_at", "ended_at")
    )
    points, segments, signals = [], [], []
    for definition, found in _by_definition(definitions, rows):
        segment_points = _cycle_points(len(segments), definition, found)
        segment = _cycle_segment(len(segments), definition, segment_points, len(points))
        points += segment_points
        segments.append(segment)
        signals += _cycle_signals(segment, points)
    return CycleTimeChart(key, since, until, points, segments, signals)


def error_rate_chart(key: str, *, version: int | None = None, since: datetime | None = None,
                     until: datetime | None = None, period: str = "week") -> RateChart:
    """Return the p-chart of the share of instances of ``key`` that ended with an error."""
    definitions = _definitions(key, version)
    instances = _ended(definitions).annotate(
        hit=Q(state=CANCELLED)
        | Exists(Incident.objects.filter(instance=OuterRef("pk")))
        | Exists(_runs_of(_error_ends(definitions))),
    )
    return _rate_chart(key, "error_rate", definitions, instances, period, since, until)


def quality_rate_chart(key: str, *, version: int | None = None, since: datetime | None = None,
                       until: datetime | None = None, period: str = "week") -> RateChart:
    """Return the p-chart of the share of ended instances of ``key`` right first time.

    Failed gates and rework are found as the KPIs find them (``history.outcome_flags``:
    one hashed subquery for all the instances, not one per instance).
    """
    definitions = _definitions(key, version)
    ended = ProcessInstance.objects.filter(
        definition__in=definitions, state__in=(COMPLETED, CANCELLED)
    ).filter(_window("ended_at", since, until))
    flags = outcome_flags([facts_for(d) for d in definitions], ended)
    instances = ended.annotate(failed_gate=flags["failed_gate"], rework=flags["rework"]).annotate(
        decided_at=F("ended_at"),
        hit=ExpressionWrapper(Q(state=COMPLETED, failed_gate=False, rework=False),
                              output_field=BooleanField()),
    )
    return _rate_chart(key, "quality_rate", definitions, instances, period, since, until)


def _definitions(key: str, version: int | None) -> list[ProcessDefinition]:
    definitions = ProcessDefinition.objects.filter(key=key).annotate(
        deployed_at=F("deployment__deployed_at")
    )
    if version is not None:
        definitions = definitions.filter(version=version)
    return list(definitions.order_by("version"))


def _ended(definitions):
    return ProcessInstance.objects.filter(definition__in=definitions, ended_at__isnull=False)


def _window(field: str, since: datetime | None, until: datetime | None) -> Q:
    window = Q()
    if since is not None:
        window &= Q(**{f"{field}__gte": since})
    if until is not None:
        window &= Q(**{f"{field}__lt": until})
    return window


def _by_definition(definitions, rows):
    """Yield each definition with its rows (led by the definition id), if it has any."""
    grouped: dict[int, list] = {}
    for definition_id, *rest in rows:
        grouped.setdefault(definition_id, []).append(rest)
    for definition in definitions:
        if definition.pk in grouped:
            yield definition, grouped[definition.pk]


def _cycle_points(segment: int, definition, rows) -> list[CyclePoint]:
    points, previous = [], None
    for instance_id, started_at, ended_at in rows:
        duration = ended_at - started_at
        value = math.log(max(duration.total_seconds(), SHORTEST))
        moving_range = None if previous is None else abs(value - previous)
        points.append(CyclePoint(instance_id, definition.version, segment, ended_at, duration,
                                 value, moving_range))
        previous = value
    return points


def _cycle_segment(index: int, definition, points: list[CyclePoint], start: int) -> CycleSegment:
    centre = fmean(p.value for p in points)
    ranges = [p.moving_range for p in points[1:]]
    if not ranges:
        return CycleSegment(index, definition.version, definition.deployed_at, start,
                            start + len(points), centre, None, None, None, None, None)
    mr_centre = fmean(ranges)
    sigma = mr_centre / D2
    return CycleSegment(
        index, definition.version, definition.deployed_at, start, start + len(points), centre,
        sigma, centre - LIMIT_SIGMAS * sigma, centre + LIMIT_SIGMAS * sigma,
        mr_centre, D4 * mr_centre,
    )


def _cycle_signals(segment: CycleSegment, points: list[CyclePoint]) -> list[Signal]:
    mine = points[segment.start:segment.stop]
    if len(mine) < settings.CONTROL_CHART_MIN_POINTS:
        return []
    found = []
    for violation in rules.check([p.value for p in mine], segment.centre, segment.sigma):
        violation = violation.shifted(segment.start)
        marked = [points[i] for i in violation.points]
        found.append(Signal(
            "cycle_time", violation.rule, segment.index, segment.version, violation.points,
            tuple(p.instance_id for p in marked), tuple(p.day for p in marked),
            marked[-1].ended_at, rules.describe(violation, CYCLE_WORDS, marked[0].day),
        ))
    return found


def _duration(value: float) -> timedelta:
    return timedelta(seconds=math.exp(min(value, LONGEST)))


def _rate_chart(key, measure, definitions, instances, period, since, until) -> RateChart:
    if period not in PERIODS:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}, not {period!r}")
    rows = (
        instances.filter(_window("ended_at", since, until))
        .annotate(period=Trunc("ended_at", period))
        .values("definition_id", "period")
        .annotate(n=Count("pk"), count=Count("pk", filter=Q(hit=True)))
        .order_by("definition_id", "period")
        .values_list("definition_id", "period", "n", "count")
    )
    points, segments, signals = [], [], []
    words = _rate_words(measure, period)
    for definition, found in _by_definition(definitions, rows):
        segment = _rate_segment(len(segments), definition, found, len(points))
        points += _rate_points(segment, found, PERIODS[period])
        segments.append(segment)
        signals += _rate_signals(measure, segment, points, words)
    return RateChart(key, measure, period, since, until, points, segments, signals)


def _rate_segment(index: int, definition, rows, start: int) -> RateSegment:
    n = sum(row[1] for row in rows)
    count = sum(row[2] for row in rows)
    return RateSegment(index, definition.version, definition.deployed_at, start,
                       start + len(rows), n, count, count / n)


def _rate_points(segment: RateSegment, rows, days: int) -> list[RatePoint]:
    p = segment.centre
    points = []
    for begins, n, count in rows:
        sigma = math.sqrt(p * (1 - p) / n)
        rate = count / n
        points.append(RatePoint(
            timezone.localdate(begins), segment.version, segment.index, n, count, rate,
            max(0.0, p - LIMIT_SIGMAS * sigma), min(1.0, p + LIMIT_SIGMAS * sigma),
            (rate - p) / sigma if sigma else None, begins + timedelta(days=days),
        ))
    return points


def _rate_signals(measure, segment: RateSegment, points, words) -> list[Signal]:
    """Apply the rules to the points' z: centre 0, sigma 1 whatever each period's size."""
    mine = points[segment.start:segment.stop]
    if len(mine) < settings.CONTROL_CHART_MIN_POINTS or mine[0].z is None:
        return []  # p̄ of 0 or 1: every point lies on the centre line
    found = []
    for violation in rules.check([p.z for p in mine], 0.0, 1.0):
        violation = violation.shifted(segment.start)
        marked = [points[i] for i in violation.points]
        found.append(Signal(
            measure, violation.rule, segment.index, segment.version, violation.points, (),
            tuple(p.period for p in marked), marked[-1].ends_at,
            rules.describe(violation, words, marked[0].period),
        ))
    return found


def _rate_words(measure: str, period: str) -> rules.Wording:
    name = measure.replace("_", " ")
    return rules.Wording(
        period, f"{period}s", f"above the mean {name}", f"below the mean {name}",
        f"each with a higher {name} than the one before",
        f"each with a lower {name} than the one before",
    )


def _error_ends(definitions) -> dict[int, list[str]]:
    """Return, by definition id, the ids of its error end events."""
    return {d.pk: sorted(facts_for(d).error_ends) for d in definitions}


def _runs_of(elements: dict[int, list[str]]):
    """Activity instances of the outer instance at ``elements`` (by definition id)."""
    at = [Q(definition_id=pk, element_id__in=ids) for pk, ids in elements.items() if ids]
    runs = ActivityInstance.objects.filter(instance=OuterRef("pk"))
    return runs.filter(reduce(or_, at)) if at else runs.none()
