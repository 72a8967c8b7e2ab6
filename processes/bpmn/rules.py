"""The BPMN 2.0 rules for the elements of an executable process, and for the paths through it.

Each rule names the element at fault and says what to change. The rules are those of the
spec that the betsy conformance suite tests: which triggers each kind of event accepts, how
gateways split and join, what an activity needs, and that every node of a scope can be
reached from a start and can reach an end. ``validate.py`` runs them.
"""

from collections import defaultdict, deque

from .errors import words
from .model import ACTIVITIES, FlowNode, Scope

START_TRIGGERS = frozenset({"message", "timer", "conditional", "signal"})
EVENT_SUBPROCESS_TRIGGERS = START_TRIGGERS | {"error", "escalation", "compensate"}
INTERRUPTING_ONLY = frozenset({"error", "compensate"})
END_RESULTS = frozenset(
    {"message", "escalation", "error", "cancel", "compensate", "signal", "terminate"}
)
CATCH_TRIGGERS = frozenset({"message", "timer", "conditional", "link", "signal"})
THROW_RESULTS = frozenset({"message", "escalation", "compensate", "link", "signal"})
NON_INTERRUPTING_BOUNDARY_TRIGGERS = frozenset(
    {"message", "timer", "escalation", "conditional", "signal"}
)
BOUNDARY_TRIGGERS = NON_INTERRUPTING_BOUNDARY_TRIGGERS | {"error", "cancel", "compensate"}
EVENT_GATEWAY_TRIGGERS = frozenset({"message", "signal", "timer", "conditional"})
REFERENCED = {
    "message": ("messages", "message"),
    "signal": ("signals", "signal"),
    "error": ("errors", "error"),
    "escalation": ("escalations", "escalation"),
}


class NodeRules:
    """The rules for one node: what each kind of rule set shares."""

    def __init__(self, checker, node: FlowNode):
        self.checker = checker
        self.node = node
        self.label = checker.label(node)

    def error(self, message: str, code: str) -> None:
        self.checker.error(self.node.id, message, code)


