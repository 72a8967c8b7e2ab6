"""What the engine prepares once per process: compiled expressions and a behaviour per node."""

from collections import OrderedDict, deque
from dataclasses import replace

from processes.bpmn.model import Definitions, EventDefinition, FlowNode, Process
from processes.engine.expressions import Expression, compile_expression


class ProcessPlan:
    """A process ready to run: behaviours by node id, compiled conditions by flow id."""

    def __init__(self, process: Process, definitions: Definitions | None = None):
        from processes.engine.behaviours import behaviour_for

        self.process = process
        self.nodes = process.nodes
        self.flows = process.flows
        self.definitions = definitions
        self.error_codes = {
            error_id: error.code for error_id, error in (definitions.errors if definitions else {}).items()
        }
        self.conditions: dict[str, Expression] = {
            flow.id: compile_expression(flow.condition.text)
            for flow in process.flows.values()
            if flow.condition is not None and flow.condition.text.strip()
        }
        self.has_conditions = any("conditional" in n.triggers for n in process.nodes.values())
        self.has_compensation = any(n.is_for_compensation for n in process.nodes.values())
        self.behaviours = {}
        for node in process.nodes.values():
            runs_as = self.called_global_task(node) or node
            self.behaviours[node.id] = behaviour_for(runs_as)(runs_as, self)
        self._reach: dict[tuple[str, str], bool] = {}

    def called_global_task(self, node: FlowNode) -> FlowNode | None:
        """A call activity calling a global task of the file runs that task in its place.

        Returns the call activity as that task (its script, form, implementation), keeping
        the call activity's id, flows and boundary events (BPMN 2.0, 10.3.6 and 10.3.8).
        """
        if node.kind != "callActivity" or self.definitions is None:
            return None
        task = self.definitions.global_tasks.get(node.called_element)
        if task is None:
            return None
        kind = task.kind[len("global")].lower() + task.kind[len("global") + 1:]
        return replace(node, kind=kind, script=task.script, script_format=task.script_format,
                       properties=task.properties)

    def boundary_events(self, activity_id: str, trigger: str) -> list[FlowNode]:
        """Return the boundary events of an activity with the given trigger."""
        return [
            self.nodes[b] for b in self.nodes[activity_id].boundary_events
            if trigger in self.nodes[b].triggers
        ]

    def error_code(self, node: FlowNode) -> str | None:
        """Return the error code a node throws or catches (None: catch-all, or no code)."""
        for definition in node.event_definitions:
            if definition.kind == "error" and definition.ref:
                return self.error_codes.get(definition.ref)
        return None

    def escalation_code(self, node: FlowNode) -> str | None:
        """Return the escalation code a node throws or catches (None: catch-all, or none)."""
        return self._root_value(node, "escalation", "escalations", "code")

    def event_name(self, node: FlowNode, kind: str) -> str | None:
        """Return the name of the (first) message or signal a node waits for or throws."""
        names = self.event_names(node, kind)
        return names[0] if names else None

    def event_names(self, node: FlowNode, kind: str) -> list[str]:
        """Return the names of the messages or signals a node waits for or throws.

        A receive or send task names its message with ``messageRef``; an event with its
        event definitions (a multiple event may have several). Without a declared name the
        referenced id stands for it.
        """
        if kind == "message" and node.message_ref:
            return [self._declared_name("messages", node.message_ref)]
        return [
            self._declared_name(kind + "s", d.ref)
            for d in node.event_definitions if d.kind == kind and d.ref
        ]

    def definition_name(self, definition: EventDefinition) -> str | None:
        """Return what one event definition names: a message's or signal's name, an error's
        or escalation's code; None for a timer, a condition, or a definition without a ref."""
        if not definition.ref:
            return None
        if definition.kind in ("message", "signal"):
            return self._declared_name(definition.kind + "s", definition.ref)
        if definition.kind == "error":
            return self.error_codes.get(definition.ref)
        if definition.kind == "escalation":
            root = self.definitions.escalations.get(definition.ref) if self.definitions else None
            return root.code if root else None
        return None

    def _root_value(self, node: FlowNode, kind: str, table: str, attribute: str) -> str | None:
        for definition in node.event_definitions:
            if definition.kind == kind and definition.ref:
                if attribute == "name":
                    return self._declared_name(table, definition.ref)
                root = getattr(self.definitions, table, {}).get(definition.ref) if self.definitions else None
                return getattr(root, attribute, None) if root else None
        return None

    def _declared_name(self, table: str, ref: str) -> str:
        root = getattr(self.definitions, table, {}).get(ref) if self.definitions else None
        return (root.name if root and root.name else ref)

    def starts_for(self, kind: str, name: str) -> list[str]:
        """The elements a ``kind`` event named ``name`` starts the process at.

        Start events of the process waiting for it; for a message, also receive tasks
        that instantiate the process (``instantiate="true"``, no incoming flow).
        """
        starts = [
            s for s in self.process.start_events
            if kind in self.nodes[s].triggers and name in self.event_names(self.nodes[s], kind)
        ]
        if kind == "message":
            starts += [
                n.id for n in self.nodes.values()
                if n.kind == "receiveTask" and n.instantiate and not n.incoming
                and n.scope == self.process.id and name in self.event_names(n, "message")
            ]
        return starts

    def link_target(self, node: FlowNode) -> FlowNode | None:
        """Return the link catch event a link throw event jumps to: same name, same scope."""
        name = next((d.link_name for d in node.event_definitions if d.kind == "link"), None)
        for other in self.nodes.values():
            if other.kind == "intermediateCatchEvent" and other.scope == node.scope and any(
                d.kind == "link" and d.link_name == name for d in other.event_definitions
            ):
                return other
        return None

    def reaches(self, source: str, target: str) -> bool:
        """Return whether a token at ``source`` can still arrive at ``target``.

        Follows sequence flows and boundary events, never through ``target`` itself: this is
        what an inclusive join needs to know about each other token (BPMN 2.0, 13.3.4).
        """
        key = (source, target)
        if key not in self._reach:
            self._reach[key] = self._search(source, target)
        return self._reach[key]

    def _search(self, source: str, target: str) -> bool:
        seen, todo = {source}, deque([source])
        while todo:
            node = self.nodes[todo.popleft()]
            nexts = [self.flows[f].target for f in node.outgoing] + list(node.boundary_events)
            for following in nexts:
                if following == target:
                    return True
                if following not in seen:
                    seen.add(following)
                    todo.append(following)
        return False


_plans: OrderedDict[int, ProcessPlan] = OrderedDict()
PLANS_KEPT = 256


def plan_for(process: Process, definitions: Definitions | None = None) -> ProcessPlan:
    """Return the plan of a process, built once per model object (models are immutable).

    Keyed by identity: the plan holds the process, so an id is never reused while cached.
    """
    plan = _plans.get(id(process))
    if plan is None or plan.process is not process:
        plan = _plans[id(process)] = ProcessPlan(process, definitions)
        if len(_plans) > PLANS_KEPT:
            _plans.popitem(last=False)
    else:
        _plans.move_to_end(id(process))
    return plan
