"""Nelson's eight rules, each on a sequence that signals and on one that just does not.

Every sequence is drawn around centre 0 with sigma 1, so a value is its distance in sigmas.
"""

from datetime import date

import pytest
from django.core.exceptions import ImproperlyConfigured

from metrics import rules
from metrics.rules import ABOVE, BELOW, DOWN, UP, Violation

WORDS = rules.Wording(
    "instance", "instances", "slower than the mean", "faster than the mean",
    "each slower than the one before", "each faster than the one before",
)


def found(rule, values, **thresholds):
    return [(v.points, v.side) for v in rule(values, 0.0, 1.0, **thresholds)]


def test_rule_1_flags_a_point_beyond_three_sigma_on_either_side():
    assert found(rules.rule_1, [0, 3.1, 0, -3.5]) == [((1,), ABOVE), ((3,), BELOW)]


def test_rule_1_does_not_flag_a_point_exactly_at_three_sigma():
    assert found(rules.rule_1, [3.0, -3.0, 2.9]) == []


def test_rule_2_flags_nine_in_a_row_on_one_side_as_one_signal():
    assert found(rules.rule_2, [0.5] * 9) == [(tuple(range(9)), ABOVE)]
    assert found(rules.rule_2, [-0.1] * 12) == [(tuple(range(12)), BELOW)]


def test_rule_2_does_not_flag_a_run_broken_by_a_point_on_the_centre():
    assert found(rules.rule_2, [0.5] * 8 + [0] + [0.5] * 8) == []


def test_rule_3_flags_six_in_a_row_increasing_or_decreasing():
    assert found(rules.rule_3, [1, 2, 3, 4, 5, 6]) == [((0, 1, 2, 3, 4, 5), UP)]
    assert found(rules.rule_3, [0, 6, 5, 4, 3, 2, 1]) == [((1, 2, 3, 4, 5, 6), DOWN)]


def test_rule_3_does_not_flag_five_steps_up_with_a_tie():
    assert found(rules.rule_3, [1, 2, 3, 4, 5, 5]) == []


def test_rule_4_flags_fourteen_alternating_up_and_down():
    assert found(rules.rule_4, [0.5, -0.5] * 7) == [(tuple(range(14)), "")]


def test_rule_4_does_not_flag_thirteen_alternating():
    assert found(rules.rule_4, [0.5, -0.5] * 6 + [0.5, 0.6]) == []


def test_rule_5_flags_two_of_three_beyond_two_sigma_on_the_same_side():
    assert found(rules.rule_5, [2.1, 0, 2.1]) == [((0, 2), ABOVE)]


def test_rule_5_does_not_flag_two_beyond_two_sigma_four_apart_or_on_both_sides():
    assert found(rules.rule_5, [2.1, 0, 0, 2.1]) == []
    assert found(rules.rule_5, [2.1, -2.1, 0]) == []


def test_rule_5_merges_overlapping_windows_into_one_signal():
    [violation] = rules.rule_5([2.1, 2.1, 2.1, 0, 0], 0.0, 1.0)
    assert (violation.points, violation.span) == ((0, 1, 2), 3)


def test_rule_6_flags_four_of_five_beyond_one_sigma_on_the_same_side():
    assert found(rules.rule_6, [-1.1, -1.1, 0, -1.1, -1.1]) == [((0, 1, 3, 4), BELOW)]


def test_rule_6_does_not_flag_four_beyond_one_sigma_spread_over_six():
    assert found(rules.rule_6, [1.1, 1.1, 0, 0, 1.1, 1.1]) == []


def test_rule_7_flags_fifteen_in_a_row_within_one_sigma():
    assert found(rules.rule_7, [0.9, -0.9, 0.2] * 5) == [(tuple(range(15)), "")]


def test_rule_7_does_not_flag_fifteen_when_one_lies_exactly_at_one_sigma():
    assert found(rules.rule_7, [0.9, -0.9, 0.2] * 4 + [0.9, -0.9, 1.0]) == []


def test_rule_8_flags_eight_in_a_row_beyond_one_sigma_on_either_side():
    assert found(rules.rule_8, [1.5, -1.5, -2, 1.2] * 2) == [(tuple(range(8)), "")]


def test_rule_8_does_not_flag_seven_beyond_one_sigma_and_one_within():
    assert found(rules.rule_8, [1.5, -1.5, -2, 1.2, 1.5, -1.5, -2, 0.9]) == []


def test_thresholds_change_with_the_rule():
    assert found(rules.rule_1, [2.5], sigmas=2.0) == [((0,), ABOVE)]
    assert found(rules.rule_2, [0.5] * 7, run=7) == [(tuple(range(7)), ABOVE)]
    assert found(rules.rule_5, [2.1, 0, 2.1, 0], count=3, window=4) == []


def test_check_applies_every_rule_earliest_signal_first():
    values = [0.5] * 9 + [3.5]
    assert [(v.rule, v.points) for v in rules.check(values, 0.0, 1.0)] == [
        (2, tuple(range(10))), (1, (9,))
    ]


def test_check_finds_nothing_without_spread():
    assert rules.check([5.0] * 20, 5.0, 0.0) == []
    assert rules.check([5.0], 5.0, None) == []


def test_settings_change_thresholds_and_turn_rules_off(settings):
    settings.NELSON_RULES = {"2": {"run": 7}, "1": None}
    assert rules.configured()[2] == {"run": 7}
    assert 1 not in rules.configured()
    assert [v.rule for v in rules.check([0.5] * 7 + [9.0], 0.0, 1.0)] == [2]


def test_settings_naming_an_unknown_rule_or_threshold_are_refused(settings):
    settings.NELSON_RULES = {"9": {"run": 3}}
    with pytest.raises(ImproperlyConfigured, match="no rule 9"):
        rules.configured()
    settings.NELSON_RULES = {"2": {"length": 3}}
    with pytest.raises(ImproperlyConfigured, match="rule 2 takes run, not length"):
        rules.configured()


@pytest.mark.parametrize("violation, text", [
    (Violation(1, (4,), ABOVE, 1, 3.0),
     "1 instance more than 3σ slower than the mean, on 2026-11-02"),
    (Violation(2, tuple(range(9)), ABOVE, 9),
     "9 instances in a row slower than the mean since 2026-11-02"),
    (Violation(3, tuple(range(6)), DOWN, 6),
     "6 instances in a row each faster than the one before since 2026-11-02"),
    (Violation(4, tuple(range(14)), "", 14),
     "14 instances in a row alternating up and down since 2026-11-02"),
    (Violation(5, (0, 2), BELOW, 3, 2.0),
     "2 of 3 instances in a row more than 2σ faster than the mean since 2026-11-02"),
    (Violation(6, (0, 1, 2, 4), ABOVE, 5, 1.0),
     "4 of 5 instances in a row more than 1σ slower than the mean since 2026-11-02"),
    (Violation(7, tuple(range(15)), "", 15, 1.0),
     "15 instances in a row within 1σ of the mean since 2026-11-02"),
    (Violation(8, tuple(range(8)), "", 8, 1.5),
     "8 instances in a row more than 1.5σ from the mean since 2026-11-02"),
])
def test_each_signal_is_described_in_plain_words(violation, text):
    assert rules.describe(violation, WORDS, date(2026, 11, 2)) == text
