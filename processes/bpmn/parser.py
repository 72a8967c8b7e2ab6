"""Compile a BPMN 2.0 XML tree into the immutable model of ``model.py``.

The parser reads what the engine runs and what validation needs, and nothing else: DI,
vendor extensions and elements it does not know are skipped without failing. It never
raises on odd input: what it cannot read (a missing id, a duplicate id, a number that is
not a number, a BPMN constraint only visible in the XML) becomes a ``Problem`` in
``Definitions.problems`` for validation to report.
"""

from collections import defaultdict
from types import MappingProxyType

from .constraints import xml_constraints
from .errors import BpmnError, Problem
from .extensions import read_extensions
from .model import (
    CHOREOGRAPHY_ACTIVITIES,
    EVENTS,
    FLOW_NODES,
    GATEWAYS,
    GLOBAL_TASKS,
    SUBPROCESSES,
    AdHoc,
    Collaboration,
    ComplexBehavior,
    Definitions,
    EventDefinition,
    ExpressionText,
    FlowNode,
    Lane,
    MessageFlow,
    MultiInstance,
    Participant,
    Process,
    RootElement,
    Scope,
    SequenceFlow,
    StandardLoop,
    TimerText,
)
from .xml import BPMN, bpmn_children, local_name, text_of

EVENT_DEFINITIONS = {
    "messageEventDefinition": "message",
    "signalEventDefinition": "signal",
    "errorEventDefinition": "error",
    "escalationEventDefinition": "escalation",
    "timerEventDefinition": "timer",
    "conditionalEventDefinition": "conditional",
    "compensateEventDefinition": "compensate",
    "linkEventDefinition": "link",
    "terminateEventDefinition": "terminate",
    "cancelEventDefinition": "cancel",
}
REF_ATTRIBUTES = {
    "message": "messageRef",
    "signal": "signalRef",
    "error": "errorRef",
    "escalation": "escalationRef",
}
TIMER_VALUES = ("timeDate", "timeDuration", "timeCycle")
ROOT_ELEMENTS = {
    "message": "messages",
    "signal": "signals",
    "error": "errors",
    "escalation": "escalations",
}
READ_ROOTS = GLOBAL_TASKS | {"process", "collaboration"}


def is_bpmn(element) -> bool:
    """Tell whether an element is in the BPMN 2.0 model namespace."""
    return isinstance(element.tag, str) and element.tag.startswith(BPMN)


def _boolean(element, name: str, default: bool) -> bool:
    value = element.get(name)
    if value is None:
        return default
    return value.strip().lower() in ("true", "1")


def compile_definitions(tree, *, as_documentation: bool = False) -> Definitions:
    """Return the compiled model of a parsed BPMN document.

    With ``as_documentation`` every process is compiled as not executable, whatever its
    isExecutable says, so it is only checked for coherence: this imports models drawn to
    document a process, which tools such as Camunda Modeler mark executable by default.
    """
    root = tree.getroot() if hasattr(tree, "getroot") else tree
    try:
        return _Compiler(root, as_documentation).compile()
    except (RecursionError, MemoryError):
        message = "The model is too large or too deeply nested to be read."
        raise BpmnError([Problem(None, message, "error", "too-complex")]) from None


