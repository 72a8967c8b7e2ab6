"""Check a compiled model before it is deployed, and say what to fix in a process owner's words.

Every process is checked for references that point nowhere. Executable processes are also
checked against the BPMN 2.0 rules the engine relies on (the constraints of the spec that
the betsy conformance suite tests), for paths that can never run or never finish, and for
expressions, scripts and timers that do not compile. Non-executable processes document a
process: they only need to be coherent.
"""

from collections import defaultdict, deque

from processes.engine.expressions import ExpressionError, compile_expression, compile_script, is_expression
from processes.engine.timers import TimerError, compile_timer

from .errors import Problem
from .model import Definitions, FlowNode, Process, Scope
from .parser import ACTIVITIES, EVENTS, FLOW_NODES, GATEWAYS

# The element kinds the engine runs. The engine extends this set as it learns new kinds.
EXECUTABLE_KINDS = FLOW_NODES - {"complexGateway", "implicitThrowEvent"}
# Script formats the engine runs: none given, or ours (lines of "name = expression").
SCRIPT_FORMATS = frozenset({None, "", "baton"})
# Tasks that do nothing unless told how: they need an implementation.
IMPLEMENTED_TASKS = frozenset({"serviceTask", "businessRuleTask"})

START_TRIGGERS = frozenset({"message", "timer", "conditional", "signal"})
EVENT_SUBPROCESS_TRIGGERS = frozenset({
    "message", "error", "escalation", "compensate", "conditional", "signal", "timer",
})
INTERRUPTING_ONLY = frozenset({"error", "compensate"})
END_RESULTS = frozenset({
    "message", "escalation", "error", "cancel", "compensate", "signal", "terminate",
})
CATCH_TRIGGERS = frozenset({"message", "timer", "conditional", "link", "signal"})
THROW_RESULTS = frozenset({"message", "escalation", "compensate", "link", "signal"})
BOUNDARY_TRIGGERS = frozenset({
    "message", "timer", "escalation", "error", "cancel", "compensate", "conditional", "signal",
})
NON_INTERRUPTING_BOUNDARY_TRIGGERS = frozenset({
    "message", "timer", "escalation", "conditional", "signal",
})
EVENT_GATEWAY_TRIGGERS = frozenset({"message", "signal", "timer", "conditional"})
CONDITIONAL_SOURCES = ACTIVITIES | {"exclusiveGateway", "inclusiveGateway", "complexGateway"}
REFERENCED = {
    "message": ("messages", "message"),
    "signal": ("signals", "signal"),
    "error": ("errors", "error"),
    "escalation": ("escalations", "escalation"),
}


