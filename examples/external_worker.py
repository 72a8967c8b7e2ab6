#!/usr/bin/env python3
"""A Baton external task worker that needs nothing but the Python standard library.

It long-polls ``POST /api/v1/external-tasks/fetch-and-lock/`` for tasks of one topic, runs
``handle`` on each task's variables and reports back: ``complete`` with the variables the
handler returns, or ``failure`` with one retry fewer when it raises (with none left, an
incident waits for an operator to retry it). See examples/README.md.

    python examples/external_worker.py --url http://127.0.0.1:8000 --token KEY
"""

import argparse
import contextlib
import json
import logging
import os
import socket
import time
import traceback
import urllib.error
import urllib.request

log = logging.getLogger("external_worker")

LOCK_MS = 60_000  # how long a task is ours; a slower handler would call extend-lock
WAIT_MS = 30_000  # how long one fetch waits for tasks to appear (the server's limit)
RETRY_TIMEOUT_MS = 10_000  # how long a failed task rests before it is fetched again
BATCH = 10  # the most tasks locked at once


def handle(variables: dict) -> dict:
    """Price an order: quantity times unit price, rounded to cents."""
    quantity = int(variables["quantity"])
    if quantity < 1:
        raise ValueError(f"the quantity must be at least 1, not {quantity}")
    return {"total": round(quantity * float(variables["unit_price"]), 2)}


class Baton:
    """The external task API, as JSON over HTTP with an API token."""

    def __init__(self, url: str, token: str):
        self.base = url.rstrip("/") + "/api/v1/external-tasks/"
        self.token = token

    def post(self, path: str, body: dict, timeout: float = 30):
        """POST ``body`` to ``path``; return the decoded answer (None when it is empty)."""
        request = urllib.request.Request(
            self.base + path, data=json.dumps(body).encode(), method="POST",
            headers={"Authorization": f"Token {self.token}",
                     "Content-Type": "application/json", "Accept": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            content = response.read()
        return json.loads(content) if content else None


def work(baton: Baton, worker_id: str, topic: str, max_tasks: int | None = None) -> int:
    """Fetch, handle and report tasks of ``topic``; stop after ``max_tasks`` (never if None)."""
    done = 0
    while max_tasks is None or done < max_tasks:
        wanted = BATCH if max_tasks is None else min(BATCH, max_tasks - done)
        for task in fetch(baton, worker_id, topic, wanted):
            report(baton, worker_id, task)
            done += 1
    return done


def fetch(baton: Baton, worker_id: str, topic: str, wanted: int) -> list[dict]:
    """Lock up to ``wanted`` tasks, waiting for some; an unreachable server is tried again."""
    body = {"worker_id": worker_id, "max_tasks": wanted,
            "topics": [{"name": topic, "lock_duration_ms": LOCK_MS}],
            "async_response_timeout_ms": WAIT_MS}
    try:
        return baton.post("fetch-and-lock/", body, timeout=WAIT_MS / 1000 + 10)
    except urllib.error.HTTPError as error:
        if error.code < 500:  # a bad token or a missing permission: retrying will not help
            raise SystemExit(f"Baton refused the fetch ({error.code}): {error.read().decode()}")
        log.warning("Baton failed (%s); trying again in 5 s", error.code)
    except OSError as error:
        log.warning("Baton is unreachable (%s); trying again in 5 s", error)
    time.sleep(5)
    return []


def report(baton: Baton, worker_id: str, task: dict) -> None:
    """Run the handler on one task and tell Baton how it went."""
    try:
        variables = handle(task["variables"])
    except Exception as error:  # noqa: BLE001 - whatever the handler raises, the task failed
        retries = max(task["retries"] - 1, 0)
        log.warning("task %s failed (%d retries left): %r", task["id"], retries, error)
        action, body = "failure", {
            "worker_id": worker_id, "error_message": f"{type(error).__name__}: {error}",
            "error_details": traceback.format_exc(), "retries": retries,
            "retry_timeout_ms": RETRY_TIMEOUT_MS,
        }
    else:
        log.info("task %s done: %s", task["id"], variables)
        action, body = "complete", {"worker_id": worker_id, "variables": variables}
    try:
        baton.post(f"{task['id']}/{action}/", body)
    except urllib.error.HTTPError as error:  # 409: the lock expired, another worker has it
        log.warning("Baton refused the report on task %s: %s", task["id"], error.read().decode())


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Do Baton's external tasks of one topic.")
    parser.add_argument("--url", default=os.environ.get("BATON_URL", "http://127.0.0.1:8000"),
                        help="Baton's address (default: $BATON_URL or http://127.0.0.1:8000)")
    parser.add_argument("--token", default=os.environ.get("BATON_TOKEN"),
                        help="an API token of a user with the Integrations role ($BATON_TOKEN)")
    parser.add_argument("--topic", default="order-total", help="the topic to work on")
    parser.add_argument("--worker-id", default=f"{socket.gethostname()}-{os.getpid()}")
    parser.add_argument("--max-tasks", type=int, help="stop after this many tasks (default: never)")
    args = parser.parse_args(argv)
    if not args.token:
        parser.error("give --token or set BATON_TOKEN")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    log.info("worker %s waits for tasks of %r at %s", args.worker_id, args.topic, args.url)
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl+C stops the worker quietly
        work(Baton(args.url, args.token), args.worker_id, args.topic, args.max_tasks)


if __name__ == "__main__":
    main()
