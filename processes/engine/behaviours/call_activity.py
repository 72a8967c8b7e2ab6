"""Call activities: run another process as a child instance and wait for it (BPMN 2.0, 10.3.6).

The core cannot start an instance of another process, so it asks for one
(``ChildRequested``) and waits; the persistence layer starts the child and reports back
when it ends (``Engine.complete_call``), or throws at the call activity the error or
escalation the child left uncaught (``Engine.throw_error``, ``Engine.escalate``).
Variables pass only through the mappings, as in Camunda: ``in`` from the caller into the
child, ``out`` from the child back.
"""

from collections import ChainMap
from collections.abc import Mapping
from functools import lru_cache

from processes.engine import effects as fx
from processes.engine.behaviours.base import Behaviour
from processes.engine.expressions import compile_expression, is_expression


@lru_cache(maxsize=4096)
def _compiled(text: str):
    return compile_expression(text)


class CallActivity(Behaviour):
    def execute(self, run, token) -> None:
        props = self.node.properties
        variables = run.variables_of(token)
        request = fx.ChildRequested(
            token.id, self.node.id, str(value(run, self.node, self.node.called_element, variables)),
            props.binding or "latest", props.version,
            mapped(run, self.node, props.call_inputs, variables, run.state.local_variables(token)),
            self.business_key(run, variables),
        )
        token.state = "waiting"
        run.emit(request)

    def business_key(self, run, variables: Mapping) -> str | None:
        """Evaluate the business key to pass on; ``execution.processBusinessKey`` is ours."""
        text = self.node.properties.business_key
        if text is None:
            return None
        execution = {"execution": {"processBusinessKey": run.state.business_key}}
        key = value(run, self.node, text, ChainMap(execution, variables))
        return None if key in (None, "") else str(key)

    def cancel(self, run, token, outcome: str) -> None:
        run.end_activity(token, outcome)
        run.emit(fx.ChildCancelled(token.id, self.node.id))


def value(run, node, text: str, variables: Mapping):
    """Evaluate ``text`` if it is an expression, else return it as it is."""
    return run.evaluate(_compiled(text), node, variables) if is_expression(text) else text


def mapped(run, node, mappings, source: Mapping, local_layers=()) -> dict:
    """Return the variables ``mappings`` pass on from ``source``, in the model's order.

    A missing source variable passes as None, as in Camunda; ``variables="all"`` with
    ``local`` passes only the variables local to a loop instance.
    """
    result = {}
    for mapping in mappings:
        if mapping.all:
            result.update(ChainMap(*local_layers) if mapping.local else source)
        elif mapping.source_expression:
            expression = _compiled(mapping.source_expression)
            result[mapping.target] = run.evaluate(expression, node, source)
        else:
            result[mapping.target] = source.get(mapping.source)
    return result


def returned(run, token, child_variables: dict) -> None:
    """The child completed: set what the ``out`` mappings pass back, and leave."""
    node = run.plan.nodes[token.element_id]
    run.set_variables(mapped(run, node, node.properties.call_outputs, child_variables), token)
    run.schedule(run.leave, token)


def escalated(run, token, code: str | None) -> None:
    """The child left escalation ``code`` uncaught: the call activity's own boundary first."""
    boundary = run.catching_boundary(token.element_id, code, "escalation")
    if boundary is not None:
        run.trigger_boundary(token, boundary)
    else:
        run.throw_escalation(token, code)
