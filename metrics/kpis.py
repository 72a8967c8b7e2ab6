"""Process KPIs for the dashboards and the API, as plain dataclasses.

``process_kpis`` measures one process (all its versions or one) over a window [start,
end): cycle and lead time, time per activity, throughput and arrivals, work in progress,
error, quality and rework rates, SLA compliance. ``kpi_overview`` gives the managers'
four headline KPIs for every process against the window before. Durations are in seconds,
rates are fractions (0.25 is 25 %), period series hold the start of each period.

Every KPI carries ``method``, the text the page shows to say how it was computed. The
queries are in ``metrics.history``; pandas only handles their compact results.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd
from django.db import connection
from django.utils import timezone

from metrics import history
from metrics.history import elapsed, facts_for
from processes.models import ProcessDefinition, ProcessInstance

COMPLETED = ProcessInstance.State.COMPLETED
CANCELLED = ProcessInstance.State.CANCELLED
AT_RISK = 0.8  # share of the SLA elapsed from which a running instance is at risk
LISTED = 100  # running instances listed as at risk or breached, the longest-running first
# Changes smaller than these are "same" in the overview's trends.
SAME_RELATIVE = 0.05  # of the previous value, for durations and throughput
SAME_POINTS = 0.01  # one percentage point, for rates


class KpiQueryError(ValueError):
    """A question the KPIs cannot answer; ``field`` names the parameter at fault."""

    field = ""


class NoSuchProcess(KpiQueryError):
    field = "key"


class NoSuchVersion(KpiQueryError):
    field = "version"


class NoSuchActivity(KpiQueryError):
    field = "activity"


@dataclass(frozen=True)
class DurationStats:
    """Statistics of durations, in seconds; all but ``count`` are None when it is 0.

    Percentiles are exact: interpolated linearly between the two closest ranks.
    """

    count: int  # how many durations were measured
    mean: float | None
    median: float | None
    p90: float | None  # 90 % of the durations are at most this long
    p95: float | None
    min: float | None
    max: float | None


@dataclass(frozen=True)
class DurationKpi(DurationStats):
    """Cycle or lead time: the statistics of the completed instances, and how."""

    method: str


@dataclass(frozen=True)
class ActivityStats:
    """The time spent at one element (a step of the process)."""

    element_id: str
    name: str  # from the newest version's model
    kind: str  # the element's BPMN kind: userTask, serviceTask, intermediateCatchEvent…
    count: int  # runs completed in the window
    waiting: DurationStats | None  # user tasks only: until someone took the task
    processing: DurationStats  # from the claim (user tasks) or the start, to the end


@dataclass(frozen=True)
class ActivityTable:
    """Time per activity, the longest mean waiting first (the bottlenecks)."""

    rows: list[ActivityStats]
    method: str


@dataclass(frozen=True)
class PeriodCount:
    """A count for the period (day, week or month) starting at ``start``."""

    start: datetime
    count: int


@dataclass(frozen=True)
class PeriodRate:
    """``count`` of the ``finished`` instances of the period starting at ``start``."""

    start: datetime
    finished: int
    count: int
    rate: float | None  # count ÷ finished; None when nothing finished


@dataclass(frozen=True)
class Throughput:
    """Completed and started instances per period."""

    completed: list[PeriodCount]  # throughput: completed, by the period they ended in
    started: list[PeriodCount]  # arrival rate: started, by the period they started in
    completed_total: int
    started_total: int
    per_week: float  # completed in the window ÷ its length in weeks
    method: str


@dataclass(frozen=True)
class WorkInProgress:
    """Instances under way: now, and at the end of each period."""

    now: int  # active + suspended
    active: int
    suspended: int
    series: list[PeriodCount]  # open at the end of each period (or of the window)
    method: str


@dataclass(frozen=True)
class ErrorRate:
    """Instances that ended badly, of those that ended in the window.

    An instance may have several causes: each cause counts it, ``failed`` once.
    """

    finished: int  # completed or cancelled in the window
    failed: int  # with at least one of the causes below
    rate: float | None  # failed ÷ finished
    error_end: int  # ran an error end event
    incident: int  # had an incident, resolved or not
    cancelled: int
    series: list[PeriodRate]  # failed per period
    method: str


@dataclass(frozen=True)
class QualityRate:
    """First-pass yield and rework."""

    finished: int
    first_pass: int  # completed, every quality gate passed, no rework
    rate: float | None  # first-pass yield: first_pass ÷ finished
    failed_gate: int  # instances with at least one failed quality gate
    rework: int  # instances in which an element ran again as rework
    rework_rate: float | None  # rework ÷ finished
    series: list[PeriodRate]  # first-pass yield per period
    rework_series: list[PeriodRate]
    method: str


@dataclass(frozen=True)
class RunningInstance:
    """A running instance measured against its SLA."""

    id: int
    business_key: str
    started_at: datetime
    deadline: datetime  # started_at + its version's SLA
    elapsed: float  # seconds since it started
    sla_share: float  # elapsed ÷ SLA: 0.8 is 80 % of the SLA used


@dataclass(frozen=True)
class SlaCompliance:
    """Completed instances within the SLA, and the running ones at risk or past it."""

    sla: str | None  # the newest version's baton:sla (ISO 8601 duration), None if it has none
    completed: int  # completed in the window, of versions with an SLA
    within: int  # of those, done within the SLA
    rate: float | None  # within ÷ completed
    at_risk_count: int  # running, more than 80 % of the SLA elapsed, not past it
    breached_count: int  # running and past the SLA
    at_risk: list[RunningInstance]  # the 100 longest-running
    breached: list[RunningInstance]  # the 100 longest-running
    method: str


@dataclass(frozen=True)
class ProcessKpis:
    """Every KPI of one process over a window [start, end)."""

    key: str
    name: str
    version: int | None  # the version measured; None for all of them
    versions: list[int]  # the versions measured, newest first
    start: datetime
    end: datetime
    period: str  # "day", "week" or "month": the step of every series
    activity: str | None  # only instances in which this element ran, if given
    cycle_time: DurationKpi
    lead_time: DurationKpi
    activities: ActivityTable
    throughput: Throughput
    wip: WorkInProgress
    errors: ErrorRate
    quality: QualityRate
    sla: SlaCompliance


@dataclass(frozen=True)
class Headline:
    """A headline KPI in the window and in the window before, and which way it went."""

    value: float | None
    previous: float | None
    trend: str | None  # "better", "worse" or "same"; None when either value is missing


@dataclass(frozen=True)
class ProcessHeadlines:
    """The overview's four KPIs of one process."""

    key: str
    name: str
    finished: int  # instances that ended in the window
    previous_finished: int
    cycle_time: Headline  # median, seconds: lower is better
    throughput: Headline  # completed per week: higher is better
    error_rate: Headline  # lower is better
    quality_rate: Headline  # first-pass yield: higher is better
    mixed: bool  # one KPI got better while another got worse