class _Compiler:
    """Read one document; keep the problems found along the way."""

    def __init__(self, root, as_documentation: bool):
        self.root = root
        self.as_documentation = as_documentation
        self.problems: list[Problem] = []
        self.elements: dict[str, object] = {}
        self.root_event_definitions: dict[str, EventDefinition] = {}

    def problem(self, element_id, message: str, code: str, severity: str = "error") -> None:
        self.problems.append(Problem(element_id, message, severity, code))

    def compile(self) -> Definitions:
        self._index_ids()
        roots = {name: {} for name in ROOT_ELEMENTS.values()}
        processes, collaborations, global_tasks = {}, {}, {}
        for element in self.root:
            kind = local_name(element.tag)
            if not is_bpmn(element):
                continue
            if kind in ROOT_ELEMENTS:
                self._root_element(element, kind, roots[ROOT_ELEMENTS[kind]])
            elif kind in EVENT_DEFINITIONS and element.get("id"):
                self.root_event_definitions[element.get("id")] = self.event_definition(
                    element, kind
                )
        for element in self.root:
            kind = local_name(element.tag)
            if not is_bpmn(element) or kind not in READ_ROOTS or not self.has_id(element):
                continue
            if kind == "process":
                processes[element.get("id")] = _ProcessReader(self, element).read()
            elif kind == "collaboration":
                collaborations[element.get("id")] = self._collaboration(element)
            elif kind in GLOBAL_TASKS:
                global_tasks[element.get("id")] = self._global_task(element, kind)
        executable = {key for key, process in processes.items() if process.is_executable}
        self.problems += xml_constraints(self.root, self.elements, executable)
        return Definitions(
            id=self.root.get("id"),
            target_namespace=self.root.get("targetNamespace"),
            processes=MappingProxyType(processes),
            collaborations=MappingProxyType(collaborations),
            global_tasks=MappingProxyType(global_tasks),
            problems=tuple(self.problems),
            **{name: MappingProxyType(found) for name, found in roots.items()},
        )

    def _index_ids(self) -> None:
        """Record every id of the BPMN model; report duplicates before a dict hides them."""
        reported = set()
        for element in self.root.iter(BPMN + "*"):
            element_id = element.get("id")
            if element_id is None:
                continue
            if element_id in self.elements:
                if element_id not in reported:
                    reported.add(element_id)
                    first = local_name(self.elements[element_id].tag)
                    self.problem(
                        element_id,
                        f"The id '{element_id}' is used by several elements (a {first} and a "
                        f"{local_name(element.tag)}): give each element its own id.",
                        "duplicate-id",
                    )
                continue
            self.elements[element_id] = element

    def has_id(self, element) -> bool:
        if element.get("id", "").strip():
            return True
        name = element.get("name")
        called = f" named '{name}'" if name else ""
        self.problem(
            None,
            f"A {local_name(element.tag)}{called} has no id: every BPMN element "
            "the engine uses needs a unique id.",
            "missing-id",
        )
        return False

    def _root_element(self, element, kind: str, found: dict) -> None:
        if not self.has_id(element):
            return
        code = element.get("errorCode") if kind == "error" else element.get("escalationCode")
        found[element.get("id")] = RootElement(element.get("id"), element.get("name"), code)

    def _collaboration(self, element) -> Collaboration:
        participants = []
        for participant in bpmn_children(element, "participant"):
            if self.has_id(participant):
                self._multiplicity(participant)
                participants.append(
                    Participant(
                        participant.get("id"),
                        participant.get("name"),
                        participant.get("processRef"),
                    )
                )
        flows = []
        for flow in bpmn_children(element, "messageFlow"):
            if self.has_id(flow):
                flows.append(
                    MessageFlow(
                        flow.get("id"),
                        flow.get("sourceRef") or "",
                        flow.get("targetRef") or "",
                        flow.get("name"),
                        flow.get("messageRef"),
                    )
                )
        return Collaboration(
            element.get("id"), element.get("name"), tuple(participants), tuple(flows)
        )

    def _multiplicity(self, participant) -> None:
        for multiplicity in bpmn_children(participant, "participantMultiplicity"):
            low = self.integer(participant.get("id"), multiplicity, "minimum", 0)
            high = self.integer(participant.get("id"), multiplicity, "maximum", 1)
            if low is not None and low < 0:
                self.problem(
                    participant.get("id"),
                    "The minimum number of participants must not be negative.",
                    "participant-multiplicity",
                )
            if high is not None and (high < 1 or (low is not None and high < low)):
                self.problem(
                    participant.get("id"),
                    "The maximum number of participants must be "
                    "at least 1 and at least the minimum.",
                    "participant-multiplicity",
                )

    def _global_task(self, element, kind: str) -> FlowNode:
        scripts = bpmn_children(element, "script")
        return FlowNode(
            id=element.get("id"),
            kind=kind,
            scope=None,
            name=element.get("name"),
            script=text_of(scripts[0]) if scripts else None,
            script_format=element.get("scriptFormat"),
            properties=read_extensions(element, element.get("id"), self.problems),
        )

    def integer(self, element_id, element, name: str, default: int | None) -> int | None:
        value = element.get(name)
        if value is None:
            return default
        try:
            return int(value.strip())
        except ValueError:
            self.problem(element_id, f"'{name}' must be a whole number, not '{value}'.", "number")
            return None

    def expression(self, element) -> ExpressionText:
        return ExpressionText(text_of(element), element.get("language"))

    def event_definition(self, element, kind: str) -> EventDefinition:
        kind = EVENT_DEFINITIONS[kind]
        values = {"kind": kind, "id": element.get("id")}
        if kind in REF_ATTRIBUTES:
            values["ref"] = element.get(REF_ATTRIBUTES[kind])
        elif kind == "timer":
            values["timer"] = self._timer(element)
        elif kind == "conditional":
            conditions = bpmn_children(element, "condition")
            values["condition"] = self.expression(conditions[0]) if conditions else None
        elif kind == "compensate":
            values["activity_ref"] = element.get("activityRef")
            values["wait_for_completion"] = _boolean(element, "waitForCompletion", True)
        elif kind == "link":
            values["link_name"] = element.get("name")
        return EventDefinition(**values)

    def _timer(self, element) -> TimerText | None:
        values = [
            child for child in element if is_bpmn(child) and local_name(child.tag) in TIMER_VALUES
        ]
        if len(values) > 1:
            self.problem(
                element.get("id"),
                "A timer has several of timeDate, timeDuration and timeCycle: keep exactly one.",
                "timer",
            )
        if not values:
            return None
        return TimerText(local_name(values[0].tag), text_of(values[0]))


