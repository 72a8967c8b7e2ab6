"""One behaviour per BPMN element kind, looked up by the model's ``kind``."""

from collections.abc import Callable

from processes.bpmn.model import FlowNode
from processes.engine.behaviours.ad_hoc_subprocess import AdHocSubProcess
from processes.engine.behaviours.base import Behaviour, PassThrough
from processes.engine.behaviours.boundary_event import BoundaryEvent
from processes.engine.behaviours.call_activity import CallActivity
from processes.engine.behaviours.complex_gateway import ComplexGateway
from processes.engine.behaviours.end_event import EndEvent
from processes.engine.behaviours.event_based_gateway import EventBasedGateway
from processes.engine.behaviours.exclusive_gateway import ExclusiveGateway
from processes.engine.behaviours.inclusive_gateway import InclusiveGateway
from processes.engine.behaviours.intermediate_catch_event import IntermediateCatchEvent
from processes.engine.behaviours.loops import THROWABLE, MultiInstanceBody, StandardLoopBody
from processes.engine.behaviours.intermediate_throw_event import IntermediateThrowEvent
from processes.engine.behaviours.parallel_gateway import ParallelGateway
from processes.engine.behaviours.receive_task import ReceiveTask
from processes.engine.behaviours.script_task import ScriptTask
from processes.engine.behaviours.service_task import SendTask, ServiceTask
from processes.engine.behaviours.start_event import StartEvent
from processes.engine.behaviours.subprocess import SubProcess
from processes.engine.behaviours.transaction import Transaction
from processes.engine.behaviours.user_task import UserTask
from processes.engine.errors import UnsupportedElement

BEHAVIOURS: dict[str, type[Behaviour]] = {
    "startEvent": StartEvent,
    "endEvent": EndEvent,
    "intermediateCatchEvent": IntermediateCatchEvent,
    "intermediateThrowEvent": IntermediateThrowEvent,
    "boundaryEvent": BoundaryEvent,
    "task": PassThrough,
    "manualTask": PassThrough,
    "userTask": UserTask,
    "scriptTask": ScriptTask,
    "serviceTask": ServiceTask,
    "sendTask": SendTask,
    "receiveTask": ReceiveTask,
    "businessRuleTask": ServiceTask,
    "exclusiveGateway": ExclusiveGateway,
    "parallelGateway": ParallelGateway,
    "inclusiveGateway": InclusiveGateway,
    "eventBasedGateway": EventBasedGateway,
    "complexGateway": ComplexGateway,
    "subProcess": SubProcess,
    "adHocSubProcess": AdHocSubProcess,
    "transaction": Transaction,
    "callActivity": CallActivity,
}


def behaviour_for(node: FlowNode) -> Callable[..., Behaviour]:
    """Return what builds the behaviour of a node, refusing what the engine cannot run."""
    kinds = [d.kind for d in node.event_definitions]
    if node.parallel_multiple and (kinds.count("timer") > 1 or kinds.count("conditional") > 1):
        raise UnsupportedElement(
            node.id, f"parallel multiple {node.kind} with two timers or two conditions"
        )
    behaviour = BEHAVIOURS.get(node.kind)
    if behaviour is None:
        raise UnsupportedElement(node.id, describe(node))
    unsupported = {d.kind for d in node.event_definitions} - behaviour.TRIGGERS
    if unsupported:
        raise UnsupportedElement(node.id, f"{node.kind} with a {sorted(unsupported)[0]} trigger")
    return looping(node, behaviour)


def looping(node: FlowNode, behaviour: type[Behaviour]) -> Callable[..., Behaviour]:
    """Wrap the behaviour of a looping or multi-instance activity in the loop's body.

    Its behavior may throw signals, messages and escalations as instances complete; an
    event of another kind is refused.
    """
    multi = node.multi_instance
    if multi is not None:
        thrown = [multi.none_behavior_event, multi.one_behavior_event] + [
            event for behavior in multi.complex_behaviors for event in behavior.events
        ]
        kinds = sorted({d.kind for d in thrown if d is not None} - THROWABLE)
        if kinds:
            raise UnsupportedElement(
                node.id, f"multi-instance {node.kind} whose behavior throws a {kinds[0]} event"
            )
    body = MultiInstanceBody if multi else StandardLoopBody if node.standard_loop else None
    if body is None:
        return behaviour
    return lambda node, plan: body(node, plan, behaviour(node, plan))


def describe(node: FlowNode) -> str:
    if node.multi_instance:
        return f"multi-instance {node.kind}"
    if node.standard_loop:
        return f"looping {node.kind}"
    return node.kind
