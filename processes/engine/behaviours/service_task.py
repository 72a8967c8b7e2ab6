"""Service tasks: the work happens in a job, outside the engine (BPMN 2.0, 10.3.3)."""

import re

from processes.engine import effects as fx
from processes.engine.behaviours.base import Behaviour

RETRY_CYCLE = re.compile(r"^R(\d+)/PT?(\d+(?:\.\d+)?)([SMH])$", re.IGNORECASE)
SECONDS = {"S": 1, "M": 60, "H": 3600}


class ServiceTask(Behaviour):
    """Schedule a job for the implementation and wait until it reports back.

    External tasks (``type="external"``) wait for a remote worker to fetch them instead.
    """

    def execute(self, run, token) -> None:
        implementation = self.node.properties.implementation
        token.state = "waiting"
        if implementation is not None and implementation.kind == "external":
            run.emit(fx.JobScheduled("external", token.id, self.node.id, None,
                                     payload={"topic": implementation.topic}))
            return
        retries, delay = self.retries()
        run.emit(fx.JobScheduled("service", token.id, self.node.id, None, retries, delay))

    def retries(self) -> tuple[int | None, float | None]:
        """Return the retries and fixed delay the model asks for (``R3/PT10S``), if any."""
        properties = self.node.properties
        match = RETRY_CYCLE.match(properties.retry_cycle or "")
        if match:
            count, amount, unit = match.groups()
            return int(count), float(amount) * SECONDS[unit.upper()]
        return properties.retries, None

    def cancel(self, run, token, outcome: str) -> None:
        run.end_activity(token, outcome)
        run.emit(fx.JobCancelled(token.id, self.node.id))


class SendTask(ServiceTask):
    """A send task with a message and no implementation sends the message and goes on."""

    def execute(self, run, token) -> None:
        if self.node.properties.implementation is not None or not self.node.message_ref:
            super().execute(run, token)
            return
        run.emit(fx.MessageSent(self.plan.event_name(self.node, "message"), None, {}))
        run.leave(token)
