"""The database side of the KPIs: what the engine's history rows mean, and the queries.

Every query here runs over ProcessInstance, ActivityInstance, Task and Incident rows and
returns compact results (counts, seconds, at most one row per instance of a window), never
model objects. Exact percentiles are PostgreSQL's ``percentile_cont``; SQLite has none, so
there they are computed from the values with the same interpolation.

What a row means depends on the model of its version: which end events are error ends,
which elements may run again only as rework, what the SLA is. ``ModelFacts`` reads that
once per definition from the compiled model.
"""

from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import reduce
from operator import or_

import numpy as np
import pandas as pd
from django.db import connection, connections, transaction
from django.db.models import (
    Aggregate,
    Avg,
    BigIntegerField,
    BooleanField,
    Case,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    Max,
    Min,
    OuterRef,
    Q,
    Value,
    When,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce
from django.utils import timezone

from processes.bpmn.model import SUBPROCESSES, TASKS
from processes.engine.timers import TimerError, compile_timer
from processes.models import ActivityInstance, Incident, ProcessInstance, Task
from processes.store.compiled import process_for

# The body row of a loop or multi-instance activity spans all its runs (engine: loops.py).
BODY_TYPES = ("multiInstanceBody", "loopBody")
# Elements whose time the per-activity table shows from their own rows; user tasks are
# measured from their Task rows instead, which know when the task was claimed.
TIMED_KINDS = (TASKS | SUBPROCESSES | {"callActivity", "intermediateCatchEvent"}) - {"userTask"}
RUNNING = (ProcessInstance.State.ACTIVE, ProcessInstance.State.SUSPENDED)
PERIODS = ("day", "week", "month")
STATISTICS = ("count", "mean", "median", "p90", "p95", "min", "max")


@dataclass(frozen=True)
class ModelFacts:
    """What the KPIs need to know from the model of one process definition.

    ``reworkable`` holds the elements whose second run in an instance is rework: those on a
    cycle of sequence flows (a flow, or a boundary event, leads back to them), except what
    lies inside a loop, multi-instance, ad-hoc or event subprocess, where repeating is what
    the model asks for. ``looped`` are the loop and multi-instance activities among them:
    only their body row counts, since each of their runs has a row of its own.
    """

    definition_id: int
    names: dict[str, str]
    kinds: dict[str, str]
    error_ends: frozenset[str]
    reworkable: frozenset[str]
    looped: frozenset[str]
    timed: frozenset[str]
    sla: str | None
    requested_at_variable: str | None

    @property
    def sla_duration(self):
        """Return the SLA as a timedelta (or an isodate Duration for months), or None."""
        if not self.sla:
            return None
        try:
            duration = compile_timer("timeDuration", self.sla).duration
        except (TimerError, AttributeError):  # not a duration: the KPI shows no SLA
            return None
        anchor = datetime(2000, 1, 1)  # a date to add months to
        return duration if anchor + duration > anchor else None  # PT0S is no SLA


def facts_for(definition) -> ModelFacts:
    """Read what the KPIs need from the compiled model of ``definition``."""
    process = process_for(definition)
    nodes = process.nodes
    repeating = {node_id for node_id in nodes if _inside_repeating_scope(nodes, node_id)}
    reworkable = frozenset(on_cycles(_successors(process)) - repeating)
    return ModelFacts(
        definition_id=definition.pk,
        names={node.id: node.name or node.id for node in nodes.values()},
        kinds={node.id: node.kind for node in nodes.values()},
        error_ends=frozenset(
            node.id for node in nodes.values()
            if node.kind == "endEvent" and "error" in node.triggers
        ),
        reworkable=reworkable,
        looped=frozenset(
            node_id for node_id in reworkable
            if nodes[node_id].multi_instance or nodes[node_id].standard_loop
        ),
        timed=frozenset(node.id for node in nodes.values() if node.kind in TIMED_KINDS),
        sla=process.properties.sla,
        requested_at_variable=process.properties.requested_at_variable,
    )


def _inside_repeating_scope(nodes, node_id: str) -> bool:
    """Whether a node lies in a scope that runs it repeatedly by design."""
    scope = nodes[node_id].scope
    while scope in nodes:
        node = nodes[scope]
        if (node.multi_instance or node.standard_loop or node.triggered_by_event
                or node.kind == "adHocSubProcess"):
            return True
        scope = node.scope
    return False


def _successors(process) -> dict[str, list[str]]:
    """Where the flow can go from each node: its outgoing flows and its boundary events."""
    graph = {node_id: list(node.boundary_events) for node_id, node in process.nodes.items()}
    for flow in process.flows.values():
        if flow.source in graph and flow.target in graph:
            graph[flow.source].append(flow.target)
    return graph


def on_cycles(graph: dict[str, list[str]]) -> set[str]:
    """Return the nodes that lie on a cycle of ``graph`` (Tarjan's strong components).

    Iterative, so that a model of thousands of nodes needs no deep recursion.
    """
    index, low, stack, on_stack, cyclic = {}, {}, [], set(), set()
    for root, successors in graph.items():
        if root in index:
            continue
        work = [(root, iter(successors))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            for target in successors:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(graph[target])))
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = _pop_component(stack, on_stack, node)
                    if len(component) > 1 or node in graph[node]:
                        cyclic.update(component)
    return cyclic