class _ProcessReader:
    """Read one process: its scopes, nodes, flows, lanes and data, at every depth."""

    def __init__(self, compiler: _Compiler, element):
        self.compiler = compiler
        self.element = element
        self.id = element.get("id")
        self.executable = not compiler.as_documentation and _boolean(element, "isExecutable", False)
        self.nodes: dict[str, dict] = {}
        self.flows: dict[str, SequenceFlow] = {}
        self.scopes: dict[str, Scope] = {}
        self.listed: dict[str, tuple[list[str], list[str]]] = {}
        self.associations: list[tuple[str, str]] = []
        self.data_objects: list[str] = []
        self.data_stores: list[str] = []
        self.lanes: tuple[Lane, ...] = ()
        self.lists_flows = False

    def problem(self, element_id, message: str, code: str, severity: str = "error") -> None:
        self.compiler.problem(element_id, message, code, severity)

    def read(self) -> Process:
        self._scope(self.element, self.id, "process", None)
        self.lanes = tuple(self._lane_sets(self.element))
        nodes = self._finish_nodes()
        documentation = "\n".join(text_of(d) for d in bpmn_children(self.element, "documentation"))
        return Process(
            id=self.id,
            name=self.element.get("name"),
            is_executable=self.executable,
            nodes=MappingProxyType(nodes),
            flows=MappingProxyType(self.flows),
            scopes=MappingProxyType(self.scopes),
            documentation=documentation or None,
            lanes=self.lanes,
            lane_of=MappingProxyType(_lane_of(self.lanes)),
            data_objects=tuple(self.data_objects),
            data_stores=tuple(self.data_stores),
            properties=read_extensions(self.element, self.id, self.compiler.problems),
        )

    def _scope(self, element, scope_id: str, kind: str, parent: str | None) -> None:
        node_ids, flow_ids, starts, event_subprocesses = [], [], [], []
        for child in element:
            if not is_bpmn(child):
                continue
            tag = local_name(child.tag)
            if tag in FLOW_NODES:
                if not self.compiler.has_id(child):
                    continue
                node = self._node(child, tag, scope_id)
                node_ids.append(node["id"])
                if tag == "startEvent":
                    starts.append(node["id"])
                if tag in SUBPROCESSES:
                    self._scope(child, node["id"], tag, scope_id)
                    if node["triggered_by_event"]:
                        event_subprocesses.append(node["id"])
            elif tag == "sequenceFlow":
                if self.compiler.has_id(child):
                    flow_ids.append(self._flow(child, scope_id))
            else:
                self._other(child, tag, scope_id)
        self.scopes[scope_id] = Scope(
            id=scope_id,
            kind=kind,
            parent=parent,
            node_ids=tuple(node_ids),
            flow_ids=tuple(flow_ids),
            start_events=tuple(starts),
            event_subprocesses=tuple(event_subprocesses),
            is_event_subprocess=_boolean(element, "triggeredByEvent", False),
        )

    def _other(self, element, tag: str, scope_id: str) -> None:
        if tag == "association":
            source, target = element.get("sourceRef"), element.get("targetRef")
            if source and target:
                self.associations.append((source, target))
        elif tag in ("dataObject", "dataObjectReference") and element.get("id"):
            self.data_objects.append(element.get("id"))
        elif tag == "dataStoreReference" and element.get("id"):
            self.data_stores.append(element.get("id"))
        elif tag in CHOREOGRAPHY_ACTIVITIES:
            self.problem(
                element.get("id") or scope_id,
                f"A {tag} is a choreography activity; "
                "it cannot be part of a process or subprocess.",
                "choreography-in-process",
            )

    def _flow(self, element, scope_id: str) -> str:
        conditions = bpmn_children(element, "conditionExpression")
        flow = SequenceFlow(
            id=element.get("id"),
            source=element.get("sourceRef") or "",
            target=element.get("targetRef") or "",
            scope=scope_id,
            name=element.get("name"),
            condition=self.compiler.expression(conditions[0]) if conditions else None,
        )
        if self.executable and element.get("isImmediate", "").strip().lower() == "false":
            self.problem(
                flow.id,
                'isImmediate="false" cannot be executed: remove the attribute.',
                "is-immediate",
            )
        self.flows[flow.id] = flow
        return flow.id

    def _node(self, element, kind: str, scope_id: str) -> dict:
        node_id = element.get("id")
        documentation = "\n".join(text_of(d) for d in bpmn_children(element, "documentation"))
        node = {
            "id": node_id,
            "kind": kind,
            "scope": scope_id,
            "name": element.get("name"),
            "documentation": documentation or None,
            "properties": read_extensions(element, node_id, self.compiler.problems),
        }
        self.listed[node_id] = (
            [text_of(ref) for ref in bpmn_children(element, "incoming")],
            [text_of(ref) for ref in bpmn_children(element, "outgoing")],
        )
        if kind in EVENTS:
            self._event(element, kind, node)
        elif kind in GATEWAYS:
            self._gateway(element, kind, node)
        else:
            self._activity(element, kind, node)
        self.nodes[node_id] = node
        return node

    def _event(self, element, kind: str, node: dict) -> None:
        definitions = []
        for child in element:
            tag = local_name(child.tag)
            if is_bpmn(child) and tag in EVENT_DEFINITIONS:
                definitions.append(self.compiler.event_definition(child, tag))
        for ref in bpmn_children(element, "eventDefinitionRef"):
            shared = self.compiler.root_event_definitions.get(text_of(ref))
            if shared is None:
                self.problem(
                    node["id"],
                    f"The event refers to event definition '{text_of(ref)}', "
                    "which is not declared at the top level of the file: an event can "
                    "only share a definition declared there.",
                    "event-definition-ref",
                )
            else:
                definitions.append(shared)
        node["event_definitions"] = tuple(definitions)
        node["parallel_multiple"] = _boolean(element, "parallelMultiple", False)
        if kind == "boundaryEvent":
            node["attached_to"] = element.get("attachedToRef") or ""
            node["cancel_activity"] = _boolean(element, "cancelActivity", True)
        elif kind == "startEvent":
            node["is_interrupting"] = _boolean(element, "isInterrupting", True)

    def _gateway(self, element, kind: str, node: dict) -> None:
        node["gateway_direction"] = element.get("gatewayDirection") or "Unspecified"
        if kind == "complexGateway":
            conditions = bpmn_children(element, "activationCondition")
            node["activation_condition"] = (
                self.compiler.expression(conditions[0]) if conditions else None
            )
        node["default_flow"] = element.get("default")
        if kind == "eventBasedGateway":
            node["instantiate"] = _boolean(element, "instantiate", False)
            node["event_gateway_type"] = element.get("eventGatewayType") or "Exclusive"

    def _activity(self, element, kind: str, node: dict) -> None:
        node_id = node["id"]
        node["default_flow"] = element.get("default")
        node["is_for_compensation"] = _boolean(element, "isForCompensation", False)
        for name in ("startQuantity", "completionQuantity"):
            quantity = self.compiler.integer(node_id, element, name, 1)
            if quantity is not None and quantity < 1:
                self.problem(node_id, f"{name} must be at least 1, not {quantity}.", "quantity")
            key = "start_quantity" if name == "startQuantity" else "completion_quantity"
            node[key] = quantity if quantity and quantity > 0 else 1
        self._loops(element, node)
        if kind in SUBPROCESSES:
            node["triggered_by_event"] = _boolean(element, "triggeredByEvent", False)
        if kind == "adHocSubProcess":
            conditions = bpmn_children(element, "completionCondition")
            node["ad_hoc"] = AdHoc(
                ordering=element.get("ordering") or "Parallel",
                completion_condition=self.compiler.expression(conditions[0])
                if conditions
                else None,
                cancel_remaining_instances=_boolean(element, "cancelRemainingInstances", True),
            )
        elif kind == "callActivity":
            node["called_element"] = element.get("calledElement")
        elif kind == "scriptTask":
            scripts = bpmn_children(element, "script")
            node["script"] = text_of(scripts[0]) if scripts else None
            node["script_format"] = element.get("scriptFormat")
        elif kind in ("receiveTask", "sendTask"):
            node["message_ref"] = element.get("messageRef")
            node["instantiate"] = _boolean(element, "instantiate", False)

    def _loops(self, element, node: dict) -> None:
        multi = bpmn_children(element, "multiInstanceLoopCharacteristics")
        standard = bpmn_children(element, "standardLoopCharacteristics")
        if multi and standard:
            self.problem(
                node["id"],
                "The activity is both a loop and a multi-instance activity: "
                "keep one of the two markers.",
                "loop-markers",
            )
        if multi:
            node["multi_instance"] = self._multi_instance(multi[0], node["id"])
        elif standard:
            node["standard_loop"] = self._standard_loop(standard[0], node["id"])

    def _multi_instance(self, element, node_id: str) -> MultiInstance:
        props = read_extensions(element, node_id, self.compiler.problems)

        def expression(name):
            found = bpmn_children(element, name)
            return self.compiler.expression(found[0]) if found else None

        def ref(name):
            found = bpmn_children(element, name)
            return text_of(found[0]) or None if found else None

        def item(name):
            found = bpmn_children(element, name)
            return (found[0].get("name") or found[0].get("id")) if found else None

        return MultiInstance(
            is_sequential=_boolean(element, "isSequential", False),
            loop_cardinality=expression("loopCardinality"),
            input_collection=ref("loopDataInputRef") or props.collection,
            input_element=item("inputDataItem") or props.element_variable,
            completion_condition=expression("completionCondition"),
            output_collection=ref("loopDataOutputRef"),
            output_element=item("outputDataItem"),
            behavior=element.get("behavior") or "All",
            complex_behaviors=tuple(
                self._complex_behavior(definition)
                for definition in bpmn_children(element, "complexBehaviorDefinition")
            ),
            none_behavior_event=self._behavior_event(element, "noneBehaviorEventRef", node_id),
            one_behavior_event=self._behavior_event(element, "oneBehaviorEventRef", node_id),
        )

    def _behavior_event(self, element, attribute: str, node_id: str) -> EventDefinition | None:
        """Return the event definition a multi-instance behavior throws, found by its id."""
        ref = (element.get(attribute) or "").strip()
        if not ref:
            return None
        target = self.compiler.elements.get(ref.rpartition(":")[2])
        kind = local_name(target.tag) if target is not None else None
        if kind not in EVENT_DEFINITIONS:
            self.problem(
                node_id,
                f"The multi-instance {attribute} '{ref}' names no event definition of the file.",
                "behavior-event-ref",
            )
            return None
        return self.compiler.event_definition(target, kind)

    def _complex_behavior(self, element) -> ComplexBehavior:
        conditions = bpmn_children(element, "condition")
        events = []
        for event in bpmn_children(element, "event"):
            events += [
                self.compiler.event_definition(child, local_name(child.tag))
                for child in event
                if is_bpmn(child) and local_name(child.tag) in EVENT_DEFINITIONS
            ]
        return ComplexBehavior(
            condition=self.compiler.expression(conditions[0]) if conditions else None,
            events=tuple(events),
        )

    def _standard_loop(self, element, node_id: str) -> StandardLoop:
        conditions = bpmn_children(element, "loopCondition")
        maximum = self.compiler.integer(node_id, element, "loopMaximum", None)
        if maximum is not None and maximum < 0:
            self.problem(node_id, f"loopMaximum must not be negative ({maximum}).", "loop-maximum")
        return StandardLoop(
            condition=self.compiler.expression(conditions[0]) if conditions else None,
            test_before=_boolean(element, "testBefore", False),
            maximum=maximum,
        )

    def _finish_nodes(self) -> dict[str, FlowNode]:
        """Link flows and boundary events to their nodes, then freeze the nodes."""
        incoming, outgoing, boundaries = defaultdict(list), defaultdict(list), defaultdict(list)
        for flow in self.flows.values():
            outgoing[flow.source].append(flow.id)
            incoming[flow.target].append(flow.id)
        for node in self.nodes.values():
            if node.get("attached_to"):
                boundaries[node["attached_to"]].append(node["id"])
        handlers = self._compensation_handlers()
        self.lists_flows = any(
            listed_in or listed_out for listed_in, listed_out in self.listed.values()
        )
        nodes = {}
        for node_id, node in self.nodes.items():
            self._check_listed_flows(node_id, incoming[node_id], outgoing[node_id])
            node["incoming"] = tuple(incoming[node_id])
            node["outgoing"] = tuple(outgoing[node_id])
            node["boundary_events"] = tuple(boundaries[node_id])
            if node_id in handlers:
                node["compensation_handler"] = handlers[node_id]
            nodes[node_id] = FlowNode(**node)
        return nodes

    def _compensation_handlers(self) -> dict[str, str]:
        handlers = {}
        for source, target in self.associations:
            for event, handler in ((source, target), (target, source)):
                node = self.nodes.get(event)
                if (
                    node
                    and node["kind"] == "boundaryEvent"
                    and any(d.kind == "compensate" for d in node["event_definitions"])
                ):
                    handlers[event] = handler
        return handlers

    def _check_listed_flows(self, node_id: str, incoming: list[str], outgoing: list[str]) -> None:
        """Report <incoming>/<outgoing> references that contradict the sequence flows.

        Listing them is optional, but a process that lists them must list them all: a
        partial list means a tool lost a connection.
        """
        listed_in, listed_out = self.listed[node_id]
        for listed, actual, word in (
            (listed_in, incoming, "incoming"),
            (listed_out, outgoing, "outgoing"),
        ):
            if self.lists_flows and self.executable:
                for flow_id in set(actual) - set(listed):
                    self.problem(
                        node_id,
                        f"The node does not list '{flow_id}' among its {word} "
                        "flows, although the flow connects to it: the model is "
                        "inconsistent; save it again from the modeler.",
                        "listed-flow",
                    )
            for flow_id in listed:
                if flow_id not in actual and flow_id in self.flows:
                    self.problem(
                        node_id,
                        f"The node lists '{flow_id}' as {word} flow, but that "
                        "flow does not connect to it.",
                        "listed-flow",
                    )
                elif flow_id not in self.flows and flow_id not in self.compiler.elements:
                    self.problem(
                        node_id,
                        f"The node lists '{flow_id}' as {word} flow, but there is no such flow.",
                        "listed-flow",
                    )

    def _lane_sets(self, element) -> list[Lane]:
        lanes = []
        for lane_set in bpmn_children(element, "laneSet") + bpmn_children(element, "childLaneSet"):
            for lane in bpmn_children(lane_set, "lane"):
                if lane.get("id"):
                    lanes.append(
                        Lane(
                            id=lane.get("id"),
                            name=lane.get("name"),
                            node_ids=tuple(
                                text_of(ref) for ref in bpmn_children(lane, "flowNodeRef")
                            ),
                            lanes=tuple(self._lane_sets(lane)),
                        )
                    )
        return lanes


def _lane_of(lanes: tuple[Lane, ...], outer: str | None = None) -> dict[str, str]:
    """Map each node to the name of the innermost named lane that holds it."""
    found = {}
    for lane in lanes:
        name = lane.name or outer
        if name:
            found.update(dict.fromkeys(lane.node_ids, name))
        found.update(_lane_of(lane.lanes, name))
    return found
