"""The engine: commands on one instance, run on an agenda until every token waits.

A command (start, complete a task, fire a timer, …) mutates the instance's live state and
collects effects; nothing here touches a database. Steps are queued on an agenda rather
than called recursively, so a loop that runs a thousand times needs no deep stack.
"""

from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from processes.bpmn.model import Definitions, FlowNode, Process
from processes.engine import compensation
from processes.engine import effects as fx
from processes.engine.behaviours import call_activity, conditions, event_subprocess
from processes.engine.behaviours.timers import due_at, is_cycle, next_due_at
from processes.engine.behaviours.waits import close_wait, open_wait, schedule_timer
from processes.engine.errors import EngineError, NotWaiting, StepFailed
from processes.engine.expressions import BpmnErrorThrown, ExpressionError, compile_expression
from processes.engine.plan import ProcessPlan, plan_for
from processes.engine.state import InstanceState, Token


@dataclass
class Result:
    state: InstanceState
    effects: list


@lru_cache(maxsize=1024)
def _gate(text: str):
    return compile_expression(text)


class Engine:
    """Run commands for instances of one process."""

    def __init__(self, process: Process, clock: Callable[[], datetime],
                 definitions: Definitions | None = None):
        self.plan = plan_for(process, definitions)
        self.clock = clock

    def start(self, variables=None, *, start_event_id=None, actor=None, business_key=None) -> Result:
        """Start an instance at its none start event (or the one given)."""
        state = InstanceState(variables=dict(variables or {}), business_key=business_key)
        run = Run(self.plan, state, self.clock(), actor)
        starts = [s for s in self.plan.process.start_events if not self.plan.nodes[s].event_definitions]
        start_id = start_event_id or (starts[0] if starts else None)
        if start_id is None or start_id not in self.plan.nodes:
            raise EngineError(f"Process '{self.plan.process.id}' has no start event to start from.")
        initiator = self.plan.nodes[start_id].properties.initiator
        if initiator and actor:
            run.state.variables[initiator] = actor
        token = run.new_token(start_id, None)
        if self.plan.nodes[start_id].kind == "receiveTask":
            token.local["occurred"] = True  # its message started the instance
        run.enter(token, start_id)
        event_subprocess.open_waits(run, None)
        return run.finish()

    def complete_task(self, state, token_id, variables=None, actor=None) -> Result:
        """Complete the user task a token waits at, with the variables the form submitted."""
        run = Run(self.plan, state, self.clock(), actor)
        token = run.waiting_token(token_id, kinds=("userTask",))
        run.set_variables(variables or {}, token)
        run.emit(fx.TaskClosed(token.id, "completed", actor))
        run.schedule(run.leave, token)
        return run.finish()

    def complete_job(self, state, token_id, variables=None) -> Result:
        """A service task's work is done: store its result and move on."""
        run = Run(self.plan, state, self.clock(), None)
        token = run.waiting_token(token_id)
        run.set_variables(variables or {}, token)
        run.schedule(run.leave, token)
        return run.finish()

    def complete_call(self, state, token_id, variables=None) -> Result:
        """The instance a call activity started has completed with ``variables``: map them back."""
        run = Run(self.plan, state, self.clock(), None)
        token = run.waiting_token(token_id, kinds=("callActivity",))
        call_activity.returned(run, token, variables or {})
        return run.finish()

    def escalate(self, state, token_id, code) -> Result:
        """The instance a call activity started escalated ``code`` without catching it."""
        run = Run(self.plan, state, self.clock(), None)
        token = state.tokens.get(token_id)
        at_call = token is not None and self.plan.nodes[token.element_id].kind == "callActivity"
        if not at_call or token.state != "waiting":
            raise NotWaiting(f"Token {token_id} does not wait at a call activity.")
        call_activity.escalated(run, token, code)
        return run.finish()

    def continue_token(self, state, token_id) -> Result:
        """Resume a token held by an asynchronous continuation."""
        run = Run(self.plan, state, self.clock(), None)
        token = run.waiting_token(token_id)
        if token.local.pop("resume", "execute") == "leave":
            token.local["continued"] = True
            run.schedule(run.leave, token)
        else:
            run.schedule(run.execute, token)
        return run.finish()

    def trigger(self, state, token_id, element_id, variables=None, occurrence=None,
                trigger=None) -> Result:
        """An event a token waits for happened: a timer fell due, a message or signal came.

        ``element_id`` is the event: the catch event the token waits at, one of the events
        after the event-based gateway it waits at, a boundary event of its activity, or the
        start event of an event subprocess in its scope. ``occurrence`` is the due time and
        count of a cycle timer's job, from its payload. ``trigger`` says which of the
        event's definitions happened, as (kind, name): ("message", "paid"), ("timer", None);
        a parallel multiple event needs it, as it happens only once all of them have.
        """
        run = Run(self.plan, state, self.clock(), None)
        token = state.tokens.get(token_id)
        if token is None and token_id != event_subprocess.PROCESS_SCOPE:
            raise NotWaiting(f"Token {token_id} is gone: the event {element_id} no longer applies.")
        run.deliver(token, self.plan.nodes[element_id], variables or {}, occurrence, trigger)
        return run.finish()

    def throw_error(self, state, token_id, error_code, message=None, variables=None) -> Result:
        """A service task raised a BPMN error: catch it by a boundary event or open an incident.

        ``variables`` (an external worker's) are set first, so the catching path sees them.
        """
        run = Run(self.plan, state, self.clock(), None)
        token = run.waiting_token(token_id)
        run.set_variables(variables or {}, token)
        run.schedule(run.throw_error, token, error_code, message, True)
        return run.finish()

    def open_incident(self, state, token_id, message) -> Result:
        """Hold a token with an incident (its job ran out of retries)."""
        run = Run(self.plan, state, self.clock(), None)
        token = state.tokens.get(token_id)
        if token is None:
            raise NotWaiting(f"Token {token_id} is gone.")
        run.fail(token, message)
        return run.finish()

    def retry(self, state, token_id) -> Result:
        """Resolve the incident holding a token and run its element again."""
        run = Run(self.plan, state, self.clock(), None)
        token = state.tokens.get(token_id)
        if token is None or token.state != "failed":
            raise NotWaiting(f"Token {token_id} is not held by an incident.")
        token.state = "active"
        run.emit(fx.IncidentResolved(token.id))
        run.schedule(run.execute, token)
        return run.finish()

    def set_variables(self, state, variables, actor=None) -> Result:
        """Change instance variables from outside (an operator, an integration).

        Conditional events waiting on them are evaluated, as after any other change.
        """
        run = Run(self.plan, state, self.clock(), actor)
        run.set_variables(dict(variables))
        return run.finish()

    def cancel(self, state, actor=None) -> Result:
        """Cancel the whole instance."""
        run = Run(self.plan, state, self.clock(), actor)
        for token in list(state.children(None)):
            run.cancel_token(token)
        event_subprocess.close_waits(run, None)
        state.status = "cancelled"
        run.emit(fx.InstanceEnded("cancelled", run.now))
        return Result(state, run.effects)