def _pop_component(stack: list, on_stack: set, root: str) -> list:
    component = []
    while True:
        member = stack.pop()
        on_stack.discard(member)
        component.append(member)
        if member == root:
            return component


# Conditions on the rows, from the facts of several versions


def rows_of(facts_list, attribute: str) -> Q | None:
    """Match the history rows of the elements each version lists in ``attribute``.

    Versions usually share their element ids, so those with the same list share one
    condition.
    """
    versions = defaultdict(list)
    for facts in facts_list:
        if getattr(facts, attribute):
            versions[getattr(facts, attribute)].append(facts.definition_id)
    if not versions:
        return None
    return reduce(or_, (
        Q(definition_id__in=ids, element_id__in=sorted(elements))
        for elements, ids in versions.items()
    ))


def rework_rows(facts_list) -> Q | None:
    """Match the rows whose second run in an instance is rework (see ModelFacts)."""
    singles = [replace(f, reworkable=f.reworkable - f.looped) for f in facts_list]
    conditions = [rows_of(singles, "reworkable")]
    looped = rows_of(facts_list, "looped")
    if looped is not None:
        conditions.append(looped & Q(element_type__in=BODY_TYPES))
    conditions = [q for q in conditions if q is not None]
    return reduce(or_, conditions) if conditions else None


def outcome_flags(facts_list, queryset) -> dict:
    """Per instance of ``queryset``: had an incident, failed a quality gate, ran an error
    end event, reworked; as boolean expressions.

    Incidents are few and failed gates have an index of their own, so a subquery per
    instance finds them at once. Error ends and rework need the runs of some elements:
    each is one subquery over those that ended between the earliest start and the latest
    end of the instances (a span that holds all their runs, which the index on
    (definition, element, ended_at) narrows the search to); PostgreSQL hashes its result.
    A subquery per instance would cost thousands of index probes.
    """
    flags = {
        "incident": Exists(Incident.objects.filter(instance_id=OuterRef("pk"))),
        "failed_gate": Exists(
            ActivityInstance.objects.filter(instance_id=OuterRef("pk"), quality=False)
        ),
        "error_end": _false(),
        "rework": _false(),
    }
    span = queryset.aggregate(since=Min("started_at"), until=Max("ended_at"))
    if span["since"] is None:  # no instances
        return flags
    runs = ActivityInstance.objects.filter(
        ended_at__gte=span["since"], ended_at__lte=span["until"]
    )
    error_ends, rework = rows_of(facts_list, "error_ends"), rework_rows(facts_list)
    if error_ends is not None:
        flags["error_end"] = _among(runs.filter(error_ends).values("instance_id"))
    if rework is not None:
        repeated = runs.filter(rework).values("instance_id", "element_id")
        repeated = repeated.annotate(runs=Count("pk")).filter(runs__gt=1)
        flags["rework"] = _among(repeated.values("instance_id"))
    return flags


def _among(instance_ids):
    """Whether the instance is one of ``instance_ids`` (a subquery)."""
    return ExpressionWrapper(Q(pk__in=instance_ids), output_field=BooleanField())


def _false():
    return Value(False, output_field=BooleanField())


def requested_at(facts_list):
    """The text of each version's requested-at variable, or None if no version names one."""
    whens = [
        When(definition_id=f.definition_id,
             then=KeyTextTransform(f.requested_at_variable, "variables"))
        for f in facts_list if f.requested_at_variable
    ]
    return Case(*whens, default=Value(None)) if whens else None