@dataclass(frozen=True)
class Overview:
    """The headline KPIs of every process, for [start, end) against [previous_start, start)."""

    start: datetime
    end: datetime
    previous_start: datetime
    processes: list[ProcessHeadlines]
    method: str


def definitions_of(key: str, version: int | None = None) -> list[ProcessDefinition]:
    """Return the versions of process ``key`` to measure, newest first."""
    # No key holds a NUL character, and PostgreSQL refuses to compare text with one.
    definitions = [] if "\x00" in key else list(
        ProcessDefinition.objects.filter(key=key).order_by("-version")
    )
    if not definitions:
        raise NoSuchProcess(f"There is no process with the key '{key}'.")
    if version is None:
        return definitions
    chosen = [d for d in definitions if d.version == version]
    if not chosen:
        raise NoSuchVersion(f"The process '{key}' has no version {version}.")
    return chosen


@dataclass(frozen=True)
class _Selection:
    """What one call measures: which definitions, window, periods and activity."""

    ids: list[int]
    facts: list
    start: datetime
    end: datetime
    period: str
    periods: list[datetime]
    activity: str | None

    @property
    def note(self) -> str:
        """The sentence each method ends with when only some instances count."""
        return f" Only instances in which '{self.activity}' ran count." if self.activity else ""


