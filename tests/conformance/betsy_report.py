"""Report how the engine does on betsy's executable cases, beside the engines of SOSE 2015.

Run from the project root: ``python -m tests.conformance.betsy_report`` prints the report
as Markdown; with ``--write`` it also replaces the betsy section of docs/conformance.md
(between its ``betsy:start`` and ``betsy:end`` comments). ``make conformance`` does both.
A test counts as passed only if all its cases pass, as in the paper's data; a case we
report as unsupported counts as not passed.
"""

import json
import sys
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

from tests.conformance.betsy_runner import BETSY_DIR, GROUPS, entries, run_case

STATUSES = ("passed", "unsupported", "failed", "error")
DOC = Path(__file__).resolve().parents[2] / "docs" / "conformance.md"
START, END = "<!-- betsy:start -->", "<!-- betsy:end -->"


def run_all() -> dict[str, list]:
    """Return the results of every case, by test id."""
    return {entry["id"]: [run_case(entry, case) for case in entry["cases"]] for entry in entries()}


def summary(results: dict[str, list]) -> str:
    tests = [all(r.status == "passed" for r in rs) for rs in results.values()]
    cases = [r.status == "passed" for rs in results.values() for r in rs]
    return (f"betsy: {sum(tests)}/{len(tests)} tests, {sum(cases)}/{len(cases)} cases passed "
            f"({date.today().isoformat()})")


def groups_table(results: dict[str, list]) -> list[str]:
    counts = defaultdict(Counter)
    for entry in entries():
        for result in results[entry["id"]]:
            counts[entry["group"]][result.status] += 1
            counts["total"][result.status] += 1
    lines = ["| group | cases | " + " | ".join(STATUSES) + " |", "|---" * (len(STATUSES) + 2) + "|"]
    for group in (*GROUPS, "total"):
        row = counts[group]
        lines.append(f"| {group} | {row.total()} | " + " | ".join(str(row[s]) for s in STATUSES) + " |")
    return lines


def failures(results: dict[str, list]) -> list[str]:
    """Each failing case with what went wrong, and why, where betsy's expectation is at fault."""
    from tests.conformance.test_betsy import BETSY_ERRATA, ENGINE_BUGS

    known = {**ENGINE_BUGS, **BETSY_ERRATA}
    lines = []
    for test_id, test_results in results.items():
        for number, result in enumerate(test_results, start=1):
            if result.status in ("failed", "error"):
                why = f" Why: {known[f'{test_id}-{number}']}." if f"{test_id}-{number}" in known else ""
                lines.append(f"- `{test_id}-{number}` {result.status}: {result.reason}.{why}")
    return lines or ["- none"]


def unsupported(results: dict[str, list]) -> list[str]:
    reasons = Counter()
    for test_results in results.values():
        for reason in {r.reason for r in test_results if r.status == "unsupported"}:
            reasons[reason] += 1
    return [f"- {count} tests: {reason}" for reason, count in reasons.most_common()] or ["- none"]


def comparison(results: dict[str, list]) -> list[str]:
    """Tests passed (cases passed) per group of the 2014 suite, ours and theirs."""
    published = json.loads((BETSY_DIR / "published_results_sose2015.json").read_text())
    engines = list(published["summary"])
    rows = defaultdict(lambda: defaultdict(Counter))
    for test in published["tests"]:
        ours = [result.status == "passed" for result in results[test["id"]]]
        scores = {"baton": (all(ours), sum(ours))}
        for engine in engines:
            outcome = test["results"][engine]
            scores[engine] = (outcome["passed"], outcome["cases"] - outcome["failed_cases"])
        for group in (test["group"], "total"):
            for engine, (passed, cases_passed) in scores.items():
                rows[group][engine].update(tests=1, tests_passed=passed, cases_passed=cases_passed)
    names = ["baton", *engines]
    lines = ["| group (tests) | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
    for group in [group for group in (*GROUPS, "total") if group in rows]:
        by_engine = rows[group]
        cells = [f"{by_engine[n]['tests_passed']} ({by_engine[n]['cases_passed']})" for n in names]
        lines.append(f"| {group} ({by_engine['baton']['tests']}) | " + " | ".join(cells) + " |")
    return lines


def report(results: dict[str, list]) -> str:
    return "\n".join([
        summary(results), "",
        "Cases by group:", "", *groups_table(results), "",
        "Failing cases, with the reason:", "", *failures(results), "",
        "Tests skipped because they use an element the engine refuses as not supported yet:", "",
        *unsupported(results), "",
        "On the 70 tests of the 2015 study (SOSE 2015): tests passed (cases passed), beside the "
        "published results of that run:", "", *comparison(results),
    ])


def write(text: str) -> None:
    doc = DOC.read_text()
    before, rest = doc.split(START, 1)
    _, after = rest.split(END, 1)
    DOC.write_text(f"{before}{START}\n{text}\n{END}{after}")


def main() -> None:
    text = report(run_all())
    print(text)
    if "--write" in sys.argv:
        write(text)


if __name__ == "__main__":
    main()
