"""Standard loops and multi-instance activities (BPMN 2.0, 10.3.8 and 13.2.3).

The token arriving at the activity becomes its body: it owns the instances (state
"scope", like an embedded subprocess) and carries the boundary events, so interrupting
the body cancels every instance. Each instance is a child token at the same element, run
by the activity's own behaviour. What an instance alone sees (``loopCounter``, the element
variable, its output) lives in its ``local["variables"]``, the counts in the body's, so an
instance completes in the same time whether it has nine siblings or a thousand.

As in Camunda, the activity's asyncBefore and asyncAfter apply to each instance.
"""

from abc import ABC, abstractmethod
from collections import ChainMap

from processes.engine import effects as fx
from processes.engine.behaviours.base import Behaviour
from processes.engine.errors import StepFailed
from processes.engine.expressions import compile_expression


def compiled(expression):
    """Compile an expression of the model once, or None if the model gives none."""
    return compile_expression(expression.text) if expression and expression.text.strip() else None


class LoopBody(Behaviour, ABC):
    """What both kinds of loop share: a body that starts instances and leaves when done.

    The runtime calls the same behaviour for the body and for its instances; an instance
    is told apart by ``state.loop_body`` and handed to the activity's behaviour.
    """

    BODY_TYPE = ""

    def __init__(self, node, plan, inner: Behaviour):
        super().__init__(node, plan)
        self.inner = inner

    def enter(self, run, token) -> None:
        if token.id not in run.state.tokens:
            return  # an instance cancelled before its turn came
        if run.state.loop_body(token) is not None:
            self.inner.begin(run, token)
        elif self.node.start_quantity == 1 or self.gathered(run, token):
            run.start_activity(token, self.BODY_TYPE)
            self.execute(run, token)

    def execute(self, run, token) -> None:
        if run.state.loop_body(token) is not None:
            self.inner.execute(run, token)
        else:
            token.state = "scope"
            self.open(run, token)

    def leave(self, run, token) -> None:
        body = run.state.loop_body(token)
        if body is None:
            self.take_outgoing(run, token)
        elif not self.inner.held_after(run, token):
            self.completed(run, body, token)

    def cancel(self, run, token, outcome: str) -> None:
        if run.state.loop_body(token) is None:
            run.end_activity(token, outcome)
        elif token.activity_seq is not None:  # an instance not begun has nothing to undo
            self.inner.cancel(run, token, outcome)

    @abstractmethod
    def open(self, run, body) -> None:
        """Start the first instance or instances (or none, and leave at once)."""

    @abstractmethod
    def completed(self, run, body, instance) -> None:
        """An instance is done: start the next one, or close the body."""

    def begin_instance(self, run, body, variables: dict | None = None) -> None:
        instance = run.new_token(self.node.id, body.id)
        if variables:
            instance.local["variables"] = variables
        run.enter(instance, self.node.id)

    def end_instance(self, run, instance) -> None:
        run.end_activity(instance, actor=self.inner.actor(run))
        run.state.tokens.pop(instance.id, None)

    def close(self, run, body, changes: dict | None = None) -> None:
        """Leave the body, dropping what only the loop needed before the token moves on."""
        for key in ("variables", "items", "outputs"):
            body.local.pop(key, None)
        run.set_variables(changes or {}, body)
        body.state = "active"
        run.schedule(run.leave, body)


