from processes.engine.behaviours.intermediate_catch_event import IntermediateCatchEvent


class ReceiveTask(IntermediateCatchEvent):
    """Wait for the task's message, like a message catch event (BPMN 2.0, 10.3.3)."""

    TRIGGERS = frozenset()
