"""Python service handlers, registered by name in code or in settings, never from models."""

from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

_handlers: dict = {}


class BpmnErrorRaised(Exception):
    """A business error for the model to catch with an error boundary event."""

    def __init__(self, code: str, message: str = ""):
        self.code = code
        self.message = message
        super().__init__(f"BPMN error {code}: {message}" if message else f"BPMN error {code}")


def service_handler(name: str):
    """Register the decorated ``handler(variables, context) -> dict | None`` as ``name``."""

    def register(func):
        _handlers[name] = func
        return func

    return register


def get_handler(name: str):
    """Return the handler registered as ``name`` in code or in BATON_SERVICE_HANDLERS."""
    configured = getattr(settings, "BATON_SERVICE_HANDLERS", {})
    if name in configured:
        return _import(configured[name])
    if name in _handlers:
        return _handlers[name]
    known = ", ".join(handler_names()) or "none"
    raise LookupError(f"No service handler is registered as {name!r} (known: {known}).")


def handler_names() -> list[str]:
    """The names of the handlers registered in code and in BATON_SERVICE_HANDLERS, sorted."""
    return sorted(set(_handlers) | set(getattr(settings, "BATON_SERVICE_HANDLERS", {})))


@cache
def _import(path: str):
    return import_string(path)
