"""Run betsy's executable BPMN conformance cases through the pure engine.

betsy's models hold a placeholder token where each script goes; its harness swaps in
engine-specific code before deploying (``betsy/README.md``, "script placeholders"). Here
each token becomes a script in our own language that writes to a ``trace`` list variable.
The case is then driven the way betsy's harness drives it: deploy the whole file, start
the main process with the case's inputs, let it run (firing timers in virtual time, only
within the case's ``wait_ms``), add the harness-side markers and compare the traces as
multisets, since betsy sorts both lists before comparing them.
"""

import json
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from pathlib import Path

from lxml import etree

from processes.bpmn import BpmnError, compile_definitions, load_definitions, parse_xml
from processes.bpmn.xml import BPMN
from processes.engine import effects as fx
from processes.engine.errors import EngineError, NotWaiting, UnsupportedElement
from processes.engine.runtime import Engine
from tests.engine.runner import Clock

BETSY_DIR = Path(__file__).parent / "betsy"
GROUPS = ("basics", "activities", "gateways", "events", "errors", "cfpatterns", "data")

SCRIPTS = {
    # betsy starts or keeps the log here; every instance starts with an empty trace already.
    "CREATE_LOG_FILE": "trace = trace",
    **{f"SCRIPT_task{n}": f'trace = trace + ["SCRIPT_task{n}"]' for n in range(1, 6)},
    "CREATE_MARKER_FILE": "marker = True",
    "INCREMENT_INTEGER_VARIABLE": "integerVariable = integerVariable + 1",
    "INCREMENT_INTEGER_VARIABLE_AND_LOG": (
        'integerVariable = integerVariable + 1\ntrace = trace + ["INCREMENT_correct"]'
    ),
    "SET_STRING_DATA": 'data = "String"',
    "LOG_DATA": "data_read = data",
    "THROW_ERROR": 'error = bpmn_error("ERR_CODE")',
}
# Tokens standing for work a script in our language cannot do; their cases are unsupported.
UNSCRIPTABLE = {
    "WAIT_TEN_SECONDS": "script task busy for 10 s",
    "CREATE_TIMESTAMP_LOG_1": "truly concurrent script tasks",
    "CREATE_TIMESTAMP_LOG_2": "truly concurrent script tasks",
}
# Which outcome of ours satisfies each outcome cases.json expects.
OUTCOMES = {
    "completed": {"completed"},
    "blocked": {"blocked"},
    "runtime_error": {"runtime_error"},
    "uncaught_error_end_event": {"uncaught_error_end_event"},
    "deploy_failure_or_runtime_error": {"deploy_failure", "runtime_error"},
}
# Bounds a run that never settles, such as a loop with no way out.
MAX_STEPS = 1000


@dataclass(frozen=True)
class CaseResult:
    """What one case did; ``reason`` says why it did not pass."""

    status: str  # "passed" | "failed" | "unsupported" | "error"
    reason: str = ""


@cache
def entries() -> tuple[dict, ...]:
    """Return the executable test entries that betsy itself runs.

    Conditional_StartEvent is left out: betsy disables it, so it has no expectation of its own.
    """
    listed = json.loads((BETSY_DIR / "cases.json").read_text())
    return tuple(e for e in listed if e["group"] in GROUPS and e["enabled_in_betsy"])


def run_case(entry: dict, case: dict) -> CaseResult:
    """Run one case of one betsy test and compare its trace and outcome with betsy's."""
    unscriptable = sorted({UNSCRIPTABLE[t] for t in entry["script_tokens"] if t in UNSCRIPTABLE})
    if unscriptable:
        return CaseResult("unsupported", unscriptable[0])
    try:
        outcome, trace = CaseRun(entry, case).run()
    except UnsupportedElement as error:
        return CaseResult("unsupported", str(error))
    except Exception as error:  # noqa: BLE001 - any crash is this case's result, not the suite's
        return CaseResult("error", f"{type(error).__name__}: {error}")
    return judge(case, outcome, trace)