# Instances


@contextmanager
def reading():
    """Run the KPI queries in one transaction with PostgreSQL set for them.

    They sort and hash tens of thousands of rows, which spill to disk within the default
    4 MB of work_mem; and the planner's cost estimate for a subquery per instance makes
    PostgreSQL compile them with JIT, which takes longer than running them (measured:
    0.28 s of JIT for a 0.2 s query). SET LOCAL ends with the transaction. SQLite gets no
    transaction: ours are IMMEDIATE, and would hold the write lock while reading.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '64MB'")
            cursor.execute("SET LOCAL jit = off")
        yield


def instances(definition_ids, activity: str | None = None):
    """Instances of the definitions; with an activity, those in which it ran."""
    queryset = ProcessInstance.objects.filter(definition_id__in=definition_ids)
    if activity:
        ran = ActivityInstance.objects.filter(instance_id=OuterRef("pk"), element_id=activity)
        queryset = queryset.filter(Exists(ran))
    return queryset


def finished(definition_ids, start: datetime | None, end: datetime | None, activity=None):
    """Instances that ended (completed or cancelled) in [start, end); None is unbounded."""
    queryset = instances(definition_ids, activity).filter(ended_at__isnull=False)
    if start is not None:
        queryset = queryset.filter(ended_at__gte=start)
    if end is not None:
        queryset = queryset.filter(ended_at__lt=end)
    return queryset


def finished_frame(queryset, facts_list, requested=None) -> pd.DataFrame:
    """One row per finished instance of ``queryset``: its times, state and outcome flags.

    Columns: id, definition_id, state, started_at, ended_at, incident, failed_gate,
    error_end, rework, and ``requested`` (text) when ``requested`` is given.
    """
    flags = outcome_flags(facts_list, queryset)
    postgresql = connections[queryset.db].vendor == "postgresql"
    moment = Microseconds if postgresql else F
    extra = {"started": moment("started_at"), "ended": moment("ended_at"), **flags}
    if requested is not None:
        extra["requested"] = requested
    columns = ["id", "definition_id", "state", *extra]
    rows = queryset.annotate(**extra).values_list(*columns)
    frame = pd.DataFrame.from_records(list(rows), columns=columns)
    for name in ("started", "ended"):
        moments = frame.pop(name)
        frame[f"{name}_at"] = pd.to_datetime(moments, unit="us" if postgresql else None, utc=True)
    for flag in flags:
        frame[flag] = frame[flag].astype(bool)
    return frame


def started_before_ending_after(definition_ids, moment: datetime, activity=None) -> list:
    """When the instances that ended at or after ``moment`` started, if before it."""
    return list(
        instances(definition_ids, activity).filter(ended_at__gte=moment, started_at__lt=moment)
        .values_list("started_at", flat=True)
    )


def running(definition_ids, activity=None) -> list[tuple]:
    """The active and suspended instances: (id, definition id, state, started_at, business key)."""
    return list(
        instances(definition_ids, activity).filter(state__in=RUNNING)
        .values_list("pk", "definition_id", "state", "started_at", "business_key")
    )


# Periods


def period_starts(start: datetime, end: datetime, period: str) -> list[datetime]:
    """The starts of the periods that [start, end) touches.

    Days, weeks (from Monday) and months begin at midnight in the current time zone, as
    Django's Trunc functions have them.
    """
    moment = timezone.localtime(start).replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "week":
        moment -= timedelta(days=moment.weekday())
    elif period == "month":
        moment = moment.replace(day=1)
    starts = []
    while moment < end:
        starts.append(moment)
        moment = _next_period(moment, period)
    return starts


def _next_period(moment: datetime, period: str) -> datetime:
    if period == "day":
        return moment + timedelta(days=1)
    if period == "week":
        return moment + timedelta(days=7)
    year, month = divmod(moment.month, 12)
    return moment.replace(year=moment.year + year, month=month + 1)


def period_index(moments: pd.Series, starts: list[datetime]) -> pd.Series:
    """Which period, by its position in ``starts`` (in order), each moment falls in.

    Done here rather than by the database's Trunc, whose results Django converts one by
    one: a third of a second for 20,000 rows.
    """
    edges = pd.to_datetime(starts, utc=True).asi8
    positions = np.searchsorted(edges, moments.astype("int64").to_numpy(), side="right") - 1
    return pd.Series(positions.clip(0), index=moments.index)


# Durations


def elapsed(start, end):
    """The time from ``start`` to ``end`` (field names or expressions), as a duration."""
    start = F(start) if isinstance(start, str) else start
    end = F(end) if isinstance(end, str) else end
    return ExpressionWrapper(end - start, output_field=DurationField())


def task_waiting():
    """How long a task waited for someone: created until claimed, or until completed."""
    return elapsed("created_at", Coalesce("claimed_at", "completed_at"))


def task_processing():
    """How long someone worked on a task: claimed until completed (none if never claimed)."""
    return Case(
        When(claimed_at__isnull=True, then=Value(timedelta(0))),
        default=elapsed("claimed_at", "completed_at"),
        output_field=DurationField(),
    )


def completed_tasks(definition_ids, start=None, end=None, element_id=None):
    """Tasks of the definitions completed in [start, end) (None is unbounded)."""
    queryset = Task.objects.filter(definition_id__in=definition_ids, state=Task.State.COMPLETED)
    if start is not None:
        queryset = queryset.filter(completed_at__gte=start)
    if end is not None:
        queryset = queryset.filter(completed_at__lt=end)
    if element_id:
        queryset = queryset.filter(element_id=element_id)
    return queryset


def completed_activities(facts_list, start=None, end=None, element_id=None):
    """Runs of the timed elements (not user tasks, not loop bodies) completed in [start, end)."""
    timed = rows_of(facts_list, "timed")
    if timed is None:
        return ActivityInstance.objects.none()
    queryset = ActivityInstance.objects.filter(timed, outcome="completed").exclude(
        element_type__in=BODY_TYPES
    )
    if start is not None:
        queryset = queryset.filter(ended_at__gte=start)
    if end is not None:
        queryset = queryset.filter(ended_at__lt=end)
    if element_id:
        queryset = queryset.filter(element_id=element_id)
    return queryset


class Microseconds(Func):
    """A PostgreSQL timestamp as whole microseconds since 1970.

    Exact, and fetched several times faster than timestamps, which psycopg2 turns into
    datetime objects one by one.
    """

    template = "(EXTRACT(EPOCH FROM %(expressions)s) * 1000000)::bigint"
    output_field = BigIntegerField()


class Epoch(Func):
    """The seconds of a PostgreSQL interval."""

    template = "EXTRACT(EPOCH FROM %(expressions)s)::double precision"
    output_field = FloatField()


class Percentile(Aggregate):
    """PostgreSQL's exact percentile: linear interpolation between the two closest ranks."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, fraction: float, **extra):
        super().__init__(expression, fraction=float(fraction), **extra)


