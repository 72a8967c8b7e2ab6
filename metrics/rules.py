"""Nelson's eight tests for special causes on a control chart (L. S. Nelson, 1984).

Each rule is a function of a chart's values, centre line and sigma that returns where the
values signal, as ``Violation``s holding point indices. The thresholds default to Nelson's
numbers; the NELSON_RULES setting changes them or turns rules off. The rules know nothing
of processes: ``metrics.control`` hands them its points and the words to describe them.
"""

from dataclasses import dataclass, replace
from datetime import date
from itertools import pairwise

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

ABOVE, BELOW = "above", "below"  # of the centre line
UP, DOWN = "up", "down"  # of a trend
SIDES = ((ABOVE, 1), (BELOW, -1))

# Nelson's thresholds: how far (in sigmas) and how many points in a row.
DEFAULTS = {
    1: {"sigmas": 3.0},
    2: {"run": 9},
    3: {"run": 6},
    4: {"run": 14},
    5: {"count": 2, "window": 3, "sigmas": 2.0},
    6: {"count": 4, "window": 5, "sigmas": 1.0},
    7: {"run": 15, "sigmas": 1.0},
    8: {"run": 8, "sigmas": 1.0},
}


@dataclass(frozen=True)
class Violation:
    """Where a rule signals: the indices of the points that make the signal.

    ``side`` is ABOVE or BELOW the centre (rules 1, 2, 5, 6), UP or DOWN (rule 3), or ""
    for the rules about spread (4, 7, 8). ``span`` is how many points in a row the signal
    covers (the 3 of "2 of 3"), ``sigmas`` how far from the centre the rule looked.
    """

    rule: int
    points: tuple[int, ...]
    side: str = ""
    span: int = 0
    sigmas: float = 0.0

    def shifted(self, offset: int) -> "Violation":
        """Return the violation with its indices moved by ``offset`` (segment to chart)."""
        return replace(self, points=tuple(i + offset for i in self.points))


@dataclass(frozen=True)
class Wording:
    """How a chart speaks of its points and their sides, to describe a signal."""

    one: str  # "instance"
    many: str  # "instances"
    above: str  # "slower than the mean"
    below: str
    up: str  # "each slower than the one before"
    down: str


def rule_1(values, centre, sigma, *, sigmas=3.0) -> list[Violation]:
    """One point more than ``sigmas`` sigma from the centre: a special cause."""
    return [
        Violation(1, (i,), ABOVE if x > centre else BELOW, 1, sigmas)
        for i, x in enumerate(values)
        if abs(x - centre) > sigmas * sigma
    ]


def rule_2(values, centre, sigma, *, run=9) -> list[Violation]:
    """``run`` points in a row on one side of the centre: the mean has shifted."""
    found = []
    for side, sign in SIDES:
        flags = [(x - centre) * sign > 0 for x in values]
        found += [Violation(2, tuple(r), side, len(r)) for r in _runs(flags, run)]
    return found


def rule_3(values, centre, sigma, *, run=6) -> list[Violation]:
    """``run`` points in a row each higher (or each lower) than the one before: a trend."""
    found = []
    for side, sign in ((UP, 1), (DOWN, -1)):
        steps = [(b - a) * sign > 0 for a, b in pairwise(values)]
        found += [
            Violation(3, tuple(range(r.start, r.stop + 1)), side, len(r) + 1)
            for r in _runs(steps, run - 1)
        ]
    return found


def rule_4(values, centre, sigma, *, run=14) -> list[Violation]:
    """``run`` points in a row alternating up and down: two sources take turns."""
    turns = [(b - a) * (c - b) < 0 for a, b, c in zip(values, values[1:], values[2:])]
    return [
        Violation(4, tuple(range(r.start, r.stop + 2)), "", len(r) + 2)
        for r in _runs(turns, run - 2)
    ]


def rule_5(values, centre, sigma, *, count=2, window=3, sigmas=2.0) -> list[Violation]:
    """``count`` of ``window`` points in a row beyond ``sigmas`` sigma on one side."""
    return _some_of_window(5, values, centre, sigma, count, window, sigmas)


def rule_6(values, centre, sigma, *, count=4, window=5, sigmas=1.0) -> list[Violation]:
    """``count`` of ``window`` points in a row beyond ``sigmas`` sigma on one side."""
    return _some_of_window(6, values, centre, sigma, count, window, sigmas)


