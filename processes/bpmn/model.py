"""The compiled model: what a BPMN file asks the engine to run, as immutable plain data.

The engine runs this model and never touches XML. Every node, flow and scope is found by id
in a mapping; each node lists its incoming and outgoing flows and its boundary events.
Expressions, scripts and timers are kept as the text the model gives: compiling them is the
job of ``processes.engine``. Mappings are read-only views and sequences are tuples, so a
model can be cached and shared between threads.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

from .errors import Problem
from .extensions import ExtensionProps, no_mapping

# The kinds of flow nodes: FlowNode.kind is one of FLOW_NODES.
TASKS = frozenset(
    {
        "task",
        "userTask",
        "manualTask",
        "serviceTask",
        "scriptTask",
        "sendTask",
        "receiveTask",
        "businessRuleTask",
    }
)
SUBPROCESSES = frozenset({"subProcess", "transaction", "adHocSubProcess"})
ACTIVITIES = TASKS | SUBPROCESSES | {"callActivity"}
EVENTS = frozenset(
    {
        "startEvent",
        "endEvent",
        "intermediateCatchEvent",
        "intermediateThrowEvent",
        "boundaryEvent",
        "implicitThrowEvent",
    }
)
GATEWAYS = frozenset(
    {
        "exclusiveGateway",
        "parallelGateway",
        "inclusiveGateway",
        "eventBasedGateway",
        "complexGateway",
    }
)
FLOW_NODES = ACTIVITIES | EVENTS | GATEWAYS
CHOREOGRAPHY_ACTIVITIES = frozenset({"choreographyTask", "callChoreography", "subChoreography"})
GLOBAL_TASKS = frozenset(
    {
        "globalTask",
        "globalUserTask",
        "globalManualTask",
        "globalScriptTask",
        "globalBusinessRuleTask",
    }
)


@dataclass(frozen=True, slots=True)
class ExpressionText:
    """An expression as written in the model, with the language it names, if any."""

    text: str
    language: str | None = None


@dataclass(frozen=True, slots=True)
class TimerText:
    """A timer value: ``kind`` is "timeDate", "timeDuration" or "timeCycle"."""

    kind: str
    text: str


@dataclass(frozen=True, slots=True)
class EventDefinition:
    """What triggers or is thrown by an event.

    ``kind`` is one of message, signal, error, escalation, timer, conditional, compensate,
    link, terminate, cancel. ``ref`` is the id of the message, signal, error or escalation.
    """

    kind: str
    id: str | None = None
    ref: str | None = None
    timer: TimerText | None = None
    condition: ExpressionText | None = None
    link_name: str | None = None
    activity_ref: str | None = None
    wait_for_completion: bool = True


@dataclass(frozen=True, slots=True)
class ComplexBehavior:
    """With behavior "Complex": when ``condition`` holds, the ``events`` are thrown."""

    condition: ExpressionText | None
    events: tuple[EventDefinition, ...] = ()


@dataclass(frozen=True, slots=True)
class MultiInstance:
    """How an activity runs once per item or a counted number of times."""

    is_sequential: bool = False
    loop_cardinality: ExpressionText | None = None
    input_collection: str | None = None
    input_element: str | None = None
    completion_condition: ExpressionText | None = None
    output_collection: str | None = None
    output_element: str | None = None
    behavior: str = "All"
    complex_behaviors: tuple[ComplexBehavior, ...] = ()
    none_behavior_event: EventDefinition | None = None  # noneBehaviorEventRef, resolved
    one_behavior_event: EventDefinition | None = None  # oneBehaviorEventRef, resolved


@dataclass(frozen=True, slots=True)
class StandardLoop:
    """How an activity repeats while its condition holds (BPMN 2.0 section 10.3.8)."""

    condition: ExpressionText | None = None
    test_before: bool = False
    maximum: int | None = None


@dataclass(frozen=True, slots=True)
class AdHoc:
    """How the activities of an ad-hoc subprocess run and when it completes."""

    ordering: str = "Parallel"
    completion_condition: ExpressionText | None = None
    cancel_remaining_instances: bool = True


@dataclass(frozen=True, slots=True)
class FlowNode:
    """An activity, event or gateway; ``kind`` is its BPMN tag, e.g. "userTask"."""

    id: str
    kind: str
    scope: str | None
    name: str | None = None
    documentation: str | None = None
    incoming: tuple[str, ...] = ()
    outgoing: tuple[str, ...] = ()
    event_definitions: tuple[EventDefinition, ...] = ()
    attached_to: str | None = None
    cancel_activity: bool = True
    is_interrupting: bool = True
    parallel_multiple: bool = False
    boundary_events: tuple[str, ...] = ()
    default_flow: str | None = None
    gateway_direction: str | None = None
    activation_condition: ExpressionText | None = None  # of a complex gateway
    instantiate: bool = False
    event_gateway_type: str | None = None
    triggered_by_event: bool = False
    called_element: str | None = None
    script: str | None = None
    script_format: str | None = None
    message_ref: str | None = None
    multi_instance: MultiInstance | None = None
    standard_loop: StandardLoop | None = None
    ad_hoc: AdHoc | None = None
    is_for_compensation: bool = False
    compensation_handler: str | None = None
    start_quantity: int = 1
    completion_quantity: int = 1
    properties: ExtensionProps = field(default_factory=ExtensionProps)

    @property
    def trigger(self) -> str | None:
        """Return the kind of the only event definition, "multiple" if several, else None."""
        if not self.event_definitions:
            return None
        return self.event_definitions[0].kind if len(self.event_definitions) == 1 else "multiple"

    @property
    def triggers(self) -> tuple[str, ...]:
        """Return the kinds of all its event definitions (a multiple event has several)."""
        return tuple(d.kind for d in self.event_definitions)


@dataclass(frozen=True, slots=True)
class SequenceFlow:
    """A sequence flow; ``condition`` is None when the flow is unconditional."""

    id: str
    source: str
    target: str
    scope: str
    name: str | None = None
    condition: ExpressionText | None = None


@dataclass(frozen=True, slots=True)
class Scope:
    """A process or subprocess: the nodes it directly contains and where it starts.

    ``start_events`` excludes the start events of nested event subprocesses, which are
    listed in ``event_subprocesses`` instead.
    """

    id: str
    kind: str
    parent: str | None
    node_ids: tuple[str, ...]
    flow_ids: tuple[str, ...]
    start_events: tuple[str, ...]
    event_subprocesses: tuple[str, ...] = ()
    is_event_subprocess: bool = False


@dataclass(frozen=True, slots=True)
class Lane:
    """A lane and the nodes it holds; ``lanes`` are its nested lanes."""

    id: str
    name: str | None
    node_ids: tuple[str, ...]
    lanes: tuple["Lane", ...] = ()


@dataclass(frozen=True, slots=True)
class Process:
    """A process: its nodes and flows at every depth, its scopes, lanes and data."""

    id: str
    name: str | None
    is_executable: bool
    nodes: Mapping[str, FlowNode]
    flows: Mapping[str, SequenceFlow]
    scopes: Mapping[str, Scope]
    documentation: str | None = None
    lanes: tuple[Lane, ...] = ()
    lane_of: Mapping[str, str] = field(default_factory=no_mapping)
    data_objects: tuple[str, ...] = ()
    data_stores: tuple[str, ...] = ()
    properties: ExtensionProps = field(default_factory=ExtensionProps)

    @property
    def start_events(self) -> tuple[str, ...]:
        """Return the ids of the start events that start an instance of this process."""
        return self.scopes[self.id].start_events


@dataclass(frozen=True, slots=True)
class Participant:
    """A pool: a participant of a collaboration, usually standing for a process."""

    id: str
    name: str | None
    process_ref: str | None


@dataclass(frozen=True, slots=True)
class MessageFlow:
    """A message flow between pools, or between nodes of different pools."""

    id: str
    source: str
    target: str
    name: str | None = None
    message_ref: str | None = None


@dataclass(frozen=True, slots=True)
class Collaboration:
    """The pools of a diagram and the message flows between them."""

    id: str
    name: str | None
    participants: tuple[Participant, ...]
    message_flows: tuple[MessageFlow, ...]


@dataclass(frozen=True, slots=True)
class RootElement:
    """A message, signal, error or escalation declared at the top of the file.

    ``code`` is the errorCode of an error or the escalationCode of an escalation.
    """

    id: str
    name: str | None
    code: str | None = None


@dataclass(frozen=True, slots=True)
class Definitions:
    """Everything a BPMN file declares that the engine or its checks need.

    ``problems`` holds what the parser found while reading (duplicate ids, values it could
    not read, constraints only visible in the XML); validation reports them with its own.
    """

    id: str | None
    target_namespace: str | None
    processes: Mapping[str, Process]
    collaborations: Mapping[str, Collaboration] = field(default_factory=no_mapping)
    messages: Mapping[str, RootElement] = field(default_factory=no_mapping)
    signals: Mapping[str, RootElement] = field(default_factory=no_mapping)
    errors: Mapping[str, RootElement] = field(default_factory=no_mapping)
    escalations: Mapping[str, RootElement] = field(default_factory=no_mapping)
    global_tasks: Mapping[str, FlowNode] = field(default_factory=no_mapping)
    problems: tuple[Problem, ...] = ()

    def process_of(self, node_id: str) -> Process | None:
        """Return the process that holds a node, or None."""
        for process in self.processes.values():
            if node_id in process.nodes:
                return process
        return None