def duration_stats(queryset, durations: dict, group: str | None = None) -> dict:
    """Count, mean, median, p90, p95, min and max (seconds) of each duration expression.

    Returns ``{group value: {name: {statistic: value}}}``, with the single key None when
    ``group`` is None. On PostgreSQL one aggregate query computes them; elsewhere the
    durations are fetched and summarized here.
    """
    if connections[queryset.db].vendor == "postgresql":
        return _stats_in_sql(queryset, durations, group)
    frame = duration_frame(queryset, durations, group)
    if not group:
        return {None: {name: summarize(frame[name]) for name in durations}}
    return {
        value: {name: summarize(part[name]) for name in durations}
        for value, part in frame.groupby(group, sort=False)
    }


def duration_frame(queryset, durations: dict, group: str | None = None) -> pd.DataFrame:
    """The durations themselves, in seconds: a column per name, and ``group`` if given."""
    postgresql = connections[queryset.db].vendor == "postgresql"
    if postgresql:
        durations = {name: Epoch(duration) for name, duration in durations.items()}
    columns = [group, *durations] if group else list(durations)
    rows = queryset.annotate(**durations).values_list(*columns)
    frame = pd.DataFrame.from_records(list(rows), columns=columns)
    for name in durations:
        if postgresql:
            frame[name] = frame[name].astype(float)
        else:
            frame[name] = pd.to_timedelta(frame[name]).dt.total_seconds()
    return frame


