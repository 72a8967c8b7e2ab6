"""A real HTTP receiver on this machine, and jobs run one call at a time, as a worker would."""

import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest
from django.utils import timezone

from accounts.roles import PROCESS_OWNERS
from processes.deployments import deploy
from processes.jobs import dispatcher, executor
from processes.models import Job
from tests.conftest import make_user
from tests.samples import simple_process
from webhooks import listeners
from webhooks.models import Subscription


@dataclass
class Received:
    headers: dict
    body: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.body)

    @property
    def type(self) -> str:
        return self.json["type"]


class Receiver(BaseHTTPRequestHandler):
    """Answers each POST with ``status`` (200 by default) and keeps what it was sent."""

    received: ClassVar[list[Received]] = []
    status = 200
    answer = b'{"ok": true}'

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"] or 0))
        Receiver.received.append(Received(dict(self.headers), body))
        self.send_response(Receiver.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(Receiver.answer)))
        self.end_headers()
        self.wfile.write(Receiver.answer)

    def log_message(self, *args):
        pass


@pytest.fixture(autouse=True)
def webhook_settings(settings, db):
    """Deliveries may reach this machine; jobs wait for ``run_jobs``, whatever the broker."""
    settings.BATON_HTTP_ALLOW_PRIVATE = True
    settings.CELERY_BROKER_URL = ""
    yield
    # A rolled-back test's subscriptions must not linger in what this process remembers.
    listeners.forget()


@pytest.fixture
def receiver():
    """The URL of a receiving server; its class attributes say what it got and answers."""
    Receiver.received, Receiver.status, Receiver.answer = [], 200, b'{"ok": true}'
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hooks"
    server.shutdown()
    server.server_close()


@pytest.fixture
def other_owner(db):
    """Oscar owns processes too, and his own subscriptions."""
    return make_user("oscar", PROCESS_OWNERS)


@pytest.fixture
def invoice(db):
    """Start → user task "Approve invoice" (for the Managers group) → end."""
    return deploy(simple_process(), name="invoice.bpmn").definitions[0]


def subscribe(owner, url, events, **fields) -> Subscription:
    return Subscription.objects.create(owner=owner, url=url, events=events, **fields)


def run_jobs() -> list[str]:
    """Lease every due job as the dispatcher does, then run each as a worker would."""
    dispatcher.dispatch("tests", "embedded", 100)
    return [
        executor.run_job(job.pk, job.lock_token, "tests")
        for job in Job.objects.exclude(lock_token="").order_by("pk")
    ]


def make_due() -> None:
    """Let the retries waiting for their time run now."""
    Job.objects.update(due_at=timezone.now() - timedelta(seconds=1))


def verify(secret: str, headers: dict, body: bytes, tolerance: int = 300) -> bool:
    """Check a delivery as docs/api.md tells receivers to (the snippet, verbatim)."""
    timestamp = headers["X-Baton-Timestamp"]
    if abs(time.time() - int(timestamp)) > tolerance:
        return False  # too old (or from the future): a replay
    expected = hmac.new(
        secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(f"sha256={expected}", headers["X-Baton-Signature"])