def process_kpis(key: str, start: datetime, end: datetime, *, version: int | None = None,
                 period: str = "week", activity: str | None = None,
                 now: datetime | None = None) -> ProcessKpis:
    """Measure process ``key`` over [start, end), per ``period`` ("day", "week", "month").

    ``version`` None measures every version; ``activity`` (an element id) keeps only the
    instances in which that element ran, and the activity table to that element. ``now``
    (default: the current time) is when work in progress and running SLAs are measured.
    Raise NoSuchProcess, NoSuchVersion or NoSuchActivity for what does not exist.
    """
    _check(start, end)
    if period not in history.PERIODS:
        raise ValueError(f"period must be one of {', '.join(history.PERIODS)}, not {period!r}")
    definitions = definitions_of(key, version)
    facts = [facts_for(d) for d in definitions]
    if activity and not any(activity in f.names for f in facts):
        raise NoSuchActivity(f"The process '{key}' has no element '{activity}'.")
    selection = _Selection(
        ids=[d.pk for d in definitions], facts=facts, start=start, end=end, period=period,
        periods=history.period_starts(start, end, period), activity=activity,
    )
    with history.reading():
        frame = history.finished_frame(
            history.finished(selection.ids, start, end, activity), facts,
            history.requested_at(facts),
        )
        frame["period"] = history.period_index(frame["ended_at"], selection.periods)
        running = history.running(selection.ids, activity)
        starts = _starts(selection, frame, running)
        return ProcessKpis(
            key=key, name=definitions[0].display_name, version=version,
            versions=[d.version for d in definitions], start=start, end=end, period=period,
            activity=activity,
            cycle_time=_cycle_time(selection),
            lead_time=_lead_time(selection, frame),
            activities=_activity_table(selection),
            throughput=_throughput(selection, frame, starts),
            wip=_work_in_progress(selection, frame, starts, running),
            errors=_error_rate(selection, frame),
            quality=_quality_rate(selection, frame),
            sla=_sla_compliance(selection, frame, running, now or timezone.now()),
        )


def _check(start: datetime, end: datetime) -> None:
    if start >= end:
        raise ValueError(f"The window must end after it starts, not at {end} for {start}.")


def _percentiles(in_sql: bool = True) -> str:
    """Say how percentiles were computed: in SQL on PostgreSQL, else from the values."""
    where = ("by PostgreSQL's percentile_cont" if in_sql and connection.vendor == "postgresql"
             else "from the values")
    return (f"Percentiles are exact, computed {where}: interpolated linearly between the "
            "two closest ranks.")


def _cycle_time(selection: _Selection) -> DurationKpi:
    completed = history.finished(
        selection.ids, selection.start, selection.end, selection.activity
    ).filter(state=COMPLETED)
    stats = history.duration_stats(completed, {"cycle": elapsed("started_at", "ended_at")})
    return DurationKpi(**stats[None]["cycle"], method=(
        "From the start to the end of each instance that completed in the window "
        f"(cancelled ones count in the error rate, not here). {_percentiles()}{selection.note}"
    ))


def _lead_time(selection: _Selection, frame: pd.DataFrame) -> DurationKpi:
    stats = history.summarize(history.lead_seconds(frame[frame["state"] == COMPLETED]))
    return DurationKpi(**stats, method=lead_time_method(selection.facts) + selection.note)


def lead_time_method(facts) -> str:
    """Say how the lead time of versions with these facts is measured."""
    names = sorted({f.requested_at_variable for f in facts if f.requested_at_variable})
    if not names:
        return ("The process names no requested-at variable (baton:requestedAtVariable), so "
                f"the lead time is the cycle time. {_percentiles(in_sql=False)}")
    return (f"From when the work was requested (the start variable {', '.join(map(repr, names))}, "
            "an ISO 8601 date-time, read as UTC when it has no zone) to the end of each "
            "instance that completed in the window; an instance without a readable value "
            f"counts from its start. {_percentiles(in_sql=False)}")


