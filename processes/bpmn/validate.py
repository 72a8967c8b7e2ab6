"""Check a compiled model before it is deployed, and say what to fix in a process owner's words.

Every process is checked for references that point nowhere. Executable processes are also
checked against the BPMN 2.0 rules the engine relies on (the constraints of the spec that
the betsy conformance suite tests), for paths that can never run or never finish, and for
expressions, scripts and timers that do not compile. Non-executable processes document a
process: they only need to be coherent.
"""

from collections import defaultdict

from processes.engine.expressions import (
    ExpressionError,
    compile_expression,
    compile_script,
    is_expression,
)
from processes.engine.timers import TimerError, compile_timer

from .errors import Problem, article, sentence, words
from .model import ACTIVITIES, EVENTS, FLOW_NODES, GATEWAYS, Definitions, FlowNode, Process
from .rules import REFERENCED, ActivityRules, EventRules, GatewayRules, ScopePaths

# The element kinds the engine runs. The engine extends this set as it learns new kinds.
EXECUTABLE_KINDS = FLOW_NODES - {"implicitThrowEvent"}
# Script formats the engine runs: none given, or ours (lines of "name = expression").
SCRIPT_FORMATS = frozenset({None, "", "baton"})
# Tasks that do nothing unless told how: they need an implementation.
IMPLEMENTED_TASKS = frozenset({"serviceTask", "businessRuleTask"})

CONDITIONAL_SOURCES = ACTIVITIES | {"exclusiveGateway", "inclusiveGateway", "complexGateway"}
# What each kind of implementation needs, and what to say when it is missing.
_MISSING_DETAIL = {
    "handler": (lambda i: i.handler, "runs a handler but does not name it: set its handler."),
    "expression": (lambda i: i.expression, "evaluates an expression but does not give it."),
    "external": (
        lambda i: i.topic,
        "is an external task without a topic: name the topic its workers fetch.",
    ),
    "http": (lambda i: i.http and i.http.url, "calls HTTP without a url: set the url."),
}


def validate(defs: Definitions) -> list[Problem]:
    """Return every problem of the model: errors block deployment, warnings do not."""
    problems = list(defs.problems)
    if not defs.processes:
        problems.append(
            Problem(
                defs.id,
                "The file contains no process, so there is nothing to "
                "deploy: model the process in a pool or on the canvas.",
                "error",
                "no-process",
            )
        )
    problems += _collaborations(defs)
    for process in defs.processes.values():
        checker = _ProcessChecker(defs, process)
        checker.check_references()
        if process.is_executable:
            checker.check_execution()
        problems += checker.problems
    return problems


def _collaborations(defs: Definitions) -> list[Problem]:
    """Check pools and message flows: they must name processes, pools or nodes of other pools."""
    problems = []
    pool_of = {}
    for collaboration in defs.collaborations.values():
        for participant in collaboration.participants:
            if participant.process_ref and participant.process_ref not in defs.processes:
                problems.append(
                    Problem(
                        participant.id,
                        f"The pool '{participant.name or participant.id}' "
                        f"stands for process '{participant.process_ref}', which this "
                        "file does not contain.",
                        "error",
                        "dangling-reference",
                    )
                )
            pool_of[participant.id] = participant.id
            for node_id in _nodes_of(defs, participant.process_ref):
                pool_of[node_id] = participant.id
    for process in defs.processes.values():
        for node_id in process.nodes:
            pool_of.setdefault(node_id, process.id)
    for collaboration in defs.collaborations.values():
        for flow in collaboration.message_flows:
            problems += _message_flow(defs, flow, pool_of)
    return problems


def _nodes_of(defs: Definitions, process_id: str | None):
    process = defs.processes.get(process_id)
    return process.nodes if process else ()


def _message_flow(defs: Definitions, flow, pool_of: dict) -> list[Problem]:
    problems = []
    for end, ref in (("source", flow.source), ("target", flow.target)):
        if ref not in pool_of:
            problems.append(
                Problem(
                    flow.id,
                    f"The message flow's {end} '{ref}' is not a pool or a "
                    "task or event in a pool: connect message flows to pools, "
                    "tasks or events.",
                    "error",
                    "message-flow-end",
                )
            )
    if (
        flow.source in pool_of
        and flow.target in pool_of
        and pool_of[flow.source] == pool_of[flow.target]
    ):
        problems.append(
            Problem(
                flow.id,
                "The message flow connects elements of the same pool: "
                "message flows go between pools; use a sequence flow inside a pool.",
                "error",
                "message-flow-same-pool",
            )
        )
    if flow.message_ref and flow.message_ref not in defs.messages:
        problems.append(
            Problem(
                flow.id,
                f"The message flow names message '{flow.message_ref}', "
                "which is not declared in this file.",
                "error",
                "dangling-reference",
            )
        )
    return problems