class EventRules(NodeRules):
    """The BPMN rules for one event of an executable process."""

    RULES = {
        "startEvent": "_start",
        "endEvent": "_end",
        "intermediateCatchEvent": "_catch",
        "intermediateThrowEvent": "_throw",
        "boundaryEvent": "_boundary",
    }

    def __init__(self, checker, node: FlowNode):
        super().__init__(checker, node)
        self.kinds = [d.kind for d in node.event_definitions]

    def check(self) -> None:
        rule = self.RULES.get(self.node.kind)
        if rule is not None:
            getattr(self, rule)()
        for definition in self.node.event_definitions:
            self._definition(definition)

    def _definition(self, definition) -> None:
        if (
            definition.kind in REFERENCED
            and not definition.ref
            and (definition.kind in ("message", "signal") or self._throws())
        ):
            word = REFERENCED[definition.kind][1]
            self.error(
                f"The {word} of {self.label} is not set: pick the {word} it "
                f"{'sends' if self._throws() else 'waits for'}.",
                "event-reference",
            )
        if definition.kind == "timer":
            self.checker.timer(self.node, definition)
        elif definition.kind == "conditional":
            self.checker.expression(self.node.id, definition.condition, "condition")
        elif definition.kind == "escalation" and self._throws() and definition.ref:
            escalation = self.checker.defs.escalations.get(definition.ref)
            if escalation is not None and not escalation.code:
                self.error(
                    f"The escalation '{escalation.name or escalation.id}' thrown by "
                    f"{self.label} has no escalation code: give it one, so that catching "
                    "events can match it.",
                    "escalation-code",
                )

    def _throws(self) -> bool:
        return self.node.kind in ("endEvent", "intermediateThrowEvent")

    def _start(self) -> None:
        node = self.node
        if node.incoming:
            self.error(
                f"{self.label} has an incoming sequence flow: nothing can flow "
                "into a start event; connect the flow to a later element.",
                "start-incoming",
            )
        if node.id in self.checker.message_sources:
            self.error(
                f"{self.label} is the source of a message flow: a start event only receives.",
                "start-message-flow",
            )
        if node.id in self.checker.message_targets and "message" not in self.kinds:
            self.error(
                f"{self.label} receives a message flow but is not a message "
                "start event: add a message definition.",
                "start-message-flow",
            )
        scope = self.checker.process.scopes[node.scope]
        if scope.is_event_subprocess:
            self._event_subprocess_start()
        elif scope.kind != "process" and self.kinds:
            self.error(
                f"{self.label} of a subprocess has a trigger: a subprocess "
                "starts when the flow reaches it, so remove the event definition.",
                "subprocess-start-trigger",
            )
        elif scope.kind == "process" and set(self.kinds) - START_TRIGGERS:
            self.error(
                f"{self.label} starts a process with a "
                f"{', '.join(sorted(set(self.kinds) - START_TRIGGERS))} trigger: a process "
                "can start on none, a message, a timer, a condition or a signal.",
                "start-trigger",
            )

    def _event_subprocess_start(self) -> None:
        if not self.kinds:
            self.error(
                f"{self.label} of an event subprocess has no trigger: give it a "
                "message, timer, signal, error, escalation, condition or compensation.",
                "event-subprocess-start",
            )
        elif set(self.kinds) - EVENT_SUBPROCESS_TRIGGERS:
            self.error(
                f"{self.label} of an event subprocess cannot be triggered by "
                f"{', '.join(sorted(set(self.kinds) - EVENT_SUBPROCESS_TRIGGERS))}.",
                "event-subprocess-start",
            )
        elif not self.node.is_interrupting and set(self.kinds) & INTERRUPTING_ONLY:
            self.error(
                f"{self.label} is non-interrupting, but an error or compensation "
                "always interrupts: make it interrupting.",
                "event-subprocess-start",
            )

    def _end(self) -> None:
        node = self.node
        if node.outgoing:
            self.error(
                f"{self.label} has an outgoing sequence flow: an end event "
                "ends its path; remove the flow or use an intermediate event.",
                "end-outgoing",
            )
        if not node.incoming:
            self.error(
                f"{self.label} has no incoming sequence flow: connect it, or remove it.",
                "end-incoming",
            )
        if node.id in self.checker.message_targets:
            self.error(
                f"{self.label} is the target of a message flow: an end event only sends.",
                "end-message-flow",
            )
        if node.id in self.checker.message_sources and "message" not in self.kinds:
            self.error(
                f"{self.label} sends a message flow but is not a message end "
                "event: add a message definition.",
                "end-message-flow",
            )
        if set(self.kinds) - END_RESULTS:
            self.error(
                f"{self.label} cannot end with a "
                f"{', '.join(sorted(set(self.kinds) - END_RESULTS))} result.",
                "end-result",
            )
        if "cancel" in self.kinds and not self._inside("transaction"):
            self.error(
                f"{self.label} is a cancel end event outside a transaction: "
                "cancel end events belong inside transaction subprocesses.",
                "cancel-end",
            )

    def _inside(self, kind: str) -> bool:
        return self.checker.process.scopes[self.node.scope].kind == kind

    def _catch(self) -> None:
        node = self.node
        if not self.kinds or set(self.kinds) - CATCH_TRIGGERS:
            what = ", ".join(sorted(set(self.kinds) - CATCH_TRIGGERS)) or "no"
            self.error(
                f"{self.label} waits for {what} trigger: an intermediate catch "
                "event waits for a message, timer, condition, signal or link.",
                "catch-trigger",
            )
        if "link" in self.kinds:
            if node.incoming:
                self.error(
                    f"{self.label} is a catching link event with an incoming "
                    "flow: the link is its only way in.",
                    "link-flow",
                )
        elif not node.incoming:
            self.error(f"{self.label} has no incoming sequence flow.", "catch-incoming")
        if not node.outgoing:
            self.error(f"{self.label} has no outgoing sequence flow.", "catch-outgoing")
        if node.id in self.checker.message_sources:
            self.error(
                f"{self.label} is the source of a message flow: a catching event only receives.",
                "catch-message-flow",
            )

    def _throw(self) -> None:
        node = self.node
        if set(self.kinds) - THROW_RESULTS:
            self.error(
                f"{self.label} cannot throw "
                f"{', '.join(sorted(set(self.kinds) - THROW_RESULTS))}: an intermediate "
                "throw event sends a message, signal, escalation, compensation or link.",
                "throw-result",
            )
        if not node.incoming:
            self.error(f"{self.label} has no incoming sequence flow.", "throw-incoming")
        if "link" in self.kinds:
            if node.outgoing:
                self.error(
                    f"{self.label} is a throwing link event with an outgoing "
                    "flow: the link is its only way out.",
                    "link-flow",
                )
        elif not node.outgoing:
            self.error(f"{self.label} has no outgoing sequence flow.", "throw-outgoing")
        if node.id in self.checker.message_targets:
            self.error(
                f"{self.label} is the target of a message flow: a throwing event only sends.",
                "throw-message-flow",
            )

    def _boundary(self) -> None:
        node = self.node
        kinds = set(self.kinds)
        allowed = BOUNDARY_TRIGGERS if node.cancel_activity else NON_INTERRUPTING_BOUNDARY_TRIGGERS
        if not kinds or kinds - allowed:
            what = ", ".join(sorted(kinds - allowed)) or "no"
            mode = "an interrupting" if node.cancel_activity else "a non-interrupting"
            self.error(
                f"{self.label} is {mode} boundary event with {what} trigger: "
                f"use one of {', '.join(sorted(allowed))}.",
                "boundary-trigger",
            )
        if node.incoming:
            self.error(
                f"{self.label} has an incoming sequence flow: a boundary event "
                "is triggered, not reached.",
                "boundary-incoming",
            )
        if "compensate" in kinds:
            if node.outgoing:
                self.error(
                    f"{self.label} is a compensation boundary event with an "
                    "outgoing flow: connect its handler with an association instead.",
                    "compensation-flow",
                )
            self._compensation_handler()
        elif not node.outgoing:
            self.error(
                f"{self.label} has no outgoing sequence flow: connect what "
                "happens when it is triggered.",
                "boundary-outgoing",
            )
        host = self.checker.nodes.get(node.attached_to)
        if "cancel" in kinds and host is not None and host.kind != "transaction":
            self.error(
                f"{self.label} is a cancel boundary event attached to "
                f"{self.checker.label(host)}: cancel events only attach to transactions.",
                "cancel-boundary",
            )

    def _compensation_handler(self) -> None:
        handler = self.checker.nodes.get(self.node.compensation_handler or "")
        if handler is None:
            self.error(
                f"{self.label} has no compensation handler: connect an "
                "activity marked for compensation with an association.",
                "compensation-handler",
            )
        elif handler.kind not in ACTIVITIES or not handler.is_for_compensation:
            self.error(
                f"The compensation handler '{handler.id}' of {self.label} is not an activity "
                "marked for compensation (isForCompensation): mark it.",
                "compensation-handler",
            )


