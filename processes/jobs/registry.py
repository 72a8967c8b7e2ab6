"""Job kinds and the functions that run them."""

from collections.abc import Callable
from dataclasses import dataclass


class UnknownJobKind(LookupError):
    """A job row names a kind no handler is registered for."""


@dataclass(frozen=True)
class JobHandler:
    kind: str
    run: Callable
    on_exhausted: Callable | None = None


_handlers: dict[str, JobHandler] = {}


def job_handler(kind: str, *, on_exhausted: Callable | None = None):
    """Register the decorated function as the runner of jobs of ``kind``.

    ``on_exhausted(job, error)`` runs in the transaction that records the last failed
    attempt; the engine uses it to open an incident.
    """

    def register(func):
        _handlers[kind] = JobHandler(kind, func, on_exhausted)
        return func

    return register


def get_handler(kind: str) -> JobHandler:
    """Return the handler for ``kind``."""
    try:
        return _handlers[kind]
    except KeyError:
        raise UnknownJobKind(f"no handler is registered for job kind {kind!r}") from None
