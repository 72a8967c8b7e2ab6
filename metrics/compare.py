"""A version against the one before: every KPI, its change and whether it is significant.

Durations (cycle, lead, waiting and processing times) are compared with the Mann-Whitney U
test, rates (errors, first-pass yield, rework, SLA compliance) with the two-proportion z
test, both two-sided at 5 %. Each version is measured on all its instances that ever
finished. Throughput and work in progress are left out: they follow the demand and the
calendar, not the version.

The statistics are written out here rather than taken from scipy, which is no dependency.
"""

from dataclasses import dataclass
from math import erfc, sqrt

import pandas as pd

from metrics import history
from metrics.history import elapsed, facts_for
from metrics.kpis import (
    COMPLETED,
    KpiQueryError,
    definitions_of,
    failed_instances,
    first_pass_instances,
    lead_time_method,
    sla_counts,
)

ALPHA = 0.05


class NoEarlierVersion(KpiQueryError):
    """A first version: there is nothing to compare it with."""

    field = "version"


@dataclass(frozen=True)
class Significance:
    """The outcome of a two-sided test: its statistic, z score and p-value."""

    statistic: float  # U of the first sample (Mann-Whitney), or z (proportions)
    z: float  # with the continuity correction for Mann-Whitney
    p_value: float

    @property
    def significant(self) -> bool:
        return self.p_value < ALPHA


def mann_whitney_u(first, second) -> Significance | None:
    """Test whether two samples come from the same distribution (Mann-Whitney U).

    U counts the pairs (x from ``first``, y from ``second``) with x > y, a tie counting
    half. The p-value is the normal approximation's, with the tie correction of the
    variance and a continuity correction of 0.5; the exact distribution small samples
    (fewer than about ten values each) would call for is not computed. None when a
    sample is empty.
    """
    n1, n2 = len(first), len(second)
    if not n1 or not n2:
        return None
    values = pd.concat([pd.Series(first, dtype=float), pd.Series(second, dtype=float)],
                       ignore_index=True)
    u = float(values.rank(method="average")[:n1].sum() - n1 * (n1 + 1) / 2)
    n = n1 + n2
    ties = values.value_counts()
    variance = n1 * n2 / 12 * ((n + 1) - float((ties**3 - ties).sum()) / (n * (n - 1)))
    if variance <= 0:  # every value the same: nothing tells the samples apart
        return Significance(u, 0.0, 1.0)
    distance = max(abs(u - n1 * n2 / 2) - 0.5, 0)
    z = distance / sqrt(variance)
    return Significance(u, z if u >= n1 * n2 / 2 else -z, min(1.0, erfc(z / sqrt(2))))


def two_proportion_z_test(count1: int, total1: int, count2: int, total2: int) -> Significance | None:
    """Test whether two proportions differ (pooled two-proportion z test).

    None when either total is 0.
    """
    if not total1 or not total2:
        return None
    pooled = (count1 + count2) / (total1 + total2)
    error = sqrt(pooled * (1 - pooled) * (1 / total1 + 1 / total2))
    if error == 0:  # both 0 % or both 100 %
        return Significance(0.0, 0.0, 1.0)
    z = (count1 / total1 - count2 / total2) / error
    return Significance(z, z, min(1.0, erfc(abs(z) / sqrt(2))))


@dataclass(frozen=True)
class KpiComparison:
    """One KPI in the version before and in this one."""

    kpi: str  # cycle_time, lead_time, error_rate, quality_rate, rework_rate, sla_rate,
    # waiting, processing
    label: str
    unit: str  # "seconds" (a median) or "rate" (a fraction)
    previous: float | None
    current: float | None
    difference: float | None  # current − previous
    better: bool | None  # whether the change is an improvement; None if none or unknown
    test: str  # "Mann-Whitney U" or "two-proportion z"
    statistic: float | None  # U of this version's sample, or z (this rate minus the one
    # before, in standard errors)
    p_value: float | None
    significant: bool | None  # p < 0.05; None when a version has nothing to test
    previous_count: int  # the sizes of the samples (instances, or runs of a step)
    current_count: int


@dataclass(frozen=True)
class ActivityComparison:
    """The waiting (user tasks only) and processing times of one element."""

    element_id: str
    name: str
    kind: str
    waiting: KpiComparison | None
    processing: KpiComparison


@dataclass(frozen=True)
class VersionComparison:
    """Version ``version`` of a process against ``previous_version``."""

    key: str
    name: str
    version: int
    previous_version: int
    kpis: list[KpiComparison]
    activities: list[ActivityComparison]  # elements measured in both versions
    method: str


@dataclass(frozen=True)
class _Measured:
    """What one version's finished instances and completed steps gave."""

    facts: object
    frame: pd.DataFrame  # one row per finished instance
    tasks: pd.DataFrame  # element_id, waiting, processing of each completed task
    steps: pd.DataFrame  # element_id, processing of each run of the other timed elements