class GatewayRules(NodeRules):
    """The BPMN rules for one gateway of an executable process."""

    def check(self) -> None:
        node = self.node
        ins, outs = len(node.incoming), len(node.outgoing)
        if not outs:
            self.error(
                f"{self.label} has no outgoing sequence flow: connect where the process goes next.",
                "gateway-outgoing",
            )
        elif ins <= 1 and outs <= 1 and node.kind != "eventBasedGateway":
            self.error(
                f"{self.label} neither splits nor joins (one flow in, one out): "
                "remove it and connect the flows directly.",
                "gateway-pass-through",
            )
        self._direction(ins, outs)
        if node.kind in ("exclusiveGateway", "inclusiveGateway"):
            self._unconditional_flows()
        elif node.kind == "eventBasedGateway":
            self._event_based()

    def _direction(self, ins: int, outs: int) -> None:
        direction = self.node.gateway_direction
        if direction == "Converging" and outs > 1:
            self.error(
                f"{self.label} is converging but has {outs} outgoing flows: "
                "a converging gateway has one.",
                "gateway-direction",
            )
        elif direction == "Diverging" and ins > 1:
            self.error(
                f"{self.label} is diverging but has {ins} incoming flows: a "
                "diverging gateway has one.",
                "gateway-direction",
            )
        elif direction == "Mixed" and (ins < 2 or outs < 2):
            self.error(
                f"{self.label} is mixed, so it needs several incoming and several outgoing flows.",
                "gateway-direction",
            )

    def _unconditional_flows(self) -> None:
        node = self.node
        plain = [
            f
            for f in node.outgoing
            if self.checker.flows[f].condition is None and f != node.default_flow
        ]
        if len(node.outgoing) > 1 and len(plain) > 1:
            self.error(
                f"{self.label} has {len(plain)} outgoing flows without a "
                f"condition ({', '.join(plain)}) and no default flow: give each a condition, "
                "or make one of them the default flow.",
                "gateway-conditions",
            )

    def _event_based(self) -> None:
        node = self.node
        checker = self.checker
        if len(node.outgoing) < 2:
            self.error(
                f"{self.label} needs two or more outgoing flows, one to each event it waits for.",
                "event-gateway",
            )
        if node.instantiate and node.incoming:
            self.error(
                f"{self.label} starts instances, so it cannot have incoming flows.", "event-gateway"
            )
        targets = [checker.nodes.get(checker.flows[f].target) for f in node.outgoing]
        targets = [t for t in targets if t is not None]
        for flow_id in node.outgoing:
            if checker.flows[flow_id].condition is not None:
                self.error(
                    f"The flow '{flow_id}' after {self.label} has a condition: the first "
                    "event to happen chooses the path, so remove the condition.",
                    "event-gateway",
                )
        for target in targets:
            self._event_gateway_target(target)
        kinds = {t.kind for t in targets}
        message_events = any(
            t.kind == "intermediateCatchEvent" and t.trigger == "message" for t in targets
        )
        if "receiveTask" in kinds and message_events:
            self.error(
                f"{self.label} is followed by both receive tasks and message "
                "events: use one or the other.",
                "event-gateway",
            )

    def _event_gateway_target(self, target: FlowNode) -> None:
        checker = self.checker
        kinds = {d.kind for d in target.event_definitions}
        fits = target.kind == "receiveTask" or (
            target.kind == "intermediateCatchEvent" and kinds and kinds <= EVENT_GATEWAY_TRIGGERS
        )
        if not fits:
            self.error(
                f"{self.label} leads to {checker.label(target)}: an event-based "
                "gateway leads to receive tasks or to message, signal, timer or conditional "
                "catch events.",
                "event-gateway",
            )
        if len(target.incoming) > 1:
            self.error(
                f"{checker.label(target)} follows {self.label} and has other "
                "incoming flows: it must only be reached from the gateway.",
                "event-gateway",
            )
        if target.kind == "receiveTask" and target.boundary_events:
            self.error(
                f"{checker.label(target)} follows {self.label} and has boundary "
                "events: remove them.",
                "event-gateway",
            )