def _activity_table(selection: _Selection) -> ActivityTable:
    window = (selection.start, selection.end, selection.activity)
    tasks = history.duration_stats(
        history.completed_tasks(selection.ids, *window),
        {"waiting": history.task_waiting(), "processing": history.task_processing()},
        group="element_id",
    )
    others = history.duration_stats(
        history.completed_activities(selection.facts, *window),
        {"processing": elapsed("started_at", "ended_at")}, group="element_id",
    )
    rows = [_activity(selection.facts, element_id, stats)
            for element_id, stats in [*tasks.items(), *others.items()]]
    rows.sort(key=lambda r: (r.waiting is None, -(r.waiting.mean if r.waiting else 0),
                             -(r.processing.mean or 0), r.element_id))
    only = f" Only the element '{selection.activity}' is shown." if selection.activity else ""
    return ActivityTable(rows, method=(
        "Per step, its runs completed in the window. User tasks: waiting is from the "
        "task's creation until someone claimed it (the last claim), or until it was "
        "completed if nobody claimed it; processing is from the claim to the completion "
        "(none when nobody claimed it). Other steps (service, script and other tasks, "
        "subprocesses, call activities, intermediate catch events): processing is from "
        "start to end (for a catch event, until its timer, message or signal came); "
        "waiting is not shown. Gateways and start, end and boundary events "
        "take no time and are left out; a loop or multi-instance activity counts each of "
        "its runs, not its body. Sorted by mean waiting time, longest first (the "
        f"bottlenecks), then by mean processing time. {_percentiles()}{only}"
    ))


def _activity(facts, element_id: str, stats: dict) -> ActivityStats:
    model = next((f for f in facts if element_id in f.names), None)
    waiting = stats.get("waiting")
    return ActivityStats(
        element_id=element_id,
        name=model.names[element_id] if model else element_id,
        kind=model.kinds[element_id] if model else "",
        count=stats["processing"]["count"],
        waiting=DurationStats(**waiting) if waiting else None,
        processing=DurationStats(**stats["processing"]),
    )


def _per_period(frame: pd.DataFrame, mask=None) -> dict:
    """Count the rows of ``frame`` (where ``mask`` holds) per period: {its position: n}."""
    rows = frame if mask is None else frame[mask]
    return {int(period): int(n) for period, n in rows.groupby("period").size().items()}


def _arrivals(selection: _Selection, starts: pd.Series) -> dict:
    """Count the starts in the window per period: {its position: n}."""
    arrived = starts[starts >= selection.start]
    counts = history.period_index(arrived, selection.periods).value_counts()
    return {int(period): int(n) for period, n in counts.items()}


def _starts(selection: _Selection, frame, running) -> pd.Series:
    """When the instances under way at some time in the window started.

    They either ended in the window (the frame), are still running, or ended after it;
    this saves two queries over every instance of the process.
    """
    later = history.started_before_ending_after(selection.ids, selection.end, selection.activity)
    others = pd.to_datetime(pd.Series([row[3] for row in running] + later, dtype=object), utc=True)
    starts = pd.concat([frame["started_at"], others], ignore_index=True)
    return starts[starts < selection.end]


def _throughput(selection: _Selection, frame, starts: pd.Series) -> Throughput:
    completed, started = _per_period(frame, frame["state"] == COMPLETED), _arrivals(selection, starts)
    weeks = (selection.end - selection.start) / timedelta(weeks=1)
    period = selection.period
    return Throughput(
        completed=[PeriodCount(p, completed.get(i, 0)) for i, p in enumerate(selection.periods)],
        started=[PeriodCount(p, started.get(i, 0)) for i, p in enumerate(selection.periods)],
        completed_total=sum(completed.values()),
        started_total=sum(started.values()),
        per_week=sum(completed.values()) / weeks,
        method=(f"Throughput: instances completed per {period}, by when they ended. Arrival "
                f"rate: instances started per {period}. Per week: those completed in the "
                f"window ÷ its length in weeks.{selection.note}"),
    )


def _work_in_progress(selection: _Selection, frame, starts: pd.Series, running) -> WorkInProgress:
    states = [row[2] for row in running]
    started, ended = _arrivals(selection, starts), _per_period(frame)
    level = int((starts < selection.start).sum())  # open when the window began
    series = []
    for i, period in enumerate(selection.periods):
        level += started.get(i, 0) - ended.get(i, 0)
        series.append(PeriodCount(period, level))
    active = states.count(ProcessInstance.State.ACTIVE)
    return WorkInProgress(
        now=len(states), active=active, suspended=len(states) - active, series=series,
        method=("Now: the active and suspended instances. Over time: the instances started "
                f"and not yet ended at the end of each {selection.period} (the last one at "
                f"the end of the window).{selection.note}"),
    )


