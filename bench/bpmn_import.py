"""Parse + validate and render a 2,000-task model with diagram information.

Targets (issue 3): parse and validate under 1 s, render under 0.5 s.
Run: `make bench` or `python -m bench.bpmn_import`.
"""

import time

from bench.models import wide_model
from processes.bpmn import load_definitions
from processes.bpmn.render import render_svg
from processes.bpmn.xml import parse_xml


def best_of(runs, func):
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        func()
        times.append(time.perf_counter() - started)
    return min(times), sorted(times)[len(times) // 2]


def main():
    data = wide_model(2000)
    loaded = load_definitions(data, max_bytes=len(data) + 1)
    nodes = len(loaded.definitions.processes["big"].nodes)
    load_best, load_median = best_of(5, lambda: load_definitions(data, max_bytes=len(data) + 1))
    tree = parse_xml(data)
    render_best, render_median = best_of(5, lambda: render_svg(tree))
    print(f"model: {nodes} flow nodes, {len(data) / 1e6:.1f} MB of XML with DI")
    print(f"parse + compile + validate + XSD: best {load_best * 1000:.0f} ms, median {load_median * 1000:.0f} ms (target < 1000 ms)")
    print(f"render SVG: best {render_best * 1000:.0f} ms, median {render_median * 1000:.0f} ms (target < 500 ms)")


if __name__ == "__main__":
    main()
