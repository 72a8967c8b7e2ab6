"""PostgreSQL, Redis and real Celery worker processes for the integration suite.

These tests run in the second pass of `make test`, with DATABASE_URL pointing at
PostgreSQL and CELERY_BROKER_URL at Redis. With CI=true they must run, never skip.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session", autouse=True)
def require_services():
    """Fail in CI, skip elsewhere, when the suite is not running on PostgreSQL and Redis."""
    problems = []
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        problems.append("DATABASE_URL does not point at PostgreSQL")
    if not settings.CELERY_BROKER_URL.startswith("redis"):
        problems.append("CELERY_BROKER_URL does not point at Redis")
    if problems:
        message = "; ".join(problems) + " (run `make test-integration`)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


def _database_url() -> str:
    """Return a URL for the test database pytest-django created (not the real one)."""
    s = connection.settings_dict
    user = s["USER"] or "postgres"
    password = f":{s['PASSWORD']}" if s["PASSWORD"] else ""
    return f"postgres://{user}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


class CeleryWorkers:
    """Real `celery -A bpm worker` processes, each its own OS process."""

    def __init__(self, tmp: Path, queue: str):
        self.tmp = tmp
        self.queue = queue
        self.mail_dir = tmp / "mail"
        self.processes: list[subprocess.Popen] = []
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bpm.settings",
            "DATABASE_URL": _database_url(),
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "CELERY_QUEUE": queue,
            "SECRET_KEY": "integration-tests-only-" + uuid.uuid4().hex,
            "DEBUG": "false",
            "BATON_HTTP_ALLOW_PRIVATE": "true",  # the services they call run on this machine
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(self.mail_dir),
            "JOB_LEASE_SECONDS": str(settings.JOB_LEASE_SECONDS),
            "JOB_RETRY_BASE_SECONDS": str(settings.JOB_RETRY_BASE_SECONDS),
        }

    def start(self, name: str, *, beat: bool = False) -> subprocess.Popen:
        """Start one worker process and wait until it is ready to take messages."""
        log = self.tmp / f"{name}.log"
        args = [
            sys.executable, "-m", "celery", "-A", "bpm", "worker",
            "-n", f"{name}@%h", "-Q", self.queue, "--concurrency", "1", "--pool", "prefork",
            "--without-gossip", "--without-mingle", "-l", "info",
        ]
        if beat:
            args += ["-B", "-s", str(self.tmp / "beat-schedule")]
        process = subprocess.Popen(
            args, cwd=ROOT, env=self.env, stdout=log.open("w"), stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append(process)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if " ready." in log.read_text():
                return process
            if process.poll() is not None:
                break
            time.sleep(0.2)
        raise RuntimeError(f"celery worker {name} did not start:\n{log.read_text()[-3000:]}")

    def kill(self, process: subprocess.Popen) -> None:
        """Kill a worker and its pool children at once, as a crash would."""
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        self.processes.clear()


@pytest.fixture
def celery_workers(transactional_db, tmp_path):
    """Start-on-demand Celery workers bound to this test's database and a private queue."""
    queue = f"baton-test-{uuid.uuid4().hex[:8]}"
    from bpm.celery import app

    previous = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    workers = CeleryWorkers(tmp_path, queue)
    yield workers
    workers.stop_all()
    app.conf.task_default_queue = previous