def _rates(selection: _Selection, frame, mask) -> list[PeriodRate]:
    finished, counted = _per_period(frame), _per_period(frame, mask)
    return [
        PeriodRate(p, finished.get(i, 0), counted.get(i, 0),
                   _ratio(counted.get(i, 0), finished.get(i, 0)))
        for i, p in enumerate(selection.periods)
    ]


def _ratio(count: int, total: int) -> float | None:
    return count / total if total else None


def failed_instances(frame: pd.DataFrame) -> pd.Series:
    """Which instances of a finished frame failed: cancelled, an incident or an error end."""
    return (frame["state"] == CANCELLED) | frame["incident"] | frame["error_end"]


def first_pass_instances(frame: pd.DataFrame) -> pd.Series:
    """Which instances of a finished frame completed right the first time."""
    return (frame["state"] == COMPLETED) & ~frame["failed_gate"] & ~frame["rework"]


def sla_counts(frame: pd.DataFrame, facts) -> tuple[int, int]:
    """(within their SLA, completed) for the completed instances of versions with an SLA."""
    durations = {f.definition_id: f.sla_duration for f in facts if f.sla_duration}
    completed = frame[(frame["state"] == COMPLETED) & frame["definition_id"].isin(list(durations))]
    within = sum(
        int((part["ended_at"] <= _deadlines(part["started_at"], durations[definition])).sum())
        for definition, part in completed.groupby("definition_id")
    )
    return within, len(completed)


def _error_rate(selection: _Selection, frame) -> ErrorRate:
    cancelled = frame["state"] == CANCELLED
    failed = failed_instances(frame)
    return ErrorRate(
        finished=len(frame), failed=int(failed.sum()), rate=_ratio(int(failed.sum()), len(frame)),
        error_end=int(frame["error_end"].sum()), incident=int(frame["incident"].sum()),
        cancelled=int(cancelled.sum()), series=_rates(selection, frame, failed),
        method=("Instances that ended in the window (completed or cancelled) and ran an "
                "error end event, had an incident (resolved or not) or were cancelled, ÷ "
                "all instances that ended in the window. An instance with several causes "
                f"counts once in the rate and once under each cause.{selection.note}"),
    )


def _quality_rate(selection: _Selection, frame) -> QualityRate:
    first_pass = first_pass_instances(frame)
    rework = frame["rework"]
    return QualityRate(
        finished=len(frame), first_pass=int(first_pass.sum()),
        rate=_ratio(int(first_pass.sum()), len(frame)),
        failed_gate=int(frame["failed_gate"].sum()), rework=int(rework.sum()),
        rework_rate=_ratio(int(rework.sum()), len(frame)),
        series=_rates(selection, frame, first_pass),
        rework_series=_rates(selection, frame, rework),
        method=("First-pass yield: the instances that ended in the window and completed, "
                "passed every quality gate (baton:qualityGate) and needed no rework, ÷ all "
                "that ended in the window (a cancelled instance yields nothing). Rework: an "
                "element ran more than once in an instance, counting only elements a "
                "sequence flow or boundary event can lead back to; the runs of loops and "
                "multi-instance activities and of what lies inside them, in event "
                "subprocesses or in ad-hoc subprocesses, repeat by design and are not "
                "rework. Rework rate: instances with rework ÷ instances that ended."
                f"{selection.note}"),
    )


def _sla_compliance(selection: _Selection, frame, running, now: datetime) -> SlaCompliance:
    durations = {f.definition_id: f.sla_duration for f in selection.facts if f.sla_duration}
    within, completed = sla_counts(frame, selection.facts)
    measured = [
        _measured(row, durations[row[1]], now)
        for row in running if row[1] in durations
    ]
    measured.sort(key=lambda r: r.elapsed, reverse=True)
    breached = [r for r in measured if r.sla_share > 1]
    at_risk = [r for r in measured if AT_RISK < r.sla_share <= 1]
    sla = selection.facts[0].sla
    return SlaCompliance(
        sla=sla, completed=completed, within=within, rate=_ratio(within, completed),
        at_risk_count=len(at_risk), breached_count=len(breached),
        at_risk=at_risk[:LISTED], breached=breached[:LISTED],
        method=(f"The completed instances of the window that took at most their version's "
                f"SLA ({'baton:sla = ' + sla if sla else 'none set'}) ÷ all completed ones. "
                "Running instances are at risk past 80 % of the SLA, breached past all of "
                f"it; the {LISTED} longest-running of each are listed.{selection.note}"),
    )


