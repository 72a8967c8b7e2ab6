"""Differential test: our engine and SpiffWorkflow run the same random process alike.

Hypothesis draws a well-structured process (tests/engine/generated.py) and the inputs x, y
and z; both engines run it to the end. They must complete the same elements the same number
of times and leave the same x, y and z. Both count a parallel or inclusive join once per
activation and every other element once per token, so every element is compared: start and
end events, tasks, script tasks, subprocesses, splits and merges. Spiff's own task specs
(Start, End, p.EndJoin) have no BPMN id and are left out.
"""

from collections import Counter

import pytest
from hypothesis import example, given, settings
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from processes.engine import effects as fx
from tests.engine import generated
from tests.engine.generated import (
    ALWAYS, Binary, Choice, Const, Parallel, Script, Sequence, SubProcess, Task, Var,
)
from tests.engine.runner import Instance

SPIFF_HEADER = (
    '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">'
    '<process id="p" isExecutable="true">'
)


class SharedData(TaskDataEnvironment):
    """Evaluate every condition and script against one store of process variables.

    Spiff gives each task its own copy of the data and merges the copies of parallel
    branches at the join, the last branch to arrive winning: a variable that an earlier
    branch wrote reverts to the value the last branch copied at the fork. In BPMN 2.0 a
    process's data is one set of values that every element of it sees, as in our engine, so
    the oracle reads and writes one store instead.
    """

    def __init__(self, variables: dict):
        super().__init__()
        self.variables = variables

    def evaluate(self, expression, context, external_context=None):
        return super().evaluate(expression, self.variables, external_context)

    def execute(self, script, context, external_context=None):
        return super().execute(script, self.variables, external_context)


class SpiffRun:
    """One instance run by SpiffWorkflow to the end."""

    def __init__(self, body: str, variables: dict):
        parser = BpmnParser()
        parser.add_bpmn_str((SPIFF_HEADER + body + "</process></definitions>").encode())
        self.variables = dict(variables)
        engine = PythonScriptEngine(environment=SharedData(self.variables))
        self.workflow = BpmnWorkflow(parser.get_spec("p"), parser.get_subprocess_specs("p"),
                                     script_engine=engine)
        self.run()

    def run(self) -> None:
        """Run engine steps, completing on the way each plain task (Spiff waits for a person)."""
        self.workflow.do_engine_steps()
        while ready := self.workflow.get_tasks(state=TaskState.READY, manual=True):
            ready[0].run()
            self.workflow.do_engine_steps()

    def completed(self) -> Counter:
        """Count completed tasks by BPMN id, leaving out Spiff's own (Start, End, *.EndJoin)."""
        workflows = [self.workflow, *self.workflow.subprocesses.values()]
        return Counter(
            task.task_spec.bpmn_id
            for workflow in workflows
            for task in workflow.get_tasks(state=TaskState.COMPLETED, skip_subprocesses=True)
            if task.task_spec.bpmn_id is not None
        )


def run_both(body: generated.Sequence, variables: dict):
    ours = Instance(generated.render(body, generated.BATON), dict(variables))
    spiff = SpiffRun(generated.render(body, generated.PYTHON), variables)
    return ours, spiff


def assert_same_run(body: generated.Sequence, variables: dict) -> None:
    ours, spiff = run_both(body, variables)
    assert ours.state.status == "completed", ours.of(fx.IncidentOpened)
    assert spiff.workflow.is_completed()
    assert ours.completed() == spiff.completed()
    assert {v: ours.state.variables[v] for v in generated.VARIABLES} == {
        v: spiff.variables[v] for v in generated.VARIABLES
    }


def below(name, value):
    return Binary("<", Var(name), Const(value))


def step(name, amount):
    return Script(((name, Binary("+", Var(name), Const(amount))),))


def seq(*items):
    return Sequence(tuple(items))


INPUTS = {"x": 1, "y": 2, "z": 3}

# Branches of one parallel block write x and y: Spiff's own task data would lose one write.
DISJOINT_WRITES = seq(Parallel((seq(step("x", 1)), seq(step("y", 5)), seq())))

# Both conditions hold: the first flow in document order wins.
OVERLAPPING = seq(Choice("exclusive", (
    (below("x", 5), seq(step("x", 10))), (below("x", 9), seq(step("x", 100))),
), seq(Task())))

# A subprocess, an exclusive and a parallel block under an inclusive split; one of its flows
# has no condition.
NESTED = seq(Choice("inclusive", (
    (ALWAYS, seq(SubProcess(seq(Choice("exclusive", ((below("x", 0), seq(Task())),),
                                       seq(step("x", 1))), Task())))),
    (below("z", 0), seq(Parallel((seq(step("y", 1)), seq(Task()))), Task())),
), seq(Task())))


@settings(max_examples=500, deadline=None)
@given(generated.processes(), generated.inputs())
@example(DISJOINT_WRITES, INPUTS)
@example(OVERLAPPING, INPUTS)
@example(NESTED, INPUTS)
@example(NESTED, {"x": -1, "y": 0, "z": -1})
def test_it_runs_random_processes_as_spiffworkflow_does(body, variables):
    assert_same_run(body, variables)


# Shapes the generator leaves out because SpiffWorkflow runs them wrongly (see
# generated.gateway_blocks): our engine's run is checked by hand here, and Spiff's failure is
# pinned, so that a Spiff release that fixes it shows up as an unexpected pass.

# Both branches are taken; the second waits behind the default flow of an exclusive merge.
MERGE_IN_INCLUSIVE_BRANCH = seq(Choice("inclusive", (
    (ALWAYS, seq(Task())),
    (ALWAYS, seq(Choice("exclusive", ((below("x", 0), seq(Task())),), seq(Task())), Task())),
), seq(Task())))

TWO_EMPTY_BRANCHES = seq(Parallel((seq(), seq())))

SPIFF_LIMITS = {
    "merge_in_inclusive_branch": (MERGE_IN_INCLUSIVE_BRANCH, {
        "start1": 1, "split2": 1, "task4": 1, "split7": 1, "task12": 1, "merge8": 1,
        "task15": 1, "merge3": 1, "end22": 1,
    }),
    "two_empty_branches": (TWO_EMPTY_BRANCHES, {"start1": 1, "split2": 1, "merge3": 1, "end6": 1}),
}


@pytest.mark.parametrize("body, completed", SPIFF_LIMITS.values(), ids=SPIFF_LIMITS)
def test_it_fires_each_join_once_where_spiffworkflow_fires_it_twice(body, completed):
    ours = Instance(generated.render(body, generated.BATON), {"x": 0, "y": 0, "z": 0})
    assert ours.state.status == "completed"
    assert ours.completed() == completed


@pytest.mark.xfail(strict=True, raises=AssertionError, reason="SpiffWorkflow runs the join twice")
@pytest.mark.parametrize("body", [body for body, _ in SPIFF_LIMITS.values()], ids=SPIFF_LIMITS)
def test_spiffworkflow_agrees_on_these_joins(body):
    assert_same_run(body, {"x": 0, "y": 0, "z": 0})