class _ProcessChecker:
    """Check one process; ``problems`` collects what was found."""

    def __init__(self, defs: Definitions, process: Process):
        self.defs = defs
        self.process = process
        self.nodes = process.nodes
        self.flows = process.flows
        self.problems: list[Problem] = []
        self.message_sources, self.message_targets = set(), set()
        for collaboration in defs.collaborations.values():
            for flow in collaboration.message_flows:
                self.message_sources.add(flow.source)
                self.message_targets.add(flow.target)

    def error(self, element_id: str | None, message: str, code: str) -> None:
        self.problems.append(Problem(element_id, sentence(message), "error", code))

    def warning(self, element_id: str | None, message: str, code: str) -> None:
        self.problems.append(Problem(element_id, sentence(message), "warning", code))

    def label(self, node: FlowNode) -> str:
        named = f" '{node.name}'" if node.name else ""
        return f"{article(node.kind)} {words(node.kind)}{named}"

    # References: checked in every process.

    def check_references(self) -> None:
        for flow in self.flows.values():
            self._flow_ends(flow)
        for node in self.nodes.values():
            self._node_references(node)
        for lane_node in self.process.lane_of:
            if lane_node not in self.nodes and lane_node not in self.process.data_objects:
                self.warning(
                    lane_node,
                    f"A lane lists '{lane_node}', which is not a node of "
                    f"process '{self.process.id}'.",
                    "lane-reference",
                )

    def _flow_ends(self, flow) -> None:
        for end, ref in (("source", flow.source), ("target", flow.target)):
            node = self.nodes.get(ref)
            if not ref:
                self.error(
                    flow.id,
                    f"The sequence flow has no {end}: connect both of its ends.",
                    "dangling-reference",
                )
            elif node is None:
                other = self.defs.process_of(ref)
                where = (
                    f"is in another pool ('{other.id}'): sequence flows cannot cross pools; "
                    "use a message flow"
                    if other
                    else "is not a task, event or gateway of this process"
                )
                self.error(
                    flow.id, f"The sequence flow's {end} '{ref}' {where}.", "sequence-flow-end"
                )
            elif node.scope != flow.scope:
                self.error(
                    flow.id,
                    f"The sequence flow connects '{ref}', which is inside another "
                    "subprocess: sequence flows cannot cross a subprocess border.",
                    "sequence-flow-end",
                )

    def _node_references(self, node: FlowNode) -> None:
        if node.kind == "boundaryEvent":
            host = self.nodes.get(node.attached_to)
            if host is None or host.kind not in ACTIVITIES:
                self.error(
                    node.id,
                    f"The boundary event is attached to '{node.attached_to}', which "
                    "is not an activity of this process.",
                    "dangling-reference",
                )
            elif host.scope != node.scope:
                self.error(
                    node.id,
                    "The boundary event must be in the same subprocess as the "
                    "activity it is attached to.",
                    "dangling-reference",
                )
        if node.default_flow and node.default_flow not in node.outgoing:
            self.error(
                node.id,
                f"The default flow '{node.default_flow}' is not an outgoing flow of "
                f"{self.label(node)}: pick one of its outgoing flows.",
                "default-flow",
            )
        for definition in node.event_definitions:
            self._event_reference(node, definition)
        if node.message_ref and node.message_ref not in self.defs.messages:
            self.error(
                node.id,
                f"{self.label(node)} names message '{node.message_ref}', "
                "which is not declared in this file.",
                "dangling-reference",
            )
        if (
            node.kind == "callActivity"
            and node.called_element
            and not is_expression(node.called_element)  # chosen at run time
            and not self._callable(node.called_element)
        ):
            self.warning(
                node.id,
                f"The call activity calls '{node.called_element}', which is not in "
                "this file: deploy a process with that id before the call runs.",
                "called-element",
            )

    def _callable(self, key: str) -> bool:
        return key in self.defs.processes or key in self.defs.global_tasks

    def _event_reference(self, node: FlowNode, definition) -> None:
        if definition.kind in REFERENCED and definition.ref:
            collection, word = REFERENCED[definition.kind]
            target = getattr(self.defs, collection).get(definition.ref)
            if target is None:
                self.error(
                    node.id,
                    f"{self.label(node)} refers to {word} "
                    f"'{definition.ref}', which is not declared in this file: declare it or "
                    f"pick an existing {word}.",
                    "dangling-reference",
                )
        if definition.kind == "compensate" and definition.activity_ref:
            target = self.nodes.get(definition.activity_ref)
            if target is None or target.kind not in ACTIVITIES:
                self.error(
                    node.id,
                    f"The compensation event names activity "
                    f"'{definition.activity_ref}', which is not an activity of this "
                    "process.",
                    "dangling-reference",
                )

    # Execution: checked in executable processes only.

    def check_execution(self) -> None:
        if not self.process.start_events and not self._instantiating_nodes():
            self.error(
                self.process.id,
                f"The process '{self.process.name or self.process.id}' has no "
                "start event: add one where an instance begins.",
                "no-start-event",
            )
        for node in self.nodes.values():
            self._executable_kind(node)
            self._node_rules(node)
            self._node_texts(node)
        for flow in self.flows.values():
            self._flow_rules(flow)
        for scope in self.process.scopes.values():
            ScopePaths(self, scope).check()
        self._links()

    def _instantiating_nodes(self) -> list[str]:
        return [
            node_id
            for node_id in self.process.scopes[self.process.id].node_ids
            if self.nodes[node_id].instantiate and not self.nodes[node_id].incoming
        ]

    def _executable_kind(self, node: FlowNode) -> None:
        if node.kind not in EXECUTABLE_KINDS:
            self.error(
                node.id,
                f"{self.label(node)} cannot be executed by Baton: "
                "replace it, or mark the process as not executable.",
                "not-executable",
            )

    def _node_rules(self, node: FlowNode) -> None:
        if node.kind in EVENTS:
            EventRules(self, node).check()
        elif node.kind in GATEWAYS:
            GatewayRules(self, node).check()
        else:
            ActivityRules(self, node).check()

    def _flow_rules(self, flow) -> None:
        source = self.nodes.get(flow.source)
        if flow.condition is None or source is None:
            return
        if source.kind not in CONDITIONAL_SOURCES:
            if source.kind != "eventBasedGateway":
                self.warning(
                    flow.id,
                    f"The sequence flow leaves {self.label(source)} and has a "
                    "condition, which is ignored: only activities and exclusive or "
                    "inclusive gateways evaluate conditions.",
                    "condition-source",
                )
        elif source.default_flow == flow.id:
            self.error(
                flow.id,
                "The default flow has a condition: a default flow is taken when "
                "no condition holds, so remove its condition.",
                "default-condition",
            )
        else:
            self.expression(flow.id, flow.condition, "condition")

    def _node_texts(self, node: FlowNode) -> None:
        props = node.properties
        if node.activation_condition is not None:
            self.expression(node.id, node.activation_condition, "activation condition")
        if props.quality_gate is not None:
            self.expression_text(node.id, props.quality_gate, "quality gate")
        for name, text in (
            ("assignee", props.assignee),
            ("due date", props.due_date),
            ("follow-up date", props.follow_up_date),
            ("priority", props.priority),
        ):
            if text and is_expression(text):
                self.expression_text(node.id, text, name)
        for name, text in [*props.inputs.items(), *props.outputs.items()]:
            if text and is_expression(text):
                self.expression_text(node.id, text, f"mapping '{name}'")
        for mapping in (*props.call_inputs, *props.call_outputs):
            if mapping.source_expression:
                self.expression_text(node.id, mapping.source_expression, "source expression")
        if props.business_key:
            self.expression_text(node.id, props.business_key, "business key")
        self._implementation(node)

    def _implementation(self, node: FlowNode) -> None:
        implementation = node.properties.implementation
        if implementation is None:
            if node.kind in IMPLEMENTED_TASKS:
                self.error(
                    node.id,
                    f"{self.label(node)} has no implementation: choose a handler, "
                    "an HTTP call, an external topic or an expression.",
                    "implementation",
                )
            return
        missing = _MISSING_DETAIL.get(implementation.kind)
        if missing and not missing[0](implementation):
            self.error(node.id, f"{self.label(node)} {missing[1]}", "implementation")
        elif implementation.kind == "expression":
            self.expression_text(node.id, implementation.expression, "service expression")

    def expression(self, element_id: str, expression, what: str, expect: str = "boolean") -> None:
        """Check that an expression compiles and, if it is a constant, has the expected type."""
        if expression is None or not expression.text:
            self.error(
                element_id,
                f"The {what} is empty: write an expression such as amount > 1000.",
                "expression",
            )
            return
        compiled = self.expression_text(element_id, expression.text, what)
        if compiled is not None and not compiled.names:
            self._constant(element_id, compiled, what, expect)

    def expression_text(self, element_id: str, text: str, what: str):
        try:
            return compile_expression(text)
        except (ExpressionError, RecursionError) as error:
            self.error(
                element_id,
                f"The {what} '{_short(text)}' does not compile: {_reason(error)}.",
                "expression",
            )
            return None

    def _constant(self, element_id: str, compiled, what: str, expect: str) -> None:
        """Evaluate an expression that uses no variable, as its value never changes."""
        try:
            value = compiled.evaluate({})
        except ExpressionError as error:
            self.error(
                element_id,
                f"The {what} '{_short(compiled.text)}' always fails: {_reason(error)}.",
                "expression",
            )
            return
        if expect == "boolean" and not isinstance(value, bool):
            self.error(
                element_id,
                f"The {what} '{_short(compiled.text)}' is always {value!r}, not "
                "true or false: write a condition.",
                "expression-type",
            )
        elif expect == "count" and (
            isinstance(value, bool) or not isinstance(value, int) or value < 0
        ):
            self.error(
                element_id,
                f"The {what} '{_short(compiled.text)}' is {value!r}: it must be "
                "a whole number of at least 0.",
                "expression-type",
            )

    def script(self, node: FlowNode) -> None:
        if not node.script:
            self.error(
                node.id,
                f"{self.label(node)} has no script: write what it computes, as "
                "lines of name = expression.",
                "script",
            )
        elif node.script_format not in SCRIPT_FORMATS:
            self.error(
                node.id,
                f"The script of {self.label(node)} is written in "
                f"'{node.script_format}', which Baton cannot run: write it as lines of "
                "name = expression and remove the script format.",
                "script-format",
            )
        else:
            self._compile_script(node)

    def _compile_script(self, node: FlowNode) -> None:
        try:
            compile_script(node.script)
        except (ExpressionError, RecursionError) as error:
            self.error(
                node.id,
                f"The script of {self.label(node)} does not compile: {_reason(error)}.",
                "script",
            )

    def timer(self, node: FlowNode, definition) -> None:
        timer = definition.timer
        if timer is None or not timer.text:
            self.error(
                node.id,
                f"The timer of {self.label(node)} has no value: set a date, a "
                "duration such as PT5M, or a cycle such as R3/PT10M.",
                "timer",
            )
        elif is_expression(timer.text):
            self.expression_text(node.id, timer.text, "timer expression")
        else:
            try:
                compile_timer(timer.kind, timer.text)
            except TimerError as error:
                self.error(
                    node.id,
                    f"The timer of {self.label(node)} cannot be read: {_reason(error)}.",
                    "timer",
                )

    def _links(self) -> None:
        """Pair link throw and catch events by name within each scope."""
        catches, throws = defaultdict(list), defaultdict(list)
        for node in self.nodes.values():
            for definition in node.event_definitions:
                if definition.kind == "link":
                    side = catches if node.kind == "intermediateCatchEvent" else throws
                    side[(node.scope, definition.link_name or "")].append(node)
        for key, nodes in throws.items():
            if len(catches.get(key, ())) != 1:
                found = "no" if not catches.get(key) else "several"
                for node in nodes:
                    self.error(
                        node.id,
                        f"The link event '{key[1]}' has {found} matching catching "
                        "link event in the same (sub)process: give exactly one catching "
                        "link event the same name.",
                        "link",
                    )
        for key, nodes in catches.items():
            if key not in throws:
                for node in nodes:
                    self.error(
                        node.id,
                        f"The catching link event '{key[1]}' has no throwing link "
                        "event of the same name in the same (sub)process, so it can never "
                        "be reached.",
                        "link",
                    )


def _short(text: str, length: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1] + "…"


def _reason(error: Exception) -> str:
    return str(getattr(error, "message", error)).rstrip(".")
