"""One behaviour per BPMN element kind, looked up by the model's ``kind``."""

from processes.bpmn.model import FlowNode
from processes.engine.behaviours.base import Behaviour, PassThrough
from processes.engine.behaviours.boundary_event import BoundaryEvent
from processes.engine.behaviours.end_event import EndEvent
from processes.engine.behaviours.exclusive_gateway import ExclusiveGateway
from processes.engine.behaviours.inclusive_gateway import InclusiveGateway
from processes.engine.behaviours.intermediate_catch_event import IntermediateCatchEvent
from processes.engine.behaviours.parallel_gateway import ParallelGateway
from processes.engine.behaviours.script_task import ScriptTask
from processes.engine.behaviours.service_task import ServiceTask
from processes.engine.behaviours.start_event import StartEvent
from processes.engine.behaviours.subprocess import SubProcess
from processes.engine.behaviours.user_task import UserTask
from processes.engine.errors import UnsupportedElement

BEHAVIOURS: dict[str, type[Behaviour]] = {
    "startEvent": StartEvent,
    "endEvent": EndEvent,
    "intermediateCatchEvent": IntermediateCatchEvent,
    "boundaryEvent": BoundaryEvent,
    "task": PassThrough,
    "manualTask": PassThrough,
    "userTask": UserTask,
    "scriptTask": ScriptTask,
    "serviceTask": ServiceTask,
    "sendTask": ServiceTask,
    "businessRuleTask": ServiceTask,
    "exclusiveGateway": ExclusiveGateway,
    "parallelGateway": ParallelGateway,
    "inclusiveGateway": InclusiveGateway,
    "subProcess": SubProcess,
}


def behaviour_for(node: FlowNode) -> type[Behaviour]:
    """Return the behaviour class for a node, refusing what the engine cannot run."""
    behaviour = BEHAVIOURS.get(node.kind)
    if behaviour is None or node.multi_instance or node.standard_loop:
        raise UnsupportedElement(node.id, describe(node))
    unsupported = {d.kind for d in node.event_definitions} - behaviour.TRIGGERS
    if unsupported:
        raise UnsupportedElement(node.id, f"{node.kind} with a {sorted(unsupported)[0]} trigger")
    return behaviour


def describe(node: FlowNode) -> str:
    if node.multi_instance:
        return f"multi-instance {node.kind}"
    if node.standard_loop:
        return f"looping {node.kind}"
    return node.kind