class StandardLoopBody(LoopBody):
    """Run the activity again while its loopCondition holds, at most loopMaximum times.

    With testBefore the condition is checked before each run (a while loop), else after
    (do-while). ``loopCounter``, on the body, counts the runs completed so far. A loop
    without a condition runs once, or not at all with testBefore.
    """

    BODY_TYPE = "loopBody"

    def __init__(self, node, plan, inner: Behaviour):
        super().__init__(node, plan, inner)
        self.loop = node.standard_loop
        self.condition = compiled(self.loop.condition)

    def open(self, run, body) -> None:
        body.local["variables"] = {"loopCounter": 0}
        if self.loop.test_before and not self.again(run, run.variables_of(body), 0):
            self.close(run, body)
        else:
            self.begin_instance(run, body)

    def completed(self, run, body, instance) -> None:
        runs = body.local["variables"]["loopCounter"] + 1
        # Checked before anything changes: if it fails, retrying runs the instance again.
        again = self.again(run, ChainMap({"loopCounter": runs}, run.variables_of(instance)), runs)
        self.end_instance(run, instance)
        body.local["variables"]["loopCounter"] = runs
        if again:
            self.begin_instance(run, body)
        else:
            self.close(run, body)

    def again(self, run, variables, runs: int) -> bool:
        """Whether to run once more after ``runs`` runs: below loopMaximum, condition holding."""
        if self.loop.maximum is not None and runs >= self.loop.maximum:
            return False
        if self.condition is None:
            return False
        return bool(run.evaluate(self.condition, self.node, variables))