def validate(defs: Definitions) -> list[Problem]:
    """Return every problem of the model: errors block deployment, warnings do not."""
    problems = list(defs.problems)
    if not defs.processes:
        problems.append(Problem(defs.id, "The file contains no process, so there is nothing to "
                                "deploy: model the process in a pool or on the canvas.",
                                "error", "no-process"))
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
                problems.append(Problem(participant.id, f"The pool '{participant.name or participant.id}' "
                                        f"stands for process '{participant.process_ref}', which this "
                                        "file does not contain.", "error", "dangling-reference"))
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
            problems.append(Problem(flow.id, f"The message flow's {end} '{ref}' is not a pool or a "
                                    "task or event in a pool: connect message flows to pools, "
                                    "tasks or events.", "error", "message-flow-end"))
    if flow.source in pool_of and flow.target in pool_of and pool_of[flow.source] == pool_of[flow.target]:
        problems.append(Problem(flow.id, "The message flow connects elements of the same pool: "
                                "message flows go between pools; use a sequence flow inside a pool.",
                                "error", "message-flow-same-pool"))
    if flow.message_ref and flow.message_ref not in defs.messages:
        problems.append(Problem(flow.id, f"The message flow names message '{flow.message_ref}', "
                                "which is not declared in this file.", "error", "dangling-reference"))
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
        self.problems.append(Problem(element_id, _sentence(message), "error", code))

    def warning(self, element_id: str | None, message: str, code: str) -> None:
        self.problems.append(Problem(element_id, _sentence(message), "warning", code))

    def label(self, node: FlowNode) -> str:
        named = f" '{node.name}'" if node.name else ""
        return f"{_article(node.kind)} {_words(node.kind)}{named}"

    # References: checked in every process.

    def check_references(self) -> None:
        for flow in self.flows.values():
            self._flow_ends(flow)
        for node in self.nodes.values():
            self._node_references(node)
        for lane_node in self.process.lane_of:
            if lane_node not in self.nodes and lane_node not in self.process.data_objects:
                self.warning(lane_node, f"A lane lists '{lane_node}', which is not a node of "
                             f"process '{self.process.id}'.", "lane-reference")

    def _flow_ends(self, flow) -> None:
        for end, ref in (("source", flow.source), ("target", flow.target)):
            node = self.nodes.get(ref)
            if not ref:
                self.error(flow.id, f"The sequence flow has no {end}: connect both of its ends.",
                           "dangling-reference")
            elif node is None:
                other = self.defs.process_of(ref)
                where = (f"is in another pool ('{other.id}'): sequence flows cannot cross pools; "
                         "use a message flow" if other else
                         "is not a task, event or gateway of this process")
                self.error(flow.id, f"The sequence flow's {end} '{ref}' {where}.", "sequence-flow-end")
            elif node.scope != flow.scope:
                self.error(flow.id, f"The sequence flow connects '{ref}', which is inside another "
                           "subprocess: sequence flows cannot cross a subprocess border.",
                           "sequence-flow-end")

    def _node_references(self, node: FlowNode) -> None:
        if node.kind == "boundaryEvent":
            host = self.nodes.get(node.attached_to)
            if host is None or host.kind not in ACTIVITIES:
                self.error(node.id, f"The boundary event is attached to '{node.attached_to}', which "
                           "is not an activity of this process.", "dangling-reference")
            elif host.scope != node.scope:
                self.error(node.id, "The boundary event must be in the same subprocess as the "
                           "activity it is attached to.", "dangling-reference")
        if node.default_flow and node.default_flow not in node.outgoing:
            self.error(node.id, f"The default flow '{node.default_flow}' is not an outgoing flow of "
                       f"{self.label(node)}: pick one of its outgoing flows.", "default-flow")
        for definition in node.event_definitions:
            self._event_reference(node, definition)
        if node.message_ref and node.message_ref not in self.defs.messages:
            self.error(node.id, f"{self.label(node)} names message '{node.message_ref}', "
                       "which is not declared in this file.", "dangling-reference")
        if node.kind == "callActivity" and node.called_element and not self._callable(node.called_element):
            self.warning(node.id, f"The call activity calls '{node.called_element}', which is not in "
                         "this file: deploy a process with that id before the call runs.",
                         "called-element")

    def _callable(self, key: str) -> bool:
        return key in self.defs.processes or key in self.defs.global_tasks

    def _event_reference(self, node: FlowNode, definition) -> None:
        if definition.kind in REFERENCED and definition.ref:
            collection, word = REFERENCED[definition.kind]
            target = getattr(self.defs, collection).get(definition.ref)
            if target is None:
                self.error(node.id, f"{self.label(node)} refers to {word} "
                           f"'{definition.ref}', which is not declared in this file: declare it or "
                           f"pick an existing {word}.", "dangling-reference")
        if definition.kind == "compensate" and definition.activity_ref:
            target = self.nodes.get(definition.activity_ref)
            if target is None or target.kind not in ACTIVITIES:
                self.error(node.id, f"The compensation event names activity "
                           f"'{definition.activity_ref}', which is not an activity of this "
                           "process.", "dangling-reference")

    # Execution: checked in executable processes only.

    def check_execution(self) -> None:
        if not self.process.start_events and not self._instantiating_nodes():
            self.error(self.process.id, f"The process '{self.process.name or self.process.id}' has no "
                       "start event: add one where an instance begins.", "no-start-event")
        for node in self.nodes.values():
            self._executable_kind(node)
            self._node_rules(node)
            self._node_texts(node)
        for flow in self.flows.values():
            self._flow_rules(flow)
        for scope in self.process.scopes.values():
            _ScopeChecker(self, scope).check()
        self._links()

    def _instantiating_nodes(self) -> list[str]:
        return [
            node_id for node_id in self.process.scopes[self.process.id].node_ids
            if self.nodes[node_id].instantiate and not self.nodes[node_id].incoming
        ]

    def _executable_kind(self, node: FlowNode) -> None:
        if node.kind not in EXECUTABLE_KINDS:
            self.error(node.id, f"{self.label(node)} cannot be executed by Baton: "
                       "replace it, or mark the process as not executable.", "not-executable")

    def _node_rules(self, node: FlowNode) -> None:
        if node.kind in EVENTS:
            _EventRules(self, node).check()
        elif node.kind in GATEWAYS:
            _GatewayRules(self, node).check()
        else:
            _ActivityRules(self, node).check()

    def _flow_rules(self, flow) -> None:
        source = self.nodes.get(flow.source)
        if flow.condition is None or source is None:
            return
        if source.kind not in CONDITIONAL_SOURCES:
            if source.kind != "eventBasedGateway":
                self.warning(flow.id, f"The sequence flow leaves {self.label(source)} and has a "
                             "condition, which is ignored: only activities and exclusive or "
                             "inclusive gateways evaluate conditions.", "condition-source")
        elif source.default_flow == flow.id:
            self.error(flow.id, "The default flow has a condition: a default flow is taken when "
                       "no condition holds, so remove its condition.", "default-condition")
        else:
            self.expression(flow.id, flow.condition, "condition")

    def _node_texts(self, node: FlowNode) -> None:
        props = node.properties
        if props.quality_gate is not None:
            self.expression_text(node.id, props.quality_gate, "quality gate")
        for name, text in (("assignee", props.assignee), ("due date", props.due_date),
                           ("follow-up date", props.follow_up_date), ("priority", props.priority)):
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
                self.error(node.id, f"{self.label(node)} has no implementation: choose a handler, "
                           "an HTTP call, an external topic or an expression.", "implementation")
            return
        if implementation.kind == "expression":
            self.expression_text(node.id, implementation.expression or "", "service expression")
        elif implementation.kind == "external" and not implementation.topic:
            self.error(node.id, f"{self.label(node)} is an external task without a "
                       "topic: name the topic its workers fetch.", "implementation")
        elif implementation.kind == "http" and not implementation.http.url:
            self.error(node.id, f"{self.label(node)} calls HTTP without a url.",
                       "implementation")

    def expression(self, element_id: str, expression, what: str, expect: str = "boolean") -> None:
        """Check that an expression compiles and, if it is a constant, has the expected type."""
        if expression is None or not expression.text:
            self.error(element_id, f"The {what} is empty: write an expression such as "
                       "amount > 1000.", "expression")
            return
        compiled = self.expression_text(element_id, expression.text, what)
        if compiled is not None and not compiled.names:
            self._constant(element_id, compiled, what, expect)

    def expression_text(self, element_id: str, text: str, what: str):
        try:
            return compile_expression(text)
        except (ExpressionError, RecursionError) as error:
            self.error(element_id, f"The {what} '{_short(text)}' does not compile: {_reason(error)}.",
                       "expression")
            return None

    def _constant(self, element_id: str, compiled, what: str, expect: str) -> None:
        """Evaluate an expression that uses no variable, as its value never changes."""
        try:
            value = compiled.evaluate({})
        except ExpressionError as error:
            self.error(element_id, f"The {what} '{_short(compiled.text)}' always fails: "
                       f"{_reason(error)}.", "expression")
            return
        if expect == "boolean" and not isinstance(value, bool):
            self.error(element_id, f"The {what} '{_short(compiled.text)}' is always {value!r}, not "
                       "true or false: write a condition.", "expression-type")
        elif expect == "count" and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            self.error(element_id, f"The {what} '{_short(compiled.text)}' is {value!r}: it must be "
                       "a whole number of at least 0.", "expression-type")

    def script(self, node: FlowNode) -> None:
        if not node.script:
            self.error(node.id, f"{self.label(node)} has no script: write what it computes, as "
                       "lines of name = expression.", "script")
        elif node.script_format not in SCRIPT_FORMATS:
            self.error(node.id, f"The script of {self.label(node)} is written in "
                       f"'{node.script_format}', which Baton cannot run: write it as lines of "
                       "name = expression and remove the script format.", "script-format")
        else:
            self._compile_script(node)

    def _compile_script(self, node: FlowNode) -> None:
        try:
            compile_script(node.script)
        except (ExpressionError, RecursionError) as error:
            self.error(node.id, f"The script of {self.label(node)} does not compile: "
                       f"{_reason(error)}.", "script")

    def timer(self, node: FlowNode, definition) -> None:
        timer = definition.timer
        if timer is None or not timer.text:
            self.error(node.id, f"The timer of {self.label(node)} has no value: set a date, a "
                       "duration such as PT5M, or a cycle such as R3/PT10M.", "timer")
        elif is_expression(timer.text):
            self.expression_text(node.id, timer.text, "timer expression")
        else:
            try:
                compile_timer(timer.kind, timer.text)
            except TimerError as error:
                self.error(node.id, f"The timer of {self.label(node)} cannot be read: "
                           f"{_reason(error)}.", "timer")

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
                    self.error(node.id, f"The link event '{key[1]}' has {found} matching catching "
                               "link event in the same (sub)process: give exactly one catching "
                               "link event the same name.", "link")
        for key, nodes in catches.items():
            if key not in throws:
                for node in nodes:
                    self.error(node.id, f"The catching link event '{key[1]}' has no throwing link "
                               "event of the same name in the same (sub)process, so it can never "
                               "be reached.", "link")