class ActivityRules(NodeRules):
    """The BPMN rules for one activity of an executable process."""

    def check(self) -> None:
        node = self.node
        checker = self.checker
        conditional = [f for f in node.outgoing if checker.flows[f].condition is not None]
        if len(node.outgoing) == 1 and conditional:
            self.error(
                f"{self.label} has a single outgoing flow and it is conditional: "
                "if the condition fails the process stops; remove the condition or add "
                "another flow.",
                "single-conditional-flow",
            )
        if node.kind == "receiveTask" and node.instantiate and node.incoming:
            self.error(
                f"{self.label} starts instances (instantiate), so it cannot have incoming flows.",
                "receive-instantiate",
            )
        if node.kind == "scriptTask":
            checker.script(node)
        if node.kind == "callActivity" and not node.called_element:
            self.error(
                f"{self.label} does not say which process it calls: set calledElement.",
                "called-element",
            )
        props = node.properties
        if node.kind == "callActivity" and props.binding == "version" and props.version is None:
            self.error(
                f"{self.label} calls a fixed version but does not say which: "
                "set calledElementVersion.",
                "called-element",
            )
        if node.kind == "adHocSubProcess":
            self._ad_hoc()
        self._loops()

    def _ad_hoc(self) -> None:
        scope = self.checker.process.scopes[self.node.id]
        inner = [self.checker.nodes[n] for n in scope.node_ids]
        if not any(n.kind in ACTIVITIES for n in inner):
            self.error(
                f"{self.label} contains no activity: add the activities it offers.", "ad-hoc"
            )
        for node in inner:
            if node.kind in ("startEvent", "endEvent"):
                self.checker.error(
                    node.id,
                    f"{self.checker.label(node)} is inside an "
                    "ad-hoc subprocess, which has no start or end events: remove it.",
                    "ad-hoc",
                )
        if self.node.ad_hoc.completion_condition is not None:
            self.checker.expression(
                self.node.id, self.node.ad_hoc.completion_condition, "completion condition"
            )

    def _loops(self) -> None:
        multi = self.node.multi_instance
        if multi is not None:
            if multi.loop_cardinality is None and not multi.input_collection:
                self.error(
                    f"{self.label} is multi-instance without a loop cardinality "
                    "or an input collection: say how many instances to run.",
                    "multi-instance",
                )
            if multi.loop_cardinality is not None:
                self.checker.expression(
                    self.node.id, multi.loop_cardinality, "loop cardinality", "count"
                )
            if multi.completion_condition is not None:
                self.checker.expression(
                    self.node.id, multi.completion_condition, "completion condition"
                )
            for behavior in multi.complex_behaviors:
                self.checker.expression(
                    self.node.id, behavior.condition, "complex behavior condition"
                )
        loop = self.node.standard_loop
        if loop is not None and loop.condition is not None:
            self.checker.expression(self.node.id, loop.condition, "loop condition")


