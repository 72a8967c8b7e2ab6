"""Growth: an instance looping 1,000 times through a gateway vs one looping 100 times.

Target (issue 4): the long one costs at most 12x the short one (no quadratic growth in
history or state). Runs on the database of DATABASE_URL (SQLite by default).
Run: `python -m bench.growth`.
"""

import time

from bench.django_setup import setup

LOOP = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <process id="loop_{n}" isExecutable="true">
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="init"/>
    <scriptTask id="init"><script>i = 0</script></scriptTask>
    <sequenceFlow id="f2" sourceRef="init" targetRef="step"/>
    <scriptTask id="step"><script>i = i + 1</script></scriptTask>
    <sequenceFlow id="f3" sourceRef="step" targetRef="again"/>
    <exclusiveGateway id="again" default="done"/>
    <sequenceFlow id="back" sourceRef="again" targetRef="step">
      <conditionExpression>${{i &lt; {n}}}</conditionExpression>
    </sequenceFlow>
    <sequenceFlow id="done" sourceRef="again" targetRef="end"/>
    <endEvent id="end"/>
  </process>
</definitions>
"""


def cost(n: int, runs: int) -> float:
    from processes.deployments import deploy
    from processes.instances import start_instance

    definition = deploy(LOOP.format(n=n).encode(), name=f"loop-{n}.bpmn").definitions[0]
    start_instance(definition)  # warm the caches
    started = time.perf_counter()
    for _ in range(runs):
        instance = start_instance(definition)
    elapsed = (time.perf_counter() - started) / runs
    assert instance.state == "completed" and instance.variables["i"] == n
    return elapsed


def main():
    setup()
    short, long = cost(100, 20), cost(1000, 5)
    print(f"loop 100x: {short * 1000:.1f} ms per instance")
    print(f"loop 1000x: {long * 1000:.1f} ms per instance")
    print(f"ratio: {long / short:.1f}x (target <= 12x)")


if __name__ == "__main__":
    main()