class _EventRules:
    """The BPMN rules for one event of an executable process."""

    RULES = {
        "startEvent": "_start", "endEvent": "_end", "intermediateCatchEvent": "_catch",
        "intermediateThrowEvent": "_throw", "boundaryEvent": "_boundary",
    }

    def __init__(self, checker: _ProcessChecker, node: FlowNode):
        self.checker = checker
        self.node = node
        self.kinds = [d.kind for d in node.event_definitions]
        self.label = checker.label(node)

    def error(self, message: str, code: str) -> None:
        self.checker.error(self.node.id, message, code)

    def check(self) -> None:
        rule = self.RULES.get(self.node.kind)
        if rule is not None:
            getattr(self, rule)()
        for definition in self.node.event_definitions:
            self._definition(definition)

    def _definition(self, definition) -> None:
        if definition.kind in REFERENCED and not definition.ref and (
                definition.kind in ("message", "signal") or self._throws()):
            word = REFERENCED[definition.kind][1]
            self.error(f"The {word} of {self.label} is not set: pick the {word} it "
                       f"{'sends' if self._throws() else 'waits for'}.", "event-reference")
        if definition.kind == "timer":
            self.checker.timer(self.node, definition)
        elif definition.kind == "conditional":
            self.checker.expression(self.node.id, definition.condition, "condition")
        elif definition.kind == "escalation" and self._throws() and definition.ref:
            escalation = self.checker.defs.escalations.get(definition.ref)
            if escalation is not None and not escalation.code:
                self.error(f"The escalation '{escalation.name or escalation.id}' thrown by "
                           f"{self.label} has no escalation code: give it one, so that catching "
                           "events can match it.", "escalation-code")

    def _throws(self) -> bool:
        return self.node.kind in ("endEvent", "intermediateThrowEvent")

    def _start(self) -> None:
        node = self.node
        if node.incoming:
            self.error(f"{self.label} has an incoming sequence flow: nothing can flow "
                       "into a start event; connect the flow to a later element.", "start-incoming")
        if node.id in self.checker.message_sources:
            self.error(f"{self.label} is the source of a message flow: a start event "
                       "only receives.", "start-message-flow")
        if node.id in self.checker.message_targets and "message" not in self.kinds:
            self.error(f"{self.label} receives a message flow but is not a message "
                       "start event: add a message definition.", "start-message-flow")
        scope = self.checker.process.scopes[node.scope]
        if scope.is_event_subprocess:
            self._event_subprocess_start()
        elif scope.kind != "process" and self.kinds:
            self.error(f"{self.label} of a subprocess has a trigger: a subprocess "
                       "starts when the flow reaches it, so remove the event definition.",
                       "subprocess-start-trigger")
        elif scope.kind == "process" and set(self.kinds) - START_TRIGGERS:
            self.error(f"{self.label} starts a process with a "
                       f"{', '.join(sorted(set(self.kinds) - START_TRIGGERS))} trigger: a process "
                       "can start on none, a message, a timer, a condition or a signal.",
                       "start-trigger")

    def _event_subprocess_start(self) -> None:
        if not self.kinds:
            self.error(f"{self.label} of an event subprocess has no trigger: give it a "
                       "message, timer, signal, error, escalation, condition or compensation.",
                       "event-subprocess-start")
        elif set(self.kinds) - EVENT_SUBPROCESS_TRIGGERS:
            self.error(f"{self.label} of an event subprocess cannot be triggered by "
                       f"{', '.join(sorted(set(self.kinds) - EVENT_SUBPROCESS_TRIGGERS))}.",
                       "event-subprocess-start")
        elif not self.node.is_interrupting and set(self.kinds) & INTERRUPTING_ONLY:
            self.error(f"{self.label} is non-interrupting, but an error or compensation "
                       "always interrupts: make it interrupting.", "event-subprocess-start")

    def _end(self) -> None:
        node = self.node
        if node.outgoing:
            self.error(f"{self.label} has an outgoing sequence flow: an end event "
                       "ends its path; remove the flow or use an intermediate event.", "end-outgoing")
        if not node.incoming:
            self.error(f"{self.label} has no incoming sequence flow: connect it, or "
                       "remove it.", "end-incoming")
        if node.id in self.checker.message_targets:
            self.error(f"{self.label} is the target of a message flow: an end event "
                       "only sends.", "end-message-flow")
        if node.id in self.checker.message_sources and "message" not in self.kinds:
            self.error(f"{self.label} sends a message flow but is not a message end "
                       "event: add a message definition.", "end-message-flow")
        if set(self.kinds) - END_RESULTS:
            self.error(f"{self.label} cannot end with a "
                       f"{', '.join(sorted(set(self.kinds) - END_RESULTS))} result.", "end-result")
        if "cancel" in self.kinds and not self._inside("transaction"):
            self.error(f"{self.label} is a cancel end event outside a transaction: "
                       "cancel end events belong inside transaction subprocesses.", "cancel-end")

    def _inside(self, kind: str) -> bool:
        return self.checker.process.scopes[self.node.scope].kind == kind

    def _catch(self) -> None:
        node = self.node
        if not self.kinds or set(self.kinds) - CATCH_TRIGGERS:
            what = ", ".join(sorted(set(self.kinds) - CATCH_TRIGGERS)) or "no"
            self.error(f"{self.label} waits for {what} trigger: an intermediate catch "
                       "event waits for a message, timer, condition, signal or link.", "catch-trigger")
        if "link" in self.kinds:
            if node.incoming:
                self.error(f"{self.label} is a catching link event with an incoming "
                           "flow: the link is its only way in.", "link-flow")
        elif not node.incoming:
            self.error(f"{self.label} has no incoming sequence flow.", "catch-incoming")
        if not node.outgoing:
            self.error(f"{self.label} has no outgoing sequence flow.", "catch-outgoing")
        if node.id in self.checker.message_sources:
            self.error(f"{self.label} is the source of a message flow: a catching "
                       "event only receives.", "catch-message-flow")

    def _throw(self) -> None:
        node = self.node
        if set(self.kinds) - THROW_RESULTS:
            self.error(f"{self.label} cannot throw "
                       f"{', '.join(sorted(set(self.kinds) - THROW_RESULTS))}: an intermediate "
                       "throw event sends a message, signal, escalation, compensation or link.",
                       "throw-result")
        if not node.incoming:
            self.error(f"{self.label} has no incoming sequence flow.", "throw-incoming")
        if "link" in self.kinds:
            if node.outgoing:
                self.error(f"{self.label} is a throwing link event with an outgoing "
                           "flow: the link is its only way out.", "link-flow")
        elif not node.outgoing:
            self.error(f"{self.label} has no outgoing sequence flow.", "throw-outgoing")
        if node.id in self.checker.message_targets:
            self.error(f"{self.label} is the target of a message flow: a throwing "
                       "event only sends.", "throw-message-flow")

    def _boundary(self) -> None:
        node = self.node
        kinds = set(self.kinds)
        allowed = BOUNDARY_TRIGGERS if node.cancel_activity else NON_INTERRUPTING_BOUNDARY_TRIGGERS
        if not kinds or kinds - allowed:
            what = ", ".join(sorted(kinds - allowed)) or "no"
            mode = "an interrupting" if node.cancel_activity else "a non-interrupting"
            self.error(f"{self.label} is {mode} boundary event with {what} trigger: "
                       f"use one of {', '.join(sorted(allowed))}.", "boundary-trigger")
        if node.incoming:
            self.error(f"{self.label} has an incoming sequence flow: a boundary event "
                       "is triggered, not reached.", "boundary-incoming")
        if "compensate" in kinds:
            if node.outgoing:
                self.error(f"{self.label} is a compensation boundary event with an "
                           "outgoing flow: connect its handler with an association instead.",
                           "compensation-flow")
            self._compensation_handler()
        elif not node.outgoing:
            self.error(f"{self.label} has no outgoing sequence flow: connect what "
                       "happens when it is triggered.", "boundary-outgoing")
        host = self.checker.nodes.get(node.attached_to)
        if "cancel" in kinds and host is not None and host.kind != "transaction":
            self.error(f"{self.label} is a cancel boundary event attached to "
                       f"{self.checker.label(host)}: cancel events only attach to transactions.",
                       "cancel-boundary")

    def _compensation_handler(self) -> None:
        handler = self.checker.nodes.get(self.node.compensation_handler or "")
        if handler is None:
            self.error(f"{self.label} has no compensation handler: connect an "
                       "activity marked for compensation with an association.", "compensation-handler")
        elif handler.kind not in ACTIVITIES or not handler.is_for_compensation:
            self.error(f"The compensation handler '{handler.id}' of {self.label} is not an activity "
                       "marked for compensation (isForCompensation): mark it.", "compensation-handler")


