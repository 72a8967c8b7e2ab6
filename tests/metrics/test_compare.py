"""Version against version: the two tests, checked by hand and on a textbook example, and
the comparison a manager reads."""

from datetime import UTC, datetime, timedelta

import pytest

from metrics.compare import (
    NoEarlierVersion,
    compare_versions,
    mann_whitney_u,
    two_proportion_z_test,
)
from metrics.kpis import NoSuchVersion
from processes.deployments import deploy
from processes.models import ProcessInstance
from tests.metrics.test_kpis import CLAIMS, History

HOUR = 3600


def test_mann_whitney_u_gives_conovers_textbook_result():
    # Conover, Practical Nonparametric Statistics (the example of scipy's documentation):
    # U = 17 for the first sample, p = 0.1113 by the normal approximation.
    result = mann_whitney_u([19, 22, 16, 29, 24], [20, 11, 17, 12])
    assert result.statistic == 17
    assert result.p_value == pytest.approx(0.1113469, abs=1e-7)
    assert not result.significant


def test_mann_whitney_u_of_two_separate_samples_worked_by_hand():
    # Ranks of the first sample 1, 2, 3: U = 6 - 3 × 4 / 2 = 0. Mean 3 × 3 / 2 = 4.5,
    # variance 3 × 3 / 12 × 7 = 5.25; z = (4.5 - 0.5) / √5.25 = 1.7457 (below the mean),
    # p = 2 × (1 - Φ(1.7457)) = 0.0809.
    result = mann_whitney_u([1, 2, 3], [4, 5, 6])
    assert (result.statistic, result.z) == (0, pytest.approx(-1.7457, abs=1e-4))
    assert result.p_value == pytest.approx(0.0809, abs=1e-4)


def test_mann_whitney_u_corrects_for_ties_worked_by_hand():
    # Together: 1 | 2 2 2 | 3 3 | 4 | 5, ranks 1 | 3 3 3 | 5.5 5.5 | 7 | 8.
    # First sample 1, 2, 2, 3: R = 1 + 3 + 3 + 5.5 = 12.5, U = 12.5 - 4 × 5 / 2 = 2.5.
    # Ties: (3³ - 3) + (2³ - 2) = 30; variance = 16 / 12 × (9 - 30 / 56) = 11.2857;
    # z = (|2.5 - 8| - 0.5) / √11.2857 = 1.4884; p = 0.1367.
    result = mann_whitney_u([1, 2, 2, 3], [2, 3, 4, 5])
    assert result.statistic == 2.5
    assert result.z == pytest.approx(-1.4884, abs=1e-4)
    assert result.p_value == pytest.approx(0.1367, abs=1e-4)


def test_mann_whitney_u_has_nothing_to_say_without_data_or_differences():
    assert mann_whitney_u([], [1, 2]) is None
    assert mann_whitney_u([5, 5], [5, 5, 5]).p_value == 1


def test_two_proportion_z_test_worked_by_hand():
    # 45 % of 100 against 30 % of 100: pooled 75 / 200 = 0.375, standard error
    # √(0.375 × 0.625 × (1/100 + 1/100)) = 0.068465; z = 0.15 / 0.068465 = 2.1909,
    # p = 2 × (1 - Φ(2.1909)) = 0.0285: significant at 5 %.
    result = two_proportion_z_test(45, 100, 30, 100)
    assert result.z == pytest.approx(2.1909, abs=1e-4)
    assert result.p_value == pytest.approx(0.0285, abs=1e-4)
    assert result.significant


def test_two_proportions_without_instances_or_variation():
    assert two_proportion_z_test(0, 0, 3, 10) is None
    assert two_proportion_z_test(0, 10, 0, 20).p_value == 1


def at(hours: float) -> str:
    """The time of day ``hours`` after 08:00 on 2 March 2026, for History."""
    moment = datetime(2026, 3, 2, 8, tzinfo=UTC) + timedelta(hours=hours)
    return moment.strftime("%m-%d %H:%M")


def completed(history, hours, *, checked=(1, 1), rework=False, state="completed"):
    """An instance of ``hours`` whose check waited, then was worked on, ``checked`` hours."""
    instance = history.instance(at(0), at(hours), state=state)
    waited, worked = checked
    history.task(instance, at(0), at(waited + worked), claimed=at(waited), quality=not rework)
    if rework:
        history.ran(instance, "ok", at(waited + worked), at(waited + worked))
        history.task(instance, at(waited + worked), at(hours), quality=True)
    return instance


