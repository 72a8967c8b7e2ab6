"""Print how the engine does on betsy's executable cases, beside the engines of SOSE 2015.

Run from the project root: ``python -m tests.conformance.betsy_report``. The comparison
counts, as the paper's data does, a test as passed only if all its cases pass; a case we
report as unsupported counts as not passed.
"""

import json
from collections import Counter, defaultdict

from tests.conformance.betsy_runner import BETSY_DIR, GROUPS, entries, run_case

STATUSES = ("passed", "unsupported", "failed", "error")


def run_all() -> dict[str, list]:
    """Return the results of every case, by test id."""
    return {entry["id"]: [run_case(entry, case) for case in entry["cases"]] for entry in entries()}


def print_groups(results: dict[str, list]) -> None:
    counts = defaultdict(Counter)
    for entry in entries():
        for result in results[entry["id"]]:
            counts[entry["group"]][result.status] += 1
            counts["total"][result.status] += 1
    print(f"{'group':<12}{'cases':>7}" + "".join(f"{status:>13}" for status in STATUSES))
    for group in (*GROUPS, "total"):
        row = counts[group]
        print(f"{group:<12}{row.total():>7}" + "".join(f"{row[status]:>13}" for status in STATUSES))


def print_failures(results: dict[str, list]) -> None:
    for test_id, test_results in results.items():
        for number, result in enumerate(test_results, start=1):
            if result.status in ("failed", "error"):
                print(f"  {test_id}-{number} {result.status}: {result.reason}")


def print_comparison(results: dict[str, list]) -> None:
    """Print tests passed (cases passed) per group of the 2014 suite, ours and theirs."""
    published = json.loads((BETSY_DIR / "published_results_sose2015.json").read_text())
    engines = list(published["summary"])
    rows = defaultdict(lambda: defaultdict(Counter))
    for test in published["tests"]:
        ours = [result.status == "passed" for result in results[test["id"]]]
        scores = {"baton": (all(ours), sum(ours), len(ours))}
        for engine in engines:
            outcome = test["results"][engine]
            cases = outcome["cases"]
            scores[engine] = (outcome["passed"], cases - outcome["failed_cases"], cases)
        for group in (test["group"], "total"):
            for engine, (passed, cases_passed, cases) in scores.items():
                rows[group][engine].update(
                    tests=1, tests_passed=passed, cases=cases, cases_passed=cases_passed
                )
    names = ["baton", *engines]
    print(f"{'group (tests)':<16}" + "".join(f"{name:>18}" for name in names))
    for group in [group for group in (*GROUPS, "total") if group in rows]:
        by_engine = rows[group]
        label = f"{group} ({by_engine['baton']['tests']})"
        cells = [f"{by_engine[n]['tests_passed']} ({by_engine[n]['cases_passed']})" for n in names]
        print(f"{label:<16}" + "".join(f"{cell:>18}" for cell in cells))


def main() -> None:
    results = run_all()
    print("betsy executable cases (enabled in betsy), run through Baton's engine\n")
    print_groups(results)
    print("\nFailed or crashed cases:")
    print_failures(results)
    print("\nSOSE 2015 suite: tests passed (cases passed), Baton now beside the 2014 run\n")
    print_comparison(results)


if __name__ == "__main__":
    main()
