"""Multi-instance: a parallel script task over 100 and over 1,000 items, in the pure engine.

One start runs the whole instance: the body starts every instance, each runs its script
and hands its output back, the outputs are gathered into a list, and the state is written
as the instance row would hold it (JSON). No database: this measures the engine alone.

Target (issue: multi-instance and loops): time linear in the number of items, so the
1,000-item run costs at most about 12 times the 100-item one. Run:
`python -m bench.multi_instance`; BENCH_REPEATS sets how many runs each figure is the best of.
"""

import json
import os
import time
from datetime import UTC, datetime

from processes.bpmn.parser import compile_definitions
from processes.bpmn.xml import parse_xml
from processes.engine.runtime import Engine

PARALLEL_SCRIPT = b"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:baton="http://baton-bpm.org/schema/1.0/bpmn" id="d" targetNamespace="t">
  <process id="each_item" isExecutable="true">
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="double"/>
    <scriptTask id="double">
      <multiInstanceLoopCharacteristics isSequential="false" baton:collection="${items}"
          baton:elementVariable="item">
        <loopDataOutputRef>doubled</loopDataOutputRef>
        <outputDataItem name="result"/>
      </multiInstanceLoopCharacteristics>
      <script>result = item * 2</script>
    </scriptTask>
    <sequenceFlow id="f2" sourceRef="double" targetRef="end"/>
    <endEvent id="end"/>
  </process>
</definitions>
"""


def engine() -> Engine:
    definitions = compile_definitions(parse_xml(PARALLEL_SCRIPT))
    return Engine(definitions.processes["each_item"], lambda: datetime.now(UTC), definitions)


def best_ms(run_engine: Engine, size: int, repeats: int) -> float:
    """Return the fastest of ``repeats`` runs of one instance over ``size`` items, in ms."""
    items = list(range(size))
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        result = run_engine.start({"items": items})
        json.dumps(result.state.to_json())
        times.append((time.perf_counter() - began) * 1000)
        assert result.state.variables["doubled"] == [2 * i for i in items]
    return min(times)


def main() -> None:
    repeats = int(os.environ.get("BENCH_REPEATS", "15"))
    run_engine = engine()
    best_ms(run_engine, 100, 3)  # warm up: the plan, the compiled script
    small, large = best_ms(run_engine, 100, repeats), best_ms(run_engine, 1000, repeats)
    print("Parallel multi-instance script task, one start run to its end (pure engine)")
    print(f"  100 items:   {small:8.2f} ms")
    print(f"  1,000 items: {large:8.2f} ms")
    print(f"  ratio:       {large / small:8.1f}x (linear: about 10x; target at most about 12x)")


if __name__ == "__main__":
    main()