class _GatewayRules:
    """The BPMN rules for one gateway of an executable process."""

    def __init__(self, checker: _ProcessChecker, node: FlowNode):
        self.checker = checker
        self.node = node
        self.label = checker.label(node)

    def error(self, message: str, code: str) -> None:
        self.checker.error(self.node.id, message, code)

    def check(self) -> None:
        node = self.node
        ins, outs = len(node.incoming), len(node.outgoing)
        if not outs:
            self.error(f"{self.label} has no outgoing sequence flow: connect where the "
                       "process goes next.", "gateway-outgoing")
        elif ins <= 1 and outs <= 1 and node.kind != "eventBasedGateway":
            self.error(f"{self.label} neither splits nor joins (one flow in, one out): "
                       "remove it and connect the flows directly.", "gateway-pass-through")
        self._direction(ins, outs)
        if node.kind in ("exclusiveGateway", "inclusiveGateway"):
            self._unconditional_flows()
        elif node.kind == "eventBasedGateway":
            self._event_based()

    def _direction(self, ins: int, outs: int) -> None:
        direction = self.node.gateway_direction
        if direction == "Converging" and outs > 1:
            self.error(f"{self.label} is converging but has {outs} outgoing flows: "
                       "a converging gateway has one.", "gateway-direction")
        elif direction == "Diverging" and ins > 1:
            self.error(f"{self.label} is diverging but has {ins} incoming flows: a "
                       "diverging gateway has one.", "gateway-direction")
        elif direction == "Mixed" and (ins < 2 or outs < 2):
            self.error(f"{self.label} is mixed, so it needs several incoming and "
                       "several outgoing flows.", "gateway-direction")

    def _unconditional_flows(self) -> None:
        node = self.node
        plain = [f for f in node.outgoing
                 if self.checker.flows[f].condition is None and f != node.default_flow]
        if len(node.outgoing) > 1 and len(plain) > 1:
            self.error(f"{self.label} has {len(plain)} outgoing flows without a "
                       f"condition ({', '.join(plain)}) and no default flow: give each a condition, "
                       "or make one of them the default flow.", "gateway-conditions")

    def _event_based(self) -> None:
        node = self.node
        checker = self.checker
        if len(node.outgoing) < 2:
            self.error(f"{self.label} needs two or more outgoing flows, one to each "
                       "event it waits for.", "event-gateway")
        if node.instantiate and node.incoming:
            self.error(f"{self.label} starts instances, so it cannot have incoming "
                       "flows.", "event-gateway")
        targets = [checker.nodes.get(checker.flows[f].target) for f in node.outgoing]
        targets = [t for t in targets if t is not None]
        for flow_id in node.outgoing:
            if checker.flows[flow_id].condition is not None:
                self.error(f"The flow '{flow_id}' after {self.label} has a condition: the first "
                           "event to happen chooses the path, so remove the condition.",
                           "event-gateway")
        for target in targets:
            self._event_gateway_target(target)
        kinds = {t.kind for t in targets}
        message_events = any(t.kind == "intermediateCatchEvent" and t.trigger == "message"
                             for t in targets)
        if "receiveTask" in kinds and message_events:
            self.error(f"{self.label} is followed by both receive tasks and message "
                       "events: use one or the other.", "event-gateway")

    def _event_gateway_target(self, target: FlowNode) -> None:
        checker = self.checker
        kinds = {d.kind for d in target.event_definitions}
        fits = (target.kind == "receiveTask" or (
            target.kind == "intermediateCatchEvent" and kinds and kinds <= EVENT_GATEWAY_TRIGGERS))
        if not fits:
            self.error(f"{self.label} leads to {checker.label(target)}: an event-based "
                       "gateway leads to receive tasks or to message, signal, timer or conditional "
                       "catch events.", "event-gateway")
        if len(target.incoming) > 1:
            self.error(f"{checker.label(target)} follows {self.label} and has other "
                       "incoming flows: it must only be reached from the gateway.", "event-gateway")
        if target.kind == "receiveTask" and target.boundary_events:
            self.error(f"{checker.label(target)} follows {self.label} and has boundary "
                       "events: remove them.", "event-gateway")