@pytest.fixture
def versions(db):
    first = History(deploy(CLAIMS, name="claims.bpmn").definitions[0])
    second = History(deploy(CLAIMS.replace(b"Claims", b"Claims 2"), name="c2.bpmn").definitions[0])
    # Version 1: 2 h, 4 h (checked twice: rework), 6 h, and one cancelled.
    completed(first, 2, checked=(1, 1))
    completed(first, 4, checked=(2, 1), rework=True)
    completed(first, 6, checked=(3, 1))
    completed(first, 5, state="cancelled")
    # Version 2: 1 h, 1 h, 2 h, 3 h, 3 h; checks wait half as long.
    for hours in (1, 1, 2, 3, 3):
        completed(second, hours, checked=(0.5, 0.5))
    return first, second


def by_kpi(comparison):
    return {kpi.kpi: kpi for kpi in comparison.kpis}


def test_the_newest_version_is_compared_with_the_one_before(versions):
    comparison = compare_versions("claims")
    assert (comparison.version, comparison.previous_version, comparison.name) == (2, 1, "Claims 2")
    cycle = by_kpi(comparison)["cycle_time"]
    # Medians: 4 h before (2, 4, 6), 2 h now (1, 1, 2, 3, 3): 2 h shorter, better.
    assert (cycle.previous, cycle.current, cycle.difference) == (4 * HOUR, 2 * HOUR, -2 * HOUR)
    assert cycle.better is True and (cycle.previous_count, cycle.current_count) == (3, 5)
    # Ranks of the new sample among 1 1 2 2 3 3 4 6: 1.5 1.5 3.5 5.5 5.5, U = 17.5 - 15 =
    # 2.5; ties 3 × (2³ - 2) = 18, variance 15 / 12 × (9 - 18 / 56) = 10.848,
    # z = (7.5 - 2.5 - 0.5) / √10.848 = 1.366, p = 0.172: not significant.
    assert cycle.statistic == 2.5 and cycle.p_value == pytest.approx(0.172, abs=1e-3)
    assert cycle.significant is False and cycle.test == "Mann-Whitney U"
    assert by_kpi(comparison)["lead_time"].current == 2 * HOUR  # no request dates


def test_rates_are_compared_with_the_two_proportion_test(versions):
    kpis = by_kpi(compare_versions("claims", version=2))
    errors = kpis["error_rate"]
    # 1 of 4 failed (cancelled) before, 0 of 5 now.
    assert (errors.previous, errors.current, errors.difference) == (0.25, 0, -0.25)
    assert errors.better is True and errors.significant is False
    # First-pass yield 2 of 4 before (not the rework, not the cancelled), 5 of 5 now.
    quality = kpis["quality_rate"]
    assert (quality.previous, quality.current, quality.better) == (0.5, 1, True)
    assert kpis["rework_rate"].previous == 0.25
    assert (kpis["sla_rate"].previous, kpis["sla_rate"].current) == (1, 1)
    assert kpis["sla_rate"].better is None  # no change


def test_each_step_is_compared_where_both_versions_ran_it(versions):
    (check,) = compare_versions("claims").activities
    # Waiting before: 1 h, 2 h then 1 h (the rework's second check, never claimed: it
    # waited until completed), 3 h, and 1 h in the cancelled one: median 1 h. Now 0.5 h.
    assert (check.element_id, check.name, check.kind) == ("check", "Check claim", "userTask")
    assert (check.waiting.previous, check.waiting.current) == (HOUR, 0.5 * HOUR)
    assert check.waiting.better is True
    assert (check.processing.previous_count, check.processing.current_count) == (5, 5)


def test_a_clear_change_on_enough_instances_is_significant(db):
    first = deploy(CLAIMS, name="claims.bpmn").definitions[0]
    second = deploy(CLAIMS.replace(b"Claims", b"Claims 2"), name="c2.bpmn").definitions[0]
    start = datetime(2026, 3, 2, tzinfo=UTC)
    rows = [
        ProcessInstance(definition=definition, state=state, started_at=start,
                        ended_at=start + timedelta(hours=hours))
        for definition, hours, states in ((first, 10, ["cancelled"] * 10 + ["completed"] * 20),
                                          (second, 1, ["completed"] * 30))
        for state in states
    ]
    ProcessInstance.objects.bulk_create(rows)
    kpis = by_kpi(compare_versions("claims"))
    # Every new instance is faster than every old one: U = 0, far below its mean of 300.
    assert kpis["cycle_time"].statistic == 0 and kpis["cycle_time"].significant
    # 10 of 30 failed before, none now: pooled 10 / 60, z = -3.46, p = 0.0005.
    assert kpis["error_rate"].p_value == pytest.approx(0.000532, abs=1e-5)
    assert kpis["error_rate"].significant


def test_a_first_version_has_nothing_to_compare_with(db):
    deploy(CLAIMS, name="claims.bpmn")
    with pytest.raises(NoEarlierVersion):
        compare_versions("claims")
    with pytest.raises(NoSuchVersion):
        compare_versions("claims", version=4)