def compare_versions(key: str, version: int | None = None) -> VersionComparison:
    """Compare version ``version`` (default: the newest) of ``key`` with the one before.

    Raise NoSuchProcess or NoSuchVersion, and NoEarlierVersion for a first version.
    """
    definitions = definitions_of(key)
    chosen = definitions_of(key, version)[0]
    earlier = [d for d in definitions if d.version < chosen.version]
    if not earlier:
        raise NoEarlierVersion(f"Version {chosen.version} of '{key}' is its first: there is "
                               "no earlier version to compare it with.")
    with history.reading():
        before, now = _measure(earlier[0]), _measure(chosen)
    return VersionComparison(
        key=key, name=chosen.display_name, version=chosen.version,
        previous_version=earlier[0].version, kpis=_kpis(before, now),
        activities=_activities(before, now),
        method=(
            "Each version is measured on all its instances that ever finished. Durations "
            "show their medians and are compared with the Mann-Whitney U test; rates with "
            "the two-proportion z test. Both are two-sided; a difference is significant "
            f"when p < {ALPHA:g}. The U test uses the normal approximation with tie and "
            "continuity corrections (no exact p-values for small samples, so treat runs "
            "of fewer than about ten instances with care). Cycle time, lead time and the "
            "SLA count completed instances; the rates count every finished one. Per step: "
            "runs completed in each version, waiting for user tasks only. "
            + lead_time_method([before.facts, now.facts])
        ),
    )


def _measure(definition) -> _Measured:
    facts = facts_for(definition)
    frame = history.finished_frame(
        history.finished([definition.pk], None, None), [facts], history.requested_at([facts])
    )
    tasks = history.duration_frame(
        history.completed_tasks([definition.pk]),
        {"waiting": history.task_waiting(), "processing": history.task_processing()},
        group="element_id",
    )
    steps = history.duration_frame(
        history.completed_activities([facts]),
        {"processing": elapsed("started_at", "ended_at")}, group="element_id",
    )
    return _Measured(facts, frame, tasks, steps)


def _kpis(before: _Measured, now: _Measured) -> list[KpiComparison]:
    def durations(measured, seconds):
        completed = measured.frame[measured.frame["state"] == COMPLETED]
        return seconds(completed)

    def cycle(frame):
        return (frame["ended_at"] - frame["started_at"]).dt.total_seconds()

    def counts(measured, mask):
        return int(mask(measured.frame).sum()), len(measured.frame)

    def sla(measured):
        return sla_counts(measured.frame, [measured.facts])

    return [
        _durations("cycle_time", "Cycle time (median)",
                   durations(before, cycle), durations(now, cycle)),
        _durations("lead_time", "Lead time (median)", durations(before, history.lead_seconds),
                   durations(now, history.lead_seconds)),
        _rates("error_rate", "Error rate", counts(before, failed_instances),
               counts(now, failed_instances), lower_is_better=True),
        _rates("quality_rate", "First-pass yield", counts(before, first_pass_instances),
               counts(now, first_pass_instances), lower_is_better=False),
        _rates("rework_rate", "Rework rate", counts(before, lambda f: f["rework"]),
               counts(now, lambda f: f["rework"]), lower_is_better=True),
        _rates("sla_rate", "Completed within the SLA", sla(before), sla(now),
               lower_is_better=False),
    ]


def _durations(kpi: str, label: str, previous: pd.Series, current: pd.Series) -> KpiComparison:
    """Compare the medians of two samples of durations; shorter is better."""
    before = float(previous.median()) if len(previous) else None
    now = float(current.median()) if len(current) else None
    difference = now - before if before is not None and now is not None else None
    return _comparison(kpi, label, "seconds", before, now, difference,
                       better=None if not difference else difference < 0,
                       test="Mann-Whitney U", outcome=mann_whitney_u(current, previous),
                       counts=(len(previous), len(current)))


def _rates(kpi: str, label: str, previous: tuple[int, int], current: tuple[int, int], *,
           lower_is_better: bool) -> KpiComparison:
    """Compare two rates given as (count, total)."""
    before = previous[0] / previous[1] if previous[1] else None
    now = current[0] / current[1] if current[1] else None
    difference = now - before if before is not None and now is not None else None
    return _comparison(kpi, label, "rate", before, now, difference,
                       better=None if not difference else (difference < 0) == lower_is_better,
                       test="two-proportion z", outcome=two_proportion_z_test(*current, *previous),
                       counts=(previous[1], current[1]))


def _comparison(kpi, label, unit, before, now, difference, *, better, test, outcome,
                counts) -> KpiComparison:
    return KpiComparison(
        kpi=kpi, label=label, unit=unit, previous=before, current=now, difference=difference,
        better=better, test=test,
        statistic=outcome.statistic if outcome else None,
        p_value=outcome.p_value if outcome else None,
        significant=outcome.significant if outcome else None,
        previous_count=counts[0], current_count=counts[1],
    )


def _activities(before: _Measured, now: _Measured) -> list[ActivityComparison]:
    rows = []
    for samples in ("tasks", "steps"):
        earlier, later = getattr(before, samples), getattr(now, samples)
        for element_id in sorted(set(earlier["element_id"]) & set(later["element_id"])):
            old = earlier[earlier["element_id"] == element_id]
            new = later[later["element_id"] == element_id]
            rows.append(ActivityComparison(
                element_id=element_id,
                name=now.facts.names.get(element_id, element_id),
                kind=now.facts.kinds.get(element_id, ""),
                waiting=(_durations("waiting", "Waiting (median)", old["waiting"], new["waiting"])
                         if samples == "tasks" else None),
                processing=_durations("processing", "Processing (median)", old["processing"],
                                      new["processing"]),
            ))
    return rows