class _ActivityRules:
    """The BPMN rules for one activity of an executable process."""

    def __init__(self, checker: _ProcessChecker, node: FlowNode):
        self.checker = checker
        self.node = node
        self.label = checker.label(node)

    def error(self, message: str, code: str) -> None:
        self.checker.error(self.node.id, message, code)

    def check(self) -> None:
        node = self.node
        checker = self.checker
        conditional = [f for f in node.outgoing if checker.flows[f].condition is not None]
        if len(node.outgoing) == 1 and conditional:
            self.error(f"{self.label} has a single outgoing flow and it is conditional: "
                       "if the condition fails the process stops; remove the condition or add "
                       "another flow.", "single-conditional-flow")
        if node.kind == "receiveTask" and node.instantiate and node.incoming:
            self.error(f"{self.label} starts instances (instantiate), so it cannot "
                       "have incoming flows.", "receive-instantiate")
        if node.kind == "scriptTask":
            checker.script(node)
        if node.kind == "callActivity" and not node.called_element:
            self.error(f"{self.label} does not say which process it calls: set "
                       "calledElement.", "called-element")
        if node.kind == "adHocSubProcess":
            self._ad_hoc()
        self._loops()

    def _ad_hoc(self) -> None:
        scope = self.checker.process.scopes[self.node.id]
        inner = [self.checker.nodes[n] for n in scope.node_ids]
        if not any(n.kind in ACTIVITIES for n in inner):
            self.error(f"{self.label} contains no activity: add the activities it "
                       "offers.", "ad-hoc")
        for node in inner:
            if node.kind in ("startEvent", "endEvent"):
                self.checker.error(node.id, f"{self.checker.label(node)} is inside an "
                                   "ad-hoc subprocess, which has no start or end events: remove it.",
                                   "ad-hoc")
        if self.node.ad_hoc.completion_condition is not None:
            self.checker.expression(self.node.id, self.node.ad_hoc.completion_condition,
                                    "completion condition")

    def _loops(self) -> None:
        multi = self.node.multi_instance
        if multi is not None:
            if multi.loop_cardinality is None and not multi.input_collection:
                self.error(f"{self.label} is multi-instance without a loop cardinality "
                           "or an input collection: say how many instances to run.", "multi-instance")
            if multi.loop_cardinality is not None:
                self.checker.expression(self.node.id, multi.loop_cardinality, "loop cardinality", "count")
            if multi.completion_condition is not None:
                self.checker.expression(self.node.id, multi.completion_condition, "completion condition")
            for behavior in multi.complex_behaviors:
                self.checker.expression(self.node.id, behavior.condition, "complex behavior condition")
        loop = self.node.standard_loop
        if loop is not None and loop.condition is not None:
            self.checker.expression(self.node.id, loop.condition, "loop condition")


