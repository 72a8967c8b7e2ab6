"""Service-task implementations: registered Python handlers, expressions, the HTTP connector.

``run_service`` is called by the service-task job outside any database transaction. It
returns the variables to set; ``BpmnErrorRaised`` is a business error the model may catch
with an error boundary event; any other exception is a technical failure, retried with
backoff and, when retries run out, an incident.
"""

from dataclasses import dataclass
from datetime import datetime

from processes.connectors.registry import BpmnErrorRaised, get_handler, service_handler
from processes.engine.expressions import compile_expression

__all__ = ["BpmnErrorRaised", "ServiceContext", "run_service", "service_handler"]


@dataclass(frozen=True)
class ServiceContext:
    instance_id: int
    business_key: str
    element_id: str
    definition_key: str
    idempotency_key: str  # job id and attempt: receivers can drop repeated deliveries
    now: datetime


def run_service(implementation, variables, context: ServiceContext) -> dict:
    """Run a service task's implementation and return the variables it sets."""
    from processes.connectors import http

    kind = implementation.kind if implementation else None
    if kind == "handler":
        result = get_handler(implementation.handler)(variables, context) or {}
    elif kind == "expression":
        value = compile_expression(implementation.expression).evaluate(variables, now=context.now)
        result = {implementation.result_variable: value} if implementation.result_variable else {}
    elif kind == "http":
        response = http.call(implementation.http, variables, context)
        result = {implementation.result_variable: response} if implementation.result_variable else {}
    elif kind == "external":
        raise ValueError("External tasks wait for remote workers; they are not run here.")
    else:
        raise ValueError(f"Service task '{context.element_id}' has no implementation.")
    if not isinstance(result, dict):
        raise TypeError(f"Handler of '{context.element_id}' returned {type(result).__name__}, not a dict.")
    return result


from processes.connectors import demo  # noqa: E402,F401  (registers the demo handlers)
