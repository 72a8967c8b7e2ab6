"""The embedded worker: runs jobs in a thread of this process when there is no broker.

It takes the doorbell's messages from an in-process queue instead of Redis and calls the
same ``executor.run_job`` a Celery worker calls, and it runs the dispatcher on the same
tick Celery beat would, so ``make run`` behaves like production without Redis.
"""

import logging
import queue
import threading
import time

from django.conf import settings
from django.db import close_old_connections

from processes.jobs import dispatcher, doorbell, executor
from processes.jobs.leases import worker_name

logger = logging.getLogger(__name__)


class EmbeddedWorker(threading.Thread):
    """A daemon thread that dispatches and runs jobs until ``stop()`` is called."""

    def __init__(self):
        super().__init__(name="baton-embedded-worker", daemon=True)
        self.inbox = queue.SimpleQueue()
        self.worker = worker_name("embedded")
        self._stopping = threading.Event()

    def start(self):
        doorbell.embedded_inbox = self.inbox
        super().start()

    def stop(self):
        self._stopping.set()
        self.inbox.put(None)

    def run(self):
        interval = settings.JOB_DISPATCH_INTERVAL_MS / 1000
        next_tick = 0.0
        while not self._stopping.is_set():
            if time.monotonic() >= next_tick:
                self._guarded(dispatcher.dispatch, self.worker, "embedded", settings.JOB_DISPATCH_BATCH)
                next_tick = time.monotonic() + interval
            try:
                item = self.inbox.get(timeout=max(next_tick - time.monotonic(), 0))
            except queue.Empty:
                continue
            if item is not None:
                self._guarded(executor.run_job, *item, self.worker)
        if doorbell.embedded_inbox is self.inbox:
            doorbell.embedded_inbox = None

    def _guarded(self, func, *args):
        """Call ``func``; a database hiccup must not kill the worker thread."""
        try:
            func(*args)
        except Exception:
            logger.exception("embedded worker: %s failed", func.__name__)
        finally:
            close_old_connections()