class MultiInstanceBody(LoopBody):
    """Run the activity once per item of a collection, or loopCardinality times.

    Parallel instances all start at once, sequential ones one after another. Each sees
    ``loopCounter`` (0, 1, …) and its item as the element variable; the body counts
    ``nrOfInstances``, ``nrOfActiveInstances`` and ``nrOfCompletedInstances``. After each
    instance the completionCondition is checked; once it holds, the instances still running
    are cancelled. With an output collection, the value each instance leaves in the output
    element is gathered into a list, in the order of the input.

    The behavior says which events an instance throws as it completes (BPMN 2.0, 10.3.8,
    MultiInstanceLoopCharacteristics and ComplexBehaviorDefinition): None the
    noneBehaviorEventRef's each time, One the oneBehaviorEventRef's for the first instance
    only, Complex those of each complexBehaviorDefinition whose condition holds (which also
    cancels the remaining instances and completes the activity), All none. They are thrown
    while the activity still runs, so that its own boundary events catch them; an
    interrupting one ends the activity there.
    """

    BODY_TYPE = "multiInstanceBody"

    def __init__(self, node, plan, inner: Behaviour):
        super().__init__(node, plan, inner)
        self.multi = multi = node.multi_instance
        self.collection = (
            compile_expression(multi.input_collection) if multi.input_collection else None
        )
        self.cardinality = compiled(multi.loop_cardinality)
        self.completion = compiled(multi.completion_condition)
        self.gathers = bool(multi.output_collection and multi.output_element)
        self.complex = [
            (compiled(behavior.condition), behavior.events) for behavior in multi.complex_behaviors
        ] if multi.behavior == "Complex" else []

    def open(self, run, body) -> None:
        items = self.items(run, body)
        count = len(items) if items is not None else self.count(run, body)
        body.local["variables"] = {
            "nrOfInstances": count, "nrOfActiveInstances": 0, "nrOfCompletedInstances": 0,
        }
        if self.gathers:
            body.local["outputs"] = [None] * count
        if count == 0:
            self.close(run, body, self.outputs(body))
        elif self.multi.is_sequential:
            if items is not None:
                body.local["items"] = items
            self.begin_at(run, body, 0, items)
        else:
            for index in range(count):
                self.begin_at(run, body, index, items)

    def items(self, run, body) -> list | None:
        """Return the input collection's items, or None if the count is a cardinality."""
        if self.collection is None:
            return None
        items = run.evaluate(self.collection, self.node, run.variables_of(body))
        if not isinstance(items, (list, tuple)):
            raise StepFailed(
                f"The collection of multi-instance '{self.node.id}' is not a list: {items!r}."
            )
        return list(items)

    def count(self, run, body) -> int:
        if self.cardinality is None:
            raise StepFailed(
                f"Multi-instance '{self.node.id}' has neither a loopCardinality nor a collection."
            )
        value = run.evaluate(self.cardinality, self.node, run.variables_of(body))
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise StepFailed(
                f"The loopCardinality of '{self.node.id}' is not a number of instances: {value!r}."
            )
        return value

    def begin_at(self, run, body, index: int, items: list | None) -> None:
        variables = {"loopCounter": index}
        if items is not None and self.multi.input_element:
            variables[self.multi.input_element] = items[index]
        if self.gathers:
            variables.setdefault(self.multi.output_element, None)
        body.local["variables"]["nrOfActiveInstances"] += 1
        self.begin_instance(run, body, variables)

    def completed(self, run, body, instance) -> None:
        counts = body.local["variables"]
        active = counts["nrOfActiveInstances"] - 1
        done = counts["nrOfCompletedInstances"] + 1
        # Checked before anything changes: if it fails, retrying runs the instance again.
        finished_early = self.completion is not None and bool(run.evaluate(
            self.completion, self.node,
            ChainMap({"nrOfActiveInstances": active, "nrOfCompletedInstances": done},
                     run.variables_of(instance)),
        ))
        thrown = self.thrown(run, instance, active, done)
        own = instance.local["variables"]
        if self.gathers:
            body.local["outputs"][own["loopCounter"]] = own[self.multi.output_element]
        self.end_instance(run, instance)
        counts["nrOfActiveInstances"], counts["nrOfCompletedInstances"] = active, done
        if thrown is not None:
            throw_events(run, body, thrown)
            if run.state.tokens.get(body.id) is not body:
                return  # an interrupting boundary event caught what it threw
            finished_early = finished_early or self.multi.behavior == "Complex"
        if finished_early:
            self.cancel_instances(run, body)
            self.close(run, body, self.outputs(body))
        elif self.multi.is_sequential and done < counts["nrOfInstances"]:
            self.begin_at(run, body, own["loopCounter"] + 1, body.local.get("items"))
        elif not active:
            self.close(run, body, self.outputs(body))

    def thrown(self, run, instance, active: int, done: int) -> list | None:
        """The event definitions the completing instance throws, per the behavior; None if
        it throws nothing (with Complex: no condition holds)."""
        behavior = self.multi.behavior
        if behavior == "None" and self.multi.none_behavior_event:
            return [self.multi.none_behavior_event]
        if behavior == "One" and done == 1 and self.multi.one_behavior_event:
            return [self.multi.one_behavior_event]
        if behavior != "Complex":
            return None
        variables = ChainMap({"nrOfActiveInstances": active, "nrOfCompletedInstances": done},
                             run.variables_of(instance))
        holding = [
            events for condition, events in self.complex
            if condition is not None and bool(run.evaluate(condition, self.node, variables))
        ]
        return [event for events in holding for event in events] if holding else None

    def cancel_instances(self, run, body) -> None:
        """Cancel the instances still running: the completion condition holds."""
        inside = run.state.by_scope()
        for instance in inside.get(body.id, ()):
            run.cancel_token(instance, "cancelled", inside)

    def outputs(self, body) -> dict:
        if not self.gathers:
            return {}
        return {self.multi.output_collection: body.local["outputs"]}


THROWABLE = frozenset({"signal", "message", "escalation"})


def throw_events(run, body, definitions) -> None:
    """Throw events from the multi-instance activity ``body`` runs, in order.

    A signal reaches every wait of the instance (the activity's boundary events too) and
    every other instance; an escalation goes to the activity's boundary event catching its
    code first, then outwards.
    """
    for definition in definitions:
        if run.state.tokens.get(body.id) is not body:
            return  # an interrupting catch of an earlier one ended the activity
        name = run.plan.definition_name(definition)
        if definition.kind == "signal" and name:
            run.emit(fx.SignalThrown(name, {}))
            run.broadcast_signal(name, again=True)
        elif definition.kind == "message" and name:
            run.emit(fx.MessageSent(name, None, {}))
        elif definition.kind == "escalation":
            boundary = run.catching_boundary(body.element_id, name, "escalation")
            if boundary is not None:
                run.trigger_boundary(body, boundary)
            else:
                run.throw_escalation(body, name)