class Run:
    """One command in progress: the state it changes, the effects it collects."""

    def __init__(self, plan: ProcessPlan, state: InstanceState, now: datetime, actor: str | None):
        self.plan = plan
        self.state = state
        self.now = now
        self.actor = actor
        self.effects: list = []
        self.agenda: deque = deque()
        self.ended: set[int] = set()
        # Signals thrown in this command, with the waits (holder, element) they reached.
        self.signals: dict[str, set] = {}
        # Conditional waits that fired in this command; whether to look at them again.
        self.conditions_served: set = set()
        self.conditions_due = plan.has_conditions

    # The agenda

    def schedule(self, step, *args) -> None:
        self.agenda.append((step, args))

    def finish(self) -> Result:
        """Run the agenda until every token waits; then settle inclusive joins."""
        while True:
            while self.agenda:
                step, args = self.agenda.popleft()
                token = next((a for a in args if isinstance(a, Token)), None)
                if token is not None and self.state.tokens.get(token.id) is not token:
                    continue  # an interruption removed the token this step was for
                try:
                    step(*args)
                except StepFailed as failure:
                    if token is None:
                        raise
                    self.fail(token, str(failure))
            if not (self.settle_inclusive_joins() or self.serve_late_signals()
                    or self.fire_conditions()):
                break
        return Result(self.state, self.effects)

    def fire_conditions(self) -> bool:
        """Fire the conditional events whose conditions now hold, if variables changed."""
        if not self.conditions_due:
            return False
        self.conditions_due = False
        return conditions.fire(self, self.conditions_served)

    def check_conditions(self) -> None:
        """A conditional wait began: if its condition holds already, it fires now."""
        conditions.fire(self, self.conditions_served)

    def serve_late_signals(self) -> bool:
        """Deliver this command's signals to waits that opened after they were thrown.

        Branches started together are simultaneous: a catch event on a branch the agenda
        reaches after the throw still hears it. Return whether anything did.
        """
        before = len(self.agenda)
        for name in list(self.signals):
            self.broadcast_signal(name)
        return len(self.agenda) > before

    # Tokens and activities

    def emit(self, effect) -> None:
        self.effects.append(effect)

    def new_token(self, element_id: str, scope_id: int | None) -> Token:
        token = Token(self.state.take_seq(), element_id, scope_id)
        self.state.tokens[token.id] = token
        return token

    def behaviour(self, token: Token):
        return self.plan.behaviours[token.element_id]

    def enter(self, token: Token, element_id: str) -> None:
        token.element_id = element_id
        token.state = "active"
        self.schedule(self.behaviour(token).enter, self, token)

    def execute(self, token: Token) -> None:
        self.behaviour(token).execute(self, token)

    def leave(self, token: Token) -> None:
        self.behaviour(token).leave(self, token)

    def start_activity(self, token: Token, element_type: str | None = None) -> None:
        """Start an activity instance; ``element_type`` (else the node's kind) marks a loop body."""
        node = self.plan.nodes[token.element_id]
        token.activity_seq = self.state.take_seq()
        scope = self.state.tokens.get(token.scope_id)
        self.emit(fx.ActivityStarted(
            token.activity_seq, node.id, element_type or node.kind, node.name,
            scope.activity_seq if scope else None, token.id, self.now,
        ))
        if not node.boundary_events or self.state.loop_body(token) is not None:
            return  # none, or those of a loop wait on its body, not on each instance
        for boundary in self.plan.boundary_events(node.id, "timer"):
            self.schedule_boundary_timer(token, boundary, self.timer_due(boundary), 0)
        for boundary in self.event_boundaries(node.id):
            open_wait(self, token, boundary)
        if self.plan.boundary_events(node.id, "conditional"):
            self.schedule(self.check_conditions)

    def end_activity(self, token: Token, outcome: str = "completed", actor: str | None = None) -> None:
        seq = token.activity_seq
        if seq is None or seq in self.ended:
            return
        self.ended.add(seq)
        token.local.pop("cycles", None)
        token.local.pop("happened", None)  # of parallel multiple events that waited here
        quality = self.passed_quality_gate(token) if outcome == "completed" else None
        self.emit(fx.ActivityEnded(seq, self.now, outcome, actor, quality))
        if outcome == "completed" and self.plan.has_compensation:
            compensation.completed(self, token)
        if not self.plan.nodes[token.element_id].boundary_events or self.state.loop_body(token) is not None:
            return
        for boundary in self.plan.boundary_events(token.element_id, "timer"):
            self.emit(fx.JobCancelled(token.id, boundary.id))
        for boundary in self.event_boundaries(token.element_id):
            close_wait(self, token, boundary)

    def passed_quality_gate(self, token: Token) -> bool | None:
        """Whether a completed step passed its quality gate (None when it has none).

        The gate is measured for the quality rate, never enforced: one that cannot be
        evaluated counts as failed and the step goes on.
        """
        gate = self.plan.nodes[token.element_id].properties.quality_gate
        if not gate:
            return None
        try:
            return bool(_gate(gate).evaluate(self.variables_of(token), now=self.now))
        except (ExpressionError, BpmnErrorThrown):
            return False

    def event_boundaries(self, activity_id: str) -> list[FlowNode]:
        """The message and signal boundary events of an activity: they wait as subscriptions."""
        return self.plan.boundary_events(activity_id, "message") + self.plan.boundary_events(activity_id, "signal")

    def take(self, token: Token, flow_ids) -> None:
        """Move ``token`` along the first flow and new tokens along the others."""
        if not flow_ids:
            self.consume(token)
            return
        for index, flow_id in enumerate(flow_ids):
            moving = token if index == 0 else self.new_token(token.element_id, token.scope_id)
            moving.activity_seq = None
            self.enter(moving, self.plan.flows[flow_id].target)

    def consume(self, token: Token) -> None:
        """Remove a token that reached an end; complete its scope if it was the last one."""
        self.state.tokens.pop(token.id, None)
        scope = self.state.tokens.get(token.scope_id)
        if scope is not None and self.behaviour(scope).child_ended(self, scope):
            return  # an ad-hoc subprocess decides for itself
        if self.state.children(token.scope_id):
            return
        if token.scope_id is None:
            event_subprocess.close_waits(self, None)
            self.state.status = "completed"
            self.emit(fx.InstanceEnded("completed", self.now))
        else:
            scope = self.state.tokens[token.scope_id]
            event_subprocess.close_waits(self, scope)
            scope.state = "active"
            self.schedule(self.leave, scope)

    def cancel_token(self, token: Token, outcome: str = "cancelled", inside=None) -> None:
        """Cancel a token and, first, everything inside the subprocess or loop it owns.

        ``inside`` (``state.by_scope()``) is gathered once for the whole cancellation, so
        that cancelling a thousand instances never looks through every token a thousand times.
        """
        inside = self.state.by_scope() if inside is None else inside
        for child in inside.get(token.id, ()):
            self.cancel_token(child, outcome, inside)
        self.behaviour(token).cancel(self, token, outcome)
        self.state.tokens.pop(token.id, None)

    def fail(self, token: Token, message: str) -> None:
        token.state = "failed"
        self.emit(fx.IncidentOpened(token.id, token.activity_seq, token.element_id, message))

    def waiting_token(self, token_id: int, kinds=None) -> Token:
        token = self.state.tokens.get(token_id)
        if token is None or token.state != "waiting":
            raise NotWaiting(f"Token {token_id} is not waiting.")
        if kinds and self.plan.nodes[token.element_id].kind not in kinds:
            raise NotWaiting(f"Token {token_id} waits at a {self.plan.nodes[token.element_id].kind}.")
        token.state = "active"
        return token

    # Data

    def set_variables(self, changes: dict, token: Token | None = None) -> None:
        """Change variables; the history keeps the changes on ``token``'s activity instance.

        A variable local to a loop instance ``token`` is in (its element, ``loopCounter``)
        changes there; any other is the instance's, as in Camunda.
        """
        if changes:
            layers = self.state.local_variables(token)
            for name, value in changes.items():
                holder = next((layer for layer in layers if name in layer), self.state.variables)
                holder[name] = value
            self.conditions_due = self.plan.has_conditions
            self.emit(fx.VariablesChanged(dict(changes), token.activity_seq if token else None))

    def variables_of(self, token: Token | None) -> Mapping:
        """Return the variables ``token`` sees: a loop instance's own over the instance's."""
        return self.state.variables_for(token)

    def evaluate(self, expression, node: FlowNode, variables: Mapping | None = None):
        """Evaluate a compiled expression; a run-time error becomes an incident at ``node``.

        ``variables`` are what it sees (``variables_of`` a token); the instance's by default.
        """
        try:
            return expression.evaluate(
                self.state.variables if variables is None else variables, now=self.now
            )
        except ExpressionError as error:
            raise StepFailed(f"{node.kind} '{node.id}': {error}") from None
        except BpmnErrorThrown:
            raise StepFailed(
                f"{node.kind} '{node.id}': bpmn_error() may be called in a script task only."
            ) from None

    def timer_due(self, node: FlowNode) -> datetime | None:
        return due_at(self, node)

    def schedule_boundary_timer(self, token: Token, boundary: FlowNode, due, fired: int) -> None:
        """Schedule a boundary timer; a cycle's last due time and count live on the token."""
        if is_cycle(boundary) and not boundary.cancel_activity:
            token.local.setdefault("cycles", {})[boundary.id] = [due.isoformat(), fired]
        self.emit(fx.JobScheduled("timer", token.id, boundary.id, due))

    def repeat_cycle(self, token: Token, boundary: FlowNode) -> None:
        """A non-interrupting cycle timer fired: schedule its next occurrence, if any."""
        cycles = token.local.get("cycles", {})
        if boundary.id not in cycles:
            return
        previous, fired = cycles.pop(boundary.id)
        following = next_due_at(self, boundary, datetime.fromisoformat(previous), fired + 1)
        if following is not None:
            self.schedule_boundary_timer(token, boundary, following, fired + 1)
        if not cycles:
            token.local.pop("cycles", None)

    # Gateways that wait for each other

    def settle_inclusive_joins(self) -> bool:
        """Fire every inclusive join no other token can still reach; return whether any fired."""
        fired = False
        for token in list(self.state.tokens.values()):
            if token.state != "joined" or token.id not in self.state.tokens:
                continue
            node = self.plan.nodes[token.element_id]
            if node.kind in ("inclusiveGateway", "complexGateway") and self.behaviour(token).can_fire(self, token):
                self.behaviour(token).fire(self, token)
                fired = True
        return fired

    # Errors

    def throw_error(self, token: Token, code: str | None, message: str | None, from_activity: bool) -> None:
        """Find the nearest boundary event catching ``code`` and leave through it.

        The search starts at the throwing activity's own boundary events (a service task's
        error) or at its enclosing subprocess (an error end event), then walks outwards.
        """
        if from_activity:
            boundary = self.catching_boundary(token.element_id, code)
            if boundary is not None:
                self.interrupt(token, boundary, "error")
                return
        if self.catch_in_scopes(token, "error", code):
            return
        where = f": {message}" if message else ""
        self.emit(fx.ErrorUncaught(token.id, token.element_id, code, message))  # for a caller
        self.fail(token, f"Uncaught BPMN error {code or '(no code)'} thrown at '{token.element_id}'{where}.")

    def catch_in_scopes(self, token: Token, kind: str, code: str | None) -> bool:
        """Catch an error or escalation thrown by ``token`` in an enclosing scope.

        Walking outwards, each scope first offers its event subprocesses, then the boundary
        events of the subprocess it is; the process scope offers its event subprocesses.
        Return whether something caught it.
        """
        scope = self.state.tokens.get(token.scope_id)
        from_handler = False  # an event subprocess's own throw goes past its siblings
        while True:
            start = None if from_handler else event_subprocess.catching_start(self, scope, kind, code)
            if start is not None:
                event_subprocess.start_subprocess(self, scope, start, {})
                return True
            if scope is None:
                return False
            from_handler = self.plan.nodes[scope.element_id].triggered_by_event
            boundary = self.catching_boundary(scope.element_id, code, kind)
            if boundary is not None:
                if kind == "error":
                    self.interrupt(scope, boundary, "error")
                else:
                    self.trigger_boundary(scope, boundary)
                return True
            scope = self.state.tokens.get(scope.scope_id)

    def catching_boundary(self, activity_id: str, code: str | None, kind: str = "error") -> FlowNode | None:
        """The boundary event catching ``code``: the one with that code, else a catch-all."""
        catch_all = None
        code_of = self.plan.error_code if kind == "error" else self.plan.escalation_code
        for boundary in self.plan.boundary_events(activity_id, kind):
            caught = code_of(boundary)
            if caught is not None and caught == code:
                return boundary
            if caught is None and catch_all is None:
                catch_all = boundary
        return catch_all

    def trigger_boundary(self, token: Token, boundary: FlowNode) -> None:
        """A boundary event fired on the activity ``token`` is in."""
        token = self.state.loop_body(token) or token  # a loop's boundary events are its body's
        if boundary.cancel_activity:
            self.interrupt(token, boundary, "cancelled")
        else:
            self.enter(self.new_token(boundary.id, token.scope_id), boundary.id)
            self.repeat_cycle(token, boundary)
            # The delivery used the subscription up; the event may come again.
            open_wait(self, token, boundary, kinds=("message", "signal"))

    def deliver(self, token: Token, event: FlowNode, variables: dict, occurrence=None,
                trigger=None) -> None:
        """The event ``event`` that ``token`` waits for happened, bringing ``variables``.

        ``token`` is None for an event subprocess of the process itself. ``trigger``
        (kind, name) is which of its definitions happened; a parallel multiple event waits
        on for the others.
        """
        if not self.all_happened(token, event, trigger):
            self.set_variables(variables)
            return
        if event.kind == "startEvent":  # of an event subprocess in the scope of ``token``
            if self.state.status != "active":
                raise NotWaiting(f"The instance has ended: {event.id} no longer applies.")
            event_subprocess.start_subprocess(self, token, event, variables, occurrence)
            return
        at = self.plan.nodes[token.element_id]
        if event.id == token.element_id and self.cycle_goes_on(token, event, occurrence):
            self.set_variables(variables, token)
            passing = self.new_token(event.id, token.scope_id)
            self.start_activity(passing)
            self.schedule(self.leave, passing)
        elif event.id == token.element_id:
            self.waiting_token(token.id)
            self.set_variables(variables, token)
            self.schedule(self.leave, token)
        elif at.kind == "eventBasedGateway":
            self.waiting_token(token.id)
            self.set_variables(variables)
            self.schedule(self.behaviour(token).choose, self, token, event)
        elif event.id in at.boundary_events:
            self.set_variables(variables)
            self.trigger_boundary(token, event)  # at once: it may interrupt the thrower too
        else:
            raise NotWaiting(f"Token {token.id} does not wait for {event.id}.")

    def all_happened(self, token: Token | None, event: FlowNode, trigger) -> bool:
        """Count ``trigger`` for a parallel multiple ``event``; return whether all its events
        have now happened, in any order (BPMN 2.0, 10.5.1). Any other event happens at once.

        The count lives on the token that waits (the catch event's, the activity's for a
        boundary event, the subprocess's for an event subprocess start) until it fires.
        """
        if not (event.parallel_multiple and len(event.event_definitions) > 1) or trigger is None:
            return True
        if token is None or (event.id == token.element_id and token.state != "waiting"):
            raise NotWaiting(f"Token {token and token.id} does not wait for {event.id}.")
        needed = {(d.kind, self.plan.definition_name(d)) for d in event.event_definitions}
        happened = token.local.setdefault("happened", {}).setdefault(event.id, [])
        if tuple(trigger) in needed and list(trigger) not in happened:
            happened.append(list(trigger))
        if len(happened) < len(needed):
            return False
        del token.local["happened"][event.id]
        if not token.local["happened"]:
            del token.local["happened"]
        return True

    def cycle_goes_on(self, token: Token, event: FlowNode, occurrence) -> bool:
        """An intermediate timer cycle fired: a token passes on each time, and the event waits
        for the next occurrence until the last, which the waiting token itself follows."""
        if occurrence is None or not is_cycle(event) or event.kind != "intermediateCatchEvent":
            return False
        due, fired = occurrence
        following = next_due_at(self, event, due, fired + 1)
        if following is None:
            return False
        schedule_timer(self, token, event, following, fired + 1)
        return True

    def broadcast_signal(self, name: str, again: bool = False) -> None:
        """Deliver a signal thrown in this instance to everything here waiting for it.

        Each wait hears a signal once per command, however often it is broadcast, unless
        it is thrown ``again`` (a new occurrence: a multi-instance activity's instances).
        """
        if again:
            self.signals.pop(name, None)
        served = self.signals.setdefault(name, set())
        scopes = [None] + [t for t in self.state.tokens.values() if t.state == "scope"]
        for scope in scopes:  # event subprocesses first: an interrupting one ends the rest
            for start in event_subprocess.starts_in(self, scope):
                alive = scope is None or self.state.tokens.get(scope.id) is scope
                key = (scope.id if scope else event_subprocess.PROCESS_SCOPE, start.id)
                if alive and key not in served and name in self.plan.event_names(start, "signal"):
                    served.add(key)
                    self.deliver(scope, start, {}, trigger=("signal", name))
        for token in list(self.state.tokens.values()):
            for event in self.signal_waits(token, name):
                if self.state.tokens.get(token.id) is token and (token.id, event.id) not in served:
                    served.add((token.id, event.id))
                    self.deliver(token, event, {}, trigger=("signal", name))

    def signal_waits(self, token: Token, name: str) -> list[FlowNode]:
        at = self.plan.nodes[token.element_id]
        if token.state == "waiting" and at.kind == "eventBasedGateway":
            candidates = [self.plan.nodes[self.plan.flows[f].target] for f in at.outgoing]
        elif token.state == "waiting" and at.kind == "intermediateCatchEvent":
            candidates = [at]
        elif (token.activity_seq is not None and token.state in ("waiting", "scope", "failed")
              and self.state.loop_body(token) is None):  # a loop's boundaries are its body's
            candidates = [self.plan.nodes[b] for b in at.boundary_events]
        else:
            return []
        return [
            event for event in candidates
            if name in self.plan.event_names(event, "signal")
        ]

    def throw_escalation(self, token: Token, code: str | None) -> None:
        """Escalate to the nearest enclosing subprocess with a boundary event catching ``code``.

        Interrupting, that subprocess ends (with the thrower); non-interrupting, a token
        leaves by the boundary event and the thrower goes on. Uncaught, it is recorded.
        """
        if self.catch_in_scopes(token, "escalation", code):
            return
        self.emit(fx.EscalationUncaught(token.id, token.activity_seq, token.element_id, code))

    def interrupt(self, token: Token, boundary: FlowNode, outcome: str) -> None:
        """End the activity ``token`` is in and leave through ``boundary`` instead."""
        token = self.state.loop_body(token) or token  # interrupting a loop ends all instances
        self.cancel_token(token, outcome)
        self.enter(self.new_token(boundary.id, token.scope_id), boundary.id)