def judge(case: dict, outcome: str, trace: list[str]) -> CaseResult:
    """Compare as betsy does: the traces as multisets, since betsy sorts both lists first."""
    expected = case["expected_trace"]
    if "ERROR" in expected:
        trace = ["ERROR" if t in ("ERROR_deployment", "ERROR_runtime") else t for t in trace]
    if Counter(trace) != Counter(expected):
        return CaseResult("failed", f"trace {sorted(trace)}, expected {sorted(expected)}")
    if outcome not in OUTCOMES[case["expected_outcome"]]:
        return CaseResult("failed", f"outcome {outcome}, expected {case['expected_outcome']}")
    return CaseResult("passed")


def deployable(path: Path) -> bytes:
    """Return the model with each script token replaced by its script in our language."""
    tree = parse_xml(path.read_bytes())
    for script in tree.iter(f"{BPMN}script"):
        token = (script.text or "").strip()
        if token not in SCRIPTS:
            raise ValueError(f"Unknown script token {token!r} in {path.name}.")
        script.text = SCRIPTS[token]
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8")


class CaseRun:
    """One case: the file deployed, the instances it started, a clock only the run moves."""

    def __init__(self, entry: dict, case: dict):
        self.entry = entry
        self.case = case
        self.clock = Clock()
        self.horizon = self.clock.now + timedelta(milliseconds=case.get("wait_ms") or 0)
        self.instances: list[Instance] = []

    def run(self) -> tuple[str, list[str]]:
        """Return the outcome of the main instance and the trace with betsy's markers."""
        data = deployable(BETSY_DIR / self.entry["file"])
        try:
            definitions = load_definitions(data).definitions
        except BpmnError:
            if "deploy_failure" not in OUTCOMES[self.case["expected_outcome"]]:
                # Raises UnsupportedElement when an element we cannot run explains the refusal.
                self.engines(compile_definitions(parse_xml(data)))
            return "deploy_failure", ["ERROR_deployment"]
        engines = self.engines(definitions)
        self.all_engines = engines
        for process_id in self.case.get("start_before", []):
            self.start(engines[process_id], {"trace": []})
        main = self.start(engines[self.entry["process_id"]], {**self.case["inputs"], "trace": []})
        self.settle()
        return main.outcome(), self.trace()

    def engines(self, definitions) -> dict[str, Engine]:
        """Ready every executable process of the file, as deploying the whole file does."""
        return {
            key: Engine(process, self.clock, definitions)
            for key, process in definitions.processes.items() if process.is_executable
        }

    def start(self, engine: Engine, variables: dict, caller=None) -> "Instance":
        instance = Instance(engine, caller)
        self.instances.append(instance)
        try:
            instance.record(engine.start(variables))
        except EngineError as error:
            instance.start_error = str(error)
        return instance

    def settle(self) -> None:
        """Run the instances until nothing more can happen before the horizon."""
        for _ in range(MAX_STEPS):
            if not (any(instance.work() for instance in self.instances) or self.send_next_event()
                    or self.call_next() or self.fire_next_timer()):
                return
        raise RuntimeError(f"The instances still move after {MAX_STEPS} steps.")

    def send_next_event(self) -> bool:
        """Deliver the next message or signal an instance threw, as the platform would."""
        for sender in self.instances:
            if sender.outbox:
                event = sender.outbox.pop(0)
                kind = "signal" if isinstance(event, fx.SignalThrown) else "message"
                receivers = [i for i in self.instances if i is not sender and i.waits_for(kind, event.name)]
                if kind == "message":
                    receivers = receivers[:1]
                for receiver in receivers:
                    receiver.receive(kind, event.name)
                if kind == "signal" or not receivers:
                    self.start_by(kind, event.name)
                return True
        return False

    def start_by(self, kind: str, name: str) -> None:
        """Start every process whose start event waits for this message or signal."""
        for engine in self.all_engines.values():
            for start_id in engine.plan.starts_for(kind, name):
                instance = Instance(engine)
                self.instances.append(instance)
                instance.record(engine.start({"trace": []}, start_event_id=start_id))

    def call_next(self) -> bool:
        """Start, cancel or report to the caller as the platform does for call activities."""
        for instance in self.instances:
            if instance.calls:
                effect = instance.calls.pop(0)
                if isinstance(effect, fx.ChildRequested):
                    self.start_child(instance, effect)
                elif isinstance(effect, fx.ChildCancelled):
                    self.cancel_children(instance, effect.token_id)
                else:
                    instance.report(effect)
                return True
        return False

    def start_child(self, caller: "Instance", request: fx.ChildRequested) -> None:
        engine = self.all_engines.get(request.called_key)
        if engine is None:
            message = f"'{request.element_id}' calls '{request.called_key}', which is not deployed."
            caller.record(caller.engine.open_incident(caller.state, request.token_id, message))
        else:
            self.start(engine, {"trace": [], **request.variables}, (caller, request.token_id))

    def cancel_children(self, caller: "Instance", token_id: int) -> None:
        """Cancel what the call activity started; an error it passed up ends with it."""
        for child in self.instances:
            if child.caller == (caller, token_id) and child.state.status == "active":
                child.record(child.engine.cancel(child.state))
                child.incidents.clear()

    def fire_next_timer(self) -> bool:
        """Move the clock to the earliest timer due before the horizon and fire it."""
        due = [
            (job.due_at, index, job)
            for index, instance in enumerate(self.instances)
            for job in instance.jobs.values()
            if job.kind == "timer" and job.due_at <= self.horizon
        ]
        if not due:
            return False
        due_at, index, job = min(due, key=lambda item: item[:2])
        self.clock.now = max(self.clock.now, due_at)
        self.instances[index].fire(job)
        return True

    def trace(self) -> list[str]:
        """Return what the scripts logged, plus the markers betsy's harness adds itself."""
        trace = [line for instance in self.instances for line in instance.variable("trace", [])]
        trace += [marker for instance in self.instances for marker in instance.error_markers()]
        asserted = "assertMarkerExists()" in self.case.get("betsy_builder_calls", [])
        if asserted and any(instance.variable("marker") for instance in self.instances):
            trace.append("MARKER_exists")
        if any(instance.variable("data_read") == "String" for instance in self.instances):
            trace.append("DATA_correct")
        return trace