def rule_7(values, centre, sigma, *, run=15, sigmas=1.0) -> list[Violation]:
    """``run`` points in a row within ``sigmas`` sigma: less spread than the limits assume.

    The sigma was likely estimated from mixed data, or the points are averages of sources
    that differ (stratification).
    """
    flags = [abs(x - centre) < sigmas * sigma for x in values]
    return [Violation(7, tuple(r), "", len(r), sigmas) for r in _runs(flags, run)]


def rule_8(values, centre, sigma, *, run=8, sigmas=1.0) -> list[Violation]:
    """``run`` points in a row beyond ``sigmas`` sigma, on either side: a mixture."""
    flags = [abs(x - centre) > sigmas * sigma for x in values]
    return [Violation(8, tuple(r), "", len(r), sigmas) for r in _runs(flags, run)]


RULES = {1: rule_1, 2: rule_2, 3: rule_3, 4: rule_4, 5: rule_5, 6: rule_6, 7: rule_7, 8: rule_8}


def check(values, centre: float, sigma: float | None) -> list[Violation]:
    """Apply every rule switched on, with its configured thresholds; earliest signal first.

    A sigma of zero (every value the same) or none (a single value) gives nothing to test.
    """
    if not sigma or sigma <= 0:
        return []
    found = []
    for number, options in configured().items():
        found += RULES[number](values, centre, sigma, **options)
    return sorted(found, key=lambda v: (v.points[0], v.rule))


def configured() -> dict[int, dict]:
    """Return the rules switched on with their thresholds: Nelson's, changed by settings."""
    overrides = {str(number): options for number, options in settings.NELSON_RULES.items()}
    unknown = set(overrides) - {str(number) for number in DEFAULTS}
    if unknown:
        raise ImproperlyConfigured(f"NELSON_RULES names no rule {', '.join(sorted(unknown))}.")
    rules = {}
    for number, defaults in DEFAULTS.items():
        override = overrides.get(str(number), {})
        if override is None:
            continue
        wrong = set(override) - set(defaults)
        if wrong:
            raise ImproperlyConfigured(
                f"NELSON_RULES: rule {number} takes {', '.join(defaults)}, "
                f"not {', '.join(sorted(wrong))}."
            )
        rules[number] = {**defaults, **override}
    return rules


def describe(violation: Violation, words: Wording, since: date) -> str:
    """Say in plain words what ``violation`` shows, from the day of its first point."""
    n, day = len(violation.points), since.isoformat()
    side = {ABOVE: words.above, BELOW: words.below, UP: words.up, DOWN: words.down}.get(
        violation.side, ""
    )
    far = f"{violation.sigmas:g}σ"
    match violation.rule:
        case 1:
            return f"1 {words.one} more than {far} {side}, on {day}"
        case 2 | 3:
            return f"{n} {words.many} in a row {side} since {day}"
        case 4:
            return f"{n} {words.many} in a row alternating up and down since {day}"
        case 5 | 6:
            return f"{n} of {violation.span} {words.many} in a row more than {far} {side} since {day}"
        case 7:
            return f"{n} {words.many} in a row within {far} of the mean since {day}"
        case _:
            return f"{n} {words.many} in a row more than {far} from the mean since {day}"


def _runs(flags: list[bool], length: int) -> list[range]:
    """Return the longest stretches of True in ``flags`` that are at least ``length`` long."""
    found, start = [], None
    for i, flag in enumerate([*flags, False]):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            if i - start >= length:
                found.append(range(start, i))
            start = None
    return found


def _some_of_window(rule, values, centre, sigma, count, window, sigmas) -> list[Violation]:
    """Windows of ``window`` points holding ``count`` beyond ``sigmas`` on one side.

    Overlapping windows that signal make one violation, from its first point beyond to its
    last: "3 of 4" rather than two signals about the same points.
    """
    found = []
    for side, sign in SIDES:
        beyond = [(x - centre) * sign > sigmas * sigma for x in values]
        spans: list[list[int]] = []
        for start in range(len(values) - window + 1):
            if sum(beyond[start:start + window]) < count:
                continue
            if spans and start < spans[-1][1]:
                spans[-1][1] = start + window
            else:
                spans.append([start, start + window])
        for start, stop in spans:
            points = tuple(i for i in range(start, stop) if beyond[i])
            span = max(window, points[-1] - points[0] + 1)
            found.append(Violation(rule, points, side, span, sigmas))
    return found