class _ScopeChecker:
    """Check the start and end events of one scope and that every node can run and finish."""

    def __init__(self, checker: _ProcessChecker, scope: Scope):
        self.checker = checker
        self.scope = scope
        self.nodes = [checker.nodes[n] for n in scope.node_ids]

    def check(self) -> None:
        scope = self.scope
        if scope.kind == "adHocSubProcess":
            return
        starts = [n for n in self.nodes if n.kind == "startEvent"]
        ends = [n for n in self.nodes if n.kind == "endEvent"]
        if scope.is_event_subprocess:
            self._event_subprocess(starts)
        elif scope.kind != "process" and len(starts) > 1:
            self.checker.error(scope.id, "The subprocess has several start events: a subprocess "
                               "starts at exactly one.", "subprocess-starts")
        elif scope.kind != "process" and not starts and self.nodes:
            self.checker.error(scope.id, f"The {_words(scope.kind)} has no start event: add one "
                               "where it begins.", "no-start-event")
        if starts and not ends:
            self.checker.error(scope.id, f"The {_words(scope.kind)} has a start event but no end "
                               "event: add an end event where its paths finish.", "no-end-event")
        self._paths(ends)

    def _event_subprocess(self, starts: list[FlowNode]) -> None:
        node = self.checker.nodes[self.scope.id]
        if node.incoming or node.outgoing:
            self.checker.error(node.id, "The event subprocess has sequence flows: it starts on its "
                               "event, so remove the flows.", "event-subprocess-flow")
        if len(starts) != 1:
            self.checker.error(node.id, f"The event subprocess has {len(starts)} start events: it "
                               "needs exactly one, which says what triggers it.",
                               "event-subprocess-start")

    def _paths(self, ends: list[FlowNode]) -> None:
        """Report nodes no start event reaches and nodes from which no end event is reachable.

        Events and gateways without flows are reported by their own rules; only activities
        are reported here for a missing flow.
        """
        roots = [n.id for n in self.nodes if self._is_root(n)]
        if not roots:
            return
        forward, backward = self._edges()
        reached = _reach(roots, forward)
        if not ends:
            # Without end events a path ends wherever it has no outgoing flow (BPMN 10.5.3).
            ends = [n for n in self.nodes if not n.outgoing and not self._ends_by_link(n)]
        finishing = _reach([n.id for n in ends], backward)
        for node in self.nodes:
            if self._exempt(node):
                continue
            label = self.checker.label(node)
            if not node.incoming and node.kind in ACTIVITIES and not self._is_root(node):
                self.checker.error(node.id, f"{label} has no incoming sequence flow, so it never "
                                   "runs: connect it, or remove it.", "no-incoming")
            elif node.incoming and node.id not in reached:
                self.checker.error(node.id, f"{label} cannot be reached from a start event: connect "
                                   "it to the flow, or remove it.", "unreachable")
            if node in ends or node.id not in reached:
                continue
            if not node.outgoing and node.kind in ACTIVITIES:
                self.checker.error(node.id, f"{label} has no outgoing sequence flow: connect where "
                                   "the process goes next, or add an end event.", "no-outgoing")
            elif (node.outgoing or self._ends_by_link(node)) and node.id not in finishing:
                self.checker.error(node.id, f"No path leads from {self.checker.label(node)} to an end "
                                   "event, so instances that reach it never finish: add a way out.",
                                   "no-path-to-end")

    def _edges(self):
        forward, backward = defaultdict(list), defaultdict(list)
        for node in self.nodes:
            targets = [self.checker.flows[f].target for f in node.outgoing]
            targets += list(node.boundary_events)
            for target in targets:
                forward[node.id].append(target)
                backward[target].append(node.id)
        for throw, catch in self._link_pairs():
            forward[throw].append(catch)
            backward[catch].append(throw)
        return forward, backward

    def _link_pairs(self):
        catches = {}
        for node in self.nodes:
            if node.kind == "intermediateCatchEvent" and node.trigger == "link":
                catches[node.event_definitions[0].link_name] = node.id
        for node in self.nodes:
            if node.kind == "intermediateThrowEvent" and node.trigger == "link":
                name = node.event_definitions[0].link_name
                if name in catches:
                    yield node.id, catches[name]

    def _is_root(self, node: FlowNode) -> bool:
        return node.kind == "startEvent" or (node.instantiate and not node.incoming)

    def _exempt(self, node: FlowNode) -> bool:
        """Tell whether a node runs outside the normal flow: handlers and event subprocesses."""
        return (node.triggered_by_event or node.is_for_compensation
                or (node.kind == "boundaryEvent" and node.trigger == "compensate")
                or node.kind == "boundaryEvent" and node.attached_to not in self.checker.nodes)

    def _ends_by_link(self, node: FlowNode) -> bool:
        return node.kind == "intermediateThrowEvent" and node.trigger == "link"


def _reach(roots, edges) -> set[str]:
    seen, queue = set(roots), deque(roots)
    while queue:
        for target in edges.get(queue.popleft(), ()):
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return seen


_WORDS = {"subProcess": "subprocess", "adHocSubProcess": "ad-hoc subprocess"}


def _words(kind: str) -> str:
    """Return "user task" for "userTask"."""
    return _WORDS.get(kind) or "".join(f" {c.lower()}" if c.isupper() else c for c in kind).strip()


def _article(kind: str) -> str:
    return "an" if _words(kind)[0] in "aeio" else "a"


def _short(text: str, length: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1] + "…"


def _reason(error: Exception) -> str:
    return str(getattr(error, "message", error)).rstrip(".")


def _sentence(message: str) -> str:
    """Start a message built from labels ("a user task 'Pay'...") with a capital letter."""
    return message[:1].upper() + message[1:]