class Instance:
    """One started instance: its state and the jobs, tasks and incidents it has open."""

    def __init__(self, engine: Engine, caller=None):
        self.engine = engine
        self.caller = caller  # (instance, token id) of the call activity that started it
        self.calls: list = []  # children to start or cancel, news for the caller
        self.state = None
        self.start_error = None
        self.jobs: dict[tuple[int, str], fx.JobScheduled] = {}
        self.tasks: dict[int, fx.TaskCreated] = {}
        self.incidents: dict[int, fx.IncidentOpened] = {}
        # By (token id, element id, kind, name): a parallel multiple event waits for several.
        self.subscriptions: dict[tuple[int, str, str, str], fx.SubscriptionOpened] = {}
        self.outbox: list = []

    def waits_for(self, kind: str, name: str) -> bool:
        return any(s.kind == kind and s.name == name for s in self.subscriptions.values())

    def receive(self, kind: str, name: str) -> None:
        """Deliver to every wait for it (a message: the first one)."""
        waits = [s for s in self.subscriptions.values() if s.kind == kind and s.name == name]
        for wait in waits[:1] if kind == "message" else waits:
            key = (wait.token_id, wait.element_id, kind, name)
            if key in self.subscriptions:
                del self.subscriptions[key]
                self.record(self.engine.trigger(self.state, wait.token_id, wait.element_id,
                                                trigger=(kind, name)))

    def record(self, result) -> None:
        self.state = result.state
        for effect in result.effects:
            if isinstance(effect, fx.JobScheduled):
                self.jobs[effect.token_id, effect.element_id] = effect
            elif isinstance(effect, fx.JobCancelled):
                self.jobs.pop((effect.token_id, effect.element_id), None)
            elif isinstance(effect, fx.TaskCreated):
                self.tasks[effect.token_id] = effect
            elif isinstance(effect, fx.TaskClosed):
                self.tasks.pop(effect.token_id, None)
            elif isinstance(effect, fx.IncidentOpened):
                self.incidents[effect.token_id] = effect
            elif isinstance(effect, fx.SubscriptionOpened):
                key = (effect.token_id, effect.element_id, effect.kind, effect.name)
                self.subscriptions[key] = effect
            elif isinstance(effect, fx.SubscriptionClosed):
                at = (effect.token_id, effect.element_id)
                for key in [k for k in self.subscriptions if k[:2] == at]:
                    del self.subscriptions[key]
            elif isinstance(effect, (fx.MessageSent, fx.SignalThrown)):
                self.outbox.append(effect)
            news = (fx.InstanceEnded, fx.ErrorUncaught, fx.EscalationUncaught)
            if isinstance(effect, (fx.ChildRequested, fx.ChildCancelled)) or (
                self.caller and isinstance(effect, news)
            ):
                self.calls.append(effect)

    def report(self, effect) -> None:
        """Tell the caller that this child completed, or left an error or escalation uncaught."""
        caller, token_id = self.caller
        engine, state = caller.engine, caller.state
        try:
            if isinstance(effect, fx.ErrorUncaught):
                caller.record(engine.throw_error(state, token_id, effect.code, effect.message))
            elif isinstance(effect, fx.EscalationUncaught):
                caller.record(engine.escalate(state, token_id, effect.code))
            elif effect.outcome == "completed":
                caller.record(engine.complete_call(state, token_id, self.state.variables))
        except NotWaiting:
            pass  # the caller moved on

    def work(self) -> bool:
        """Do what a worker or a person would do next, without waiting; return whether any."""
        job = next((job for job in self.jobs.values() if job.kind != "timer"), None)
        if job is not None:
            del self.jobs[job.token_id, job.element_id]
            engine = self.engine
            command = engine.continue_token if job.kind == "continue" else engine.complete_job
            self.record(command(self.state, job.token_id))
            return True
        if self.tasks:
            self.record(self.engine.complete_task(self.state, next(iter(self.tasks))))
            return True
        return False

    def fire(self, job: fx.JobScheduled) -> None:
        del self.jobs[job.token_id, job.element_id]
        occurrence = (job.due_at, job.payload["fired"]) if "fired" in job.payload else None
        self.record(self.engine.trigger(self.state, job.token_id, job.element_id,
                                        occurrence=occurrence, trigger=("timer", None)))

    def variable(self, name: str, default=None):
        return self.state.variables.get(name, default) if self.state else default

    def error_markers(self) -> list[str]:
        """Return ERROR_thrownErrorEvent for an uncaught error end event, else ERROR_runtime."""
        if self.start_error:
            return ["ERROR_runtime"]
        return sorted({
            "ERROR_thrownErrorEvent" if self.at_error_end(incident) else "ERROR_runtime"
            for incident in self.incidents.values()
        })

    def at_error_end(self, incident: fx.IncidentOpened) -> bool:
        node = self.engine.plan.nodes.get(incident.element_id)
        return node is not None and node.kind == "endEvent" and node.trigger == "error"

    def outcome(self) -> str:
        markers = self.error_markers()
        if "ERROR_thrownErrorEvent" in markers:
            return "uncaught_error_end_event"
        if markers:
            return "runtime_error"
        return "completed" if self.state.status == "completed" else "blocked"
