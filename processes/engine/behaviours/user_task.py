"""User tasks: wait for a person; who, by when and how urgently come from the model."""

from datetime import datetime, timedelta, timezone
from functools import lru_cache

from processes.engine import effects as fx
from processes.engine.behaviours.base import Behaviour
from processes.engine.behaviours.timers import compiled_timer
from processes.engine.errors import StepFailed
from processes.engine.expressions import compile_expression, is_expression
from processes.engine.timers import TimerError


@lru_cache(maxsize=4096)
def _compiled(text: str):
    return compile_expression(text)


class UserTask(Behaviour):
    def execute(self, run, token) -> None:
        props = self.node.properties
        token.state = "waiting"
        variables = run.variables_of(token)
        assignee = self.text(run, variables, props.assignee)
        users = self.names(run, variables, props.candidate_users)
        groups = self.names(run, variables, props.candidate_groups)
        if not (assignee or users or groups):
            groups = self.lane_groups()
        run.emit(fx.TaskCreated(
            token.id, token.activity_seq, self.node.id, self.node.name, assignee, users, groups,
            self.moment(run, variables, props.due_date),
            self.moment(run, variables, props.follow_up_date),
            self.priority(run, variables, props.priority),
        ))

    def lane_groups(self) -> tuple[str, ...]:
        """Offer a task nobody was named for to the group its lane stands for.

        The innermost named lane holding the task counts; a task in a subprocess that no
        lane lists is in the lane of the subprocess around it.
        """
        lane_of, nodes = self.plan.process.lane_of, self.plan.nodes
        element_id = self.node.id
        while element_id in nodes:
            if element_id in lane_of:
                return (lane_of[element_id],)
            element_id = nodes[element_id].scope
        return ()

    def actor(self, run) -> str | None:
        return run.actor

    def cancel(self, run, token, outcome: str) -> None:
        run.end_activity(token, outcome)
        run.emit(fx.TaskClosed(token.id, "cancelled"))

    def value(self, run, variables, text):
        """Evaluate ``text`` if it is an expression, over the variables the task sees."""
        if text is None or not is_expression(text):
            return text
        return run.evaluate(_compiled(text), self.node, variables)

    def text(self, run, variables, text) -> str | None:
        value = self.value(run, variables, text)
        return None if value in (None, "") else str(value)

    def names(self, run, variables, texts) -> tuple[str, ...]:
        """Evaluate candidate lists: each entry a name, an expression, or a list of names."""
        names = []
        for text in texts:
            value = self.value(run, variables, text)
            items = value if isinstance(value, (list, tuple)) else str(value or "").split(",")
            names += [str(item).strip() for item in items if str(item).strip()]
        return tuple(dict.fromkeys(names))

    def moment(self, run, variables, text) -> datetime | None:
        """Read a due date: an ISO duration from now, an ISO date, or an expression."""
        value = self.value(run, variables, text)
        if value in (None, ""):
            return None
        if isinstance(value, datetime):
            return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        if isinstance(value, timedelta):
            return run.now + value
        text = str(value).strip()
        kind = "timeDuration" if text.upper().startswith("P") else "timeDate"
        try:
            return compiled_timer(kind, text).first_due(run.now)
        except TimerError as error:
            raise StepFailed(f"The due date of '{self.node.id}' is not valid: {error}") from None

    def priority(self, run, variables, text) -> int | None:
        value = self.value(run, variables, text)
        if value in (None, ""):
            return None
        try:
            return int(value)
        except (TypeError, ValueError):
            raise StepFailed(f"The priority of '{self.node.id}' is not a number: {value!r}") from None