def _stats_in_sql(queryset, durations: dict, group: str | None) -> dict:
    aggregates = {}
    for name, duration in durations.items():
        seconds = Epoch(duration)
        aggregates |= {
            f"{name}_count": Count(seconds),
            f"{name}_mean": Avg(seconds),
            f"{name}_median": Percentile(seconds, 0.5),
            f"{name}_p90": Percentile(seconds, 0.9),
            f"{name}_p95": Percentile(seconds, 0.95),
            f"{name}_min": Min(seconds),
            f"{name}_max": Max(seconds),
        }
    if group:
        rows = queryset.values(group).annotate(**aggregates).order_by()
    else:
        rows = [queryset.aggregate(**aggregates)]
    return {
        row.get(group): {
            name: {stat: row[f"{name}_{stat}"] for stat in STATISTICS} for name in durations
        }
        for row in rows
    }


def summarize(seconds: pd.Series) -> dict:
    """The statistics of some durations in seconds, as ``duration_stats`` gives them.

    Percentiles interpolate linearly between the closest ranks, as ``percentile_cont``.
    """
    seconds = seconds.dropna()
    if seconds.empty:
        return {"count": 0, **{stat: None for stat in STATISTICS[1:]}}
    quantiles = seconds.quantile([0.5, 0.9, 0.95])
    return {
        "count": int(seconds.size),
        "mean": float(seconds.mean()),
        "median": float(quantiles[0.5]),
        "p90": float(quantiles[0.9]),
        "p95": float(quantiles[0.95]),
        "min": float(seconds.min()),
        "max": float(seconds.max()),
    }


def lead_seconds(frame: pd.DataFrame) -> pd.Series:
    """Seconds from the request (``requested``, else the start) to the end of each row.

    A request date is an ISO 8601 date-time, read as UTC when it has no zone; a value that
    is none counts as missing.
    """
    begun = frame["started_at"]
    if "requested" in frame:
        requested = pd.to_datetime(frame["requested"], utc=True, errors="coerce", format="ISO8601")
        begun = requested.fillna(begun)
    return (frame["ended_at"] - begun).dt.total_seconds()


# The overview


def window_summary(facts_list, previous_start, start, end) -> dict:
    """Per process key and window, the counts and median cycle time the overview shows.

    Returns ``{(key, current): {finished, completed, failed, first_pass, median}}`` where
    ``current`` is True for [start, end) and False for [previous_start, start). One query
    on PostgreSQL; SQLite needs a second one for the medians.
    """
    ids = [f.definition_id for f in facts_list]
    flags = outcome_flags(facts_list, finished(ids, previous_start, end))
    completed = Q(state=ProcessInstance.State.COMPLETED)
    failed = Q(state=ProcessInstance.State.CANCELLED) | flags["incident"] | flags["error_end"]
    aggregates = {
        "finished": Count("pk"),
        "completed": Count("pk", filter=completed),
        "failed": Count("pk", filter=failed),
        "first_pass": Count("pk", filter=completed & ~flags["failed_gate"] & ~flags["rework"]),
    }
    postgresql = connections[ProcessInstance.objects.db].vendor == "postgresql"
    if postgresql:
        aggregates["median"] = Percentile(
            Epoch(elapsed("started_at", "ended_at")), 0.5, filter=completed
        )
    windows = _in_windows(finished(ids, previous_start, end), start)
    rows = windows.values("definition__key", "current").annotate(**aggregates).order_by()
    summary = {(row.pop("definition__key"), row.pop("current")): row for row in rows}
    if not postgresql:
        medians = _medians(windows.filter(completed))
        for group, row in summary.items():
            row["median"] = medians.get(group)
    return summary


def _in_windows(queryset, start):
    current = Case(When(ended_at__gte=start, then=True), default=False,
                   output_field=BooleanField())
    return queryset.annotate(current=current)


def _medians(queryset) -> dict:
    """Median cycle time per (key, current) from the values, where SQL has no percentiles."""
    columns = ["definition__key", "current", "duration"]
    rows = queryset.annotate(duration=elapsed("started_at", "ended_at")).values_list(*columns)
    frame = pd.DataFrame.from_records(list(rows), columns=columns)
    if frame.empty:
        return {}
    frame["duration"] = pd.to_timedelta(frame["duration"]).dt.total_seconds()
    medians = frame.groupby(["definition__key", "current"])["duration"].median()
    return {(key, bool(current)): float(value) for (key, current), value in medians.items()}