class ScopePaths:
    """Check the start and end events of one scope and that every node can run and finish."""

    def __init__(self, checker, scope: Scope):
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
            self.checker.error(
                scope.id,
                "The subprocess has several start events: a subprocess starts at exactly one.",
                "subprocess-starts",
            )
        elif scope.kind != "process" and not starts and self.nodes:
            self.checker.error(
                scope.id,
                f"The {words(scope.kind)} has no start event: add one where it begins.",
                "no-start-event",
            )
        if starts and not ends:
            self.checker.error(
                scope.id,
                f"The {words(scope.kind)} has a start event but no end "
                "event: add an end event where its paths finish.",
                "no-end-event",
            )
        self._paths(ends)

    def _event_subprocess(self, starts: list[FlowNode]) -> None:
        node = self.checker.nodes[self.scope.id]
        if node.incoming or node.outgoing:
            self.checker.error(
                node.id,
                "The event subprocess has sequence flows: it starts on its "
                "event, so remove the flows.",
                "event-subprocess-flow",
            )
        if len(starts) != 1:
            self.checker.error(
                node.id,
                f"The event subprocess has {len(starts)} start events: it "
                "needs exactly one, which says what triggers it.",
                "event-subprocess-start",
            )

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
            # Without end events, a path ends wherever its flow stops (an implicit end).
            ends = [n for n in self.nodes if not n.outgoing and not self._ends_by_link(n)]
        finishing = _reach([n.id for n in ends], backward)
        for node in self.nodes:
            if self._exempt(node):
                continue
            label = self.checker.label(node)
            if not node.incoming and node.kind in ACTIVITIES and not self._is_root(node):
                self.checker.error(
                    node.id,
                    f"{label} has no incoming sequence flow, so it never "
                    "runs: connect it, or remove it.",
                    "no-incoming",
                )
            elif node.incoming and node.id not in reached:
                self.checker.error(
                    node.id,
                    f"{label} cannot be reached from a start event: connect "
                    "it to the flow, or remove it.",
                    "unreachable",
                )
            if node in ends or node.id not in reached:
                continue
            if not node.outgoing and node.kind in ACTIVITIES:
                self.checker.error(
                    node.id,
                    f"{label} has no outgoing sequence flow: connect where "
                    "the process goes next, or add an end event.",
                    "no-outgoing",
                )
            elif (node.outgoing or self._ends_by_link(node)) and node.id not in finishing:
                self.checker.error(
                    node.id,
                    f"No path leads from {self.checker.label(node)} to an end "
                    "event, so instances that reach it never finish: add a way out.",
                    "no-path-to-end",
                )

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
        if node.kind == "boundaryEvent":
            return node.trigger == "compensate" or node.attached_to not in self.checker.nodes
        return node.triggered_by_event or node.is_for_compensation

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
