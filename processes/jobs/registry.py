"""Job kinds and the functions that run them."""

from collections.abc import Callable
from dataclasses import dataclass


class UnknownJobKind(LookupError):
    """A job row names a kind no handler is registered for."""


@dataclass(frozen=True)
class JobHandler:
    """How to run one kind of job, in up to two phases.

    ``perform(job)`` talks to the outside world (HTTP, e-mail) outside any database
    transaction, so a slow call holds no lock; whatever it returns is passed to
    ``commit(job, performed)``, which changes the database in the transaction that also
    deletes the job. ``on_exhausted(job, error)`` runs in the transaction that records the
    last failed attempt; the engine opens an incident there.
    """

    kind: str
    perform: Callable | None = None
    commit: Callable | None = None
    on_exhausted: Callable | None = None


_handlers: dict[str, JobHandler] = {}


def register(kind: str, *, perform=None, commit=None, on_exhausted=None) -> JobHandler:
    """Register how jobs of ``kind`` run."""
    handler = JobHandler(kind, perform, commit, on_exhausted)
    _handlers[kind] = handler
    return handler


def get_handler(kind: str) -> JobHandler:
    """Return the handler for ``kind``."""
    try:
        return _handlers[kind]
    except KeyError:
        raise UnknownJobKind(f"no handler is registered for job kind {kind!r}") from None
