"""Straight-through: a 10-step process run to completion, Baton vs SpiffWorkflow.

Both engines run the same BPMN file in the same process on the same PostgreSQL database:

- Baton: `start_instance` per instance, one transaction each, writing the instance row and
  one history row per activity instance (10 rows).
- SpiffWorkflow: parse once, then per instance run `do_engine_steps`, serialise the
  workflow to JSON and insert it as one row, one transaction each. This is how SpiffArena
  stores a workflow, without its history tables, so it favours SpiffWorkflow.

Each is measured in one process, then in several processes at once (as a server's workers
would run them; the machine has 2 cores, shared with PostgreSQL).

Target (issue 4): Baton at least 3x SpiffWorkflow. Run: `python -m bench.straight_through`
(PostgreSQL via `make bench`); BENCH_SECONDS sets the length of each timed run.
"""

import logging
import multiprocessing
import os
import time

from bench.django_setup import setup

# start, a script, an exclusive split and merge, a parallel fork and join with a script on
# each branch, and the end: ten flow nodes run per instance.
TEN_STEPS = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <process id="ten_steps" isExecutable="true">
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="price"/>
    <scriptTask id="price"><script>total = amount * 2</script></scriptTask>
    <sequenceFlow id="f2" sourceRef="price" targetRef="size"/>
    <exclusiveGateway id="size" default="f_small"/>
    <sequenceFlow id="f_large" sourceRef="size" targetRef="merge">
      <conditionExpression>total &gt; 1000</conditionExpression>
    </sequenceFlow>
    <sequenceFlow id="f_small" sourceRef="size" targetRef="discount"/>
    <scriptTask id="discount"><script>total = total - 5</script></scriptTask>
    <sequenceFlow id="f3" sourceRef="discount" targetRef="merge"/>
    <exclusiveGateway id="merge"/>
    <sequenceFlow id="f4" sourceRef="merge" targetRef="fork"/>
    <parallelGateway id="fork"/>
    <sequenceFlow id="f5" sourceRef="fork" targetRef="tax"/>
    <sequenceFlow id="f6" sourceRef="fork" targetRef="fee"/>
    <scriptTask id="tax"><script>tax = total / 5</script></scriptTask>
    <scriptTask id="fee"><script>fee = 3</script></scriptTask>
    <sequenceFlow id="f7" sourceRef="tax" targetRef="join"/>
    <sequenceFlow id="f8" sourceRef="fee" targetRef="join"/>
    <parallelGateway id="join"/>
    <sequenceFlow id="f9" sourceRef="join" targetRef="end"/>
    <endEvent id="end"/>
  </process>
</definitions>
"""


def count_runs(run_one, seconds: float) -> int:
    """Run ``run_one`` repeatedly for ``seconds`` (after a warm-up); return how many ran."""
    for _ in range(20):
        run_one()
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        run_one()
        count += 1
    return count


def rate(make_runner, seconds: float, processes: int) -> float:
    """Runs per second of ``processes`` processes each looping for ``seconds``."""
    from django.db import connections

    connections.close_all()  # each process opens its own connection
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        counts = pool.starmap(_count_in_child, [(make_runner, seconds)] * processes)
    return sum(counts) / seconds


def _count_in_child(make_runner, seconds):
    return count_runs(make_runner(), seconds)


def baton_runner():
    from processes.deployments import deploy
    from processes.instances import start_instance
    from processes.models import ActivityInstance

    definition = deploy(TEN_STEPS.encode(), name="ten-steps.bpmn").definitions[0]
    probe = start_instance(definition, variables={"amount": 100})
    assert probe.state == "completed", probe.tokens
    assert ActivityInstance.objects.filter(instance=probe).count() == 10

    def run_one():
        start_instance(definition, variables={"amount": 100})

    return run_one


def spiff_runner():
    from django.db import connection
    from SpiffWorkflow.bpmn.parser import BpmnParser
    from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
    from SpiffWorkflow.bpmn.workflow import BpmnWorkflow

    logging.getLogger("spiff").setLevel(logging.WARNING)  # its INFO lines would slow it down
    parser = BpmnParser()
    parser.add_bpmn_str(TEN_STEPS.encode())
    spec = parser.get_spec("ten_steps")
    serializer = BpmnWorkflowSerializer()
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_spiff_workflow (id bigserial PRIMARY KEY, data jsonb NOT NULL)"
        )

    def run_one():
        workflow = BpmnWorkflow(spec)
        workflow.task_tree.data["amount"] = 100
        workflow.do_engine_steps()
        assert workflow.is_completed() and workflow.data["total"] == 195
        data = serializer.serialize_json(workflow)
        with connection.cursor() as cursor:  # one statement: its own transaction, as Baton's
            cursor.execute("INSERT INTO bench_spiff_workflow (data) VALUES (%s)", [data])

    return run_one


def main():
    setup()
    from django.db import connection

    seconds = float(os.environ.get("BENCH_SECONDS", "10"))
    print(f"straight-through, 10 flow nodes, {connection.vendor}, {seconds:.0f} s per run")
    baton_runner(), spiff_runner()  # deploy and check once, before the processes fork
    for processes in (1, 4):
        ours = rate(baton_runner, seconds, processes)
        theirs = rate(spiff_runner, seconds, processes)
        print(f"{processes} process(es): Baton {ours:.0f} instances/s (instance row + 10 history "
              f"rows each); SpiffWorkflow {theirs:.0f} instances/s (run + serialise + one JSON "
              f"row each); ratio {ours / theirs:.1f}x (target >= 3x)")


if __name__ == "__main__":
    main()
