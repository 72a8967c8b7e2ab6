"""Which active subscriptions listen to which event types, remembered per process.

Every engine command asks, for each kind of thing it did, whether anyone listens. Asking
the database would add a query to every start and every completed task, and most
installations have no subscription at all, so each process keeps the answer in memory:

- a change to a subscription (``post_save``, ``post_delete``) forgets it at once in the
  process that made it, and again when that change commits, so another thread of the same
  process cannot keep what it read before the commit;
- other processes (web workers, job workers) read it again every
  ``WEBHOOKS_CACHE_SECONDS``: a new subscription may miss their events for that long.

A stale answer costs nothing worse: a delivery recorded for a subscription paused or
deleted meanwhile is dropped when its job finds that out.
"""

import threading
import time

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from webhooks.models import Subscription

_lock = threading.Lock()
_generation = 0  # bumped by forget(), so a load that started before it is not kept
_known: tuple[float, dict] = (0.0, {})  # (valid until, {event type: ((id, key), …)})


def listening(event_type: str) -> tuple[tuple[int, str], ...]:
    """Return ``(subscription id, process key or "")`` of those listening to ``event_type``."""
    valid_until, by_event = _known
    if time.monotonic() >= valid_until:
        by_event = _load()
    return by_event.get(event_type, ())


def forget() -> None:
    """Drop what this process knows now and once the current transaction commits."""
    _forget()
    transaction.on_commit(_forget)


def _forget() -> None:
    global _known, _generation
    with _lock:
        _generation += 1
        _known = (0.0, {})


def _load() -> dict:
    global _known
    generation = _generation
    by_event: dict[str, list] = {}
    rows = Subscription.objects.filter(active=True).values_list("pk", "events", "definition_key")
    for pk, events, key in rows:
        for event in events:
            by_event.setdefault(event, []).append((pk, key))
    loaded = {event: tuple(targets) for event, targets in by_event.items()}
    with _lock:
        if generation == _generation:
            _known = (time.monotonic() + settings.WEBHOOKS_CACHE_SECONDS, loaded)
    return loaded


@receiver([post_save, post_delete], sender=Subscription)
def _subscription_changed(**kwargs) -> None:
    forget()