def _deadlines(started: pd.Series, duration) -> pd.Series:
    """Each start plus an SLA; months and years are counted on the calendar."""
    if isinstance(duration, timedelta):
        return started + duration
    calendar = pd.DateOffset(years=int(duration.years), months=int(duration.months))
    return started + calendar + duration.tdelta


def _measured(row, duration, now: datetime) -> RunningInstance:
    pk, _, _, started_at, business_key = row
    deadline = started_at + duration
    elapsed_seconds = (now - started_at).total_seconds()
    return RunningInstance(
        id=pk, business_key=business_key, started_at=started_at, deadline=deadline,
        elapsed=elapsed_seconds,
        sla_share=elapsed_seconds / (deadline - started_at).total_seconds(),
    )


# The overview


def kpi_overview(start: datetime, end: datetime) -> Overview:
    """The four headline KPIs of every process for [start, end) and the window before it.

    The window before has the same length and ends at ``start``. Throughput is per week.
    """
    _check(start, end)
    previous_start = start - (end - start)
    definitions = list(ProcessDefinition.objects.order_by("key", "-version"))
    facts = [facts_for(d) for d in definitions]
    with history.reading():
        summary = history.window_summary(facts, previous_start, start, end)
    weeks = (end - start) / timedelta(weeks=1)
    names = {}
    for definition in definitions:
        names.setdefault(definition.key, definition.display_name)
    processes = [
        _headlines(key, name, summary.get((key, True), {}), summary.get((key, False), {}), weeks)
        for key, name in names.items()
    ]
    return Overview(start=start, end=end, previous_start=previous_start, processes=processes,
                    method=(
        "For each process, all versions: the median cycle time of the instances completed "
        "in the window, completed instances per week, the error rate (cancelled, with an "
        "incident or an error end event, of those that ended) and the first-pass yield, "
        "each against the window of the same length just before. A change is 'same' when "
        f"it is at most {SAME_RELATIVE:.0%} of the earlier value (durations, throughput) or "
        f"at most {SAME_POINTS * 100:.0f} percentage point (rates); shorter cycle times, "
        "more throughput, fewer errors and a higher yield are better. 'Mixed' marks a "
        "process where one KPI got better while another got worse."
    ))


def _headlines(key: str, name: str, now: dict, before: dict, weeks: float) -> ProcessHeadlines:
    def rate(row, count):
        return _ratio(row.get(count, 0), row.get("finished", 0))

    headlines = {
        "cycle_time": _headline(now.get("median"), before.get("median"), lower_is_better=True),
        "throughput": _headline(now.get("completed", 0) / weeks,
                                before.get("completed", 0) / weeks, lower_is_better=False),
        "error_rate": _headline(rate(now, "failed"), rate(before, "failed"),
                                lower_is_better=True, points=True),
        "quality_rate": _headline(rate(now, "first_pass"), rate(before, "first_pass"),
                                  lower_is_better=False, points=True),
    }
    trends = {h.trend for h in headlines.values()}
    return ProcessHeadlines(
        key=key, name=name, finished=now.get("finished", 0),
        previous_finished=before.get("finished", 0), **headlines,
        mixed={"better", "worse"} <= trends,
    )


def _headline(value, previous, *, lower_is_better: bool, points: bool = False) -> Headline:
    return Headline(value, previous, trend(value, previous, lower_is_better, points))


def trend(value, previous, lower_is_better: bool, points: bool = False) -> str | None:
    """Say whether ``value`` is better, worse or the same as ``previous``.

    Rates (``points``) are the same within one percentage point, other values within 5 %
    of the previous one.
    """
    if value is None or previous is None:
        return None
    change = value - previous
    tolerance = SAME_POINTS if points else SAME_RELATIVE * abs(previous)
    if abs(change) <= tolerance:
        return "same"
    return "better" if (change < 0) == lower_is_better else "worse"
