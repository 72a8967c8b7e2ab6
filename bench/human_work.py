"""Human work: tasks completed through the REST API by 8 concurrent clients against gunicorn.

Instances of a 3-user-task process are started up front, spread over 8 teams; each client
is a clerk of one team working through the team's queue as an integration would: it lists
the open tasks offered to its team (a page of up to 100) and completes them one by one,
then lists again, where the next task of each instance has appeared. Prints task
completions per second and the p50 and p99 latency of the completion requests. Target (issue 4): >= 150 completions/s, p99 < 250 ms
on the 2-core machine. Run: `python -m bench.human_work` (PostgreSQL via `make bench`).
"""

import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request

from bench.django_setup import setup

CLIENTS = 8
INSTANCES = 2000
THREE_TASKS = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:baton="http://baton-bpm.org/schema/1.0/bpmn" id="d" targetNamespace="t">
  <process id="three_tasks" isExecutable="true">
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="t1"/>
    <userTask id="t1" name="Check" baton:candidateGroups="${team}"/>
    <sequenceFlow id="f2" sourceRef="t1" targetRef="t2"/>
    <userTask id="t2" name="Approve" baton:candidateGroups="${team}"/>
    <sequenceFlow id="f3" sourceRef="t2" targetRef="t3"/>
    <userTask id="t3" name="Archive" baton:candidateGroups="${team}"/>
    <sequenceFlow id="f4" sourceRef="t3" targetRef="end"/>
    <endEvent id="end"/>
  </process>
</definitions>
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare():
    from django.contrib.auth.models import Group, User
    from django.db import connection

    from accounts.tokens import create_token
    from processes.deployments import deploy
    from processes.instances import start_instance
    from processes.models import Task

    definition = deploy(THREE_TASKS.encode(), name="three.bpmn").definitions[0]
    for n in range(INSTANCES):
        start_instance(definition, variables={"team": f"team{n % CLIENTS}"})
    employees = Group.objects.get(name="Employees")
    tokens = []
    for n in range(CLIENTS):
        clerk = User.objects.create_user(f"clerk{n}")
        clerk.groups.add(employees, Group.objects.create(name=f"team{n}"))
        tokens.append(create_token(clerk))
    assert Task.objects.filter(state="open").count() == INSTANCES
    connection.close()
    return tokens


def call(url, token, method="GET", body=None):
    request = urllib.request.Request(url, method=method, data=json.dumps(body).encode() if body is not None else None)
    request.add_header("Authorization", f"Token {token}")
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, json.loads(response.read() or b"null")


def client(base, token, team, latencies, refused, stop_at):
    """Work through the team's queue until time is up."""
    queue_url = f"{base}/api/v1/tasks/?state=open&candidate_group={team}&page_size=100"
    while time.monotonic() < stop_at:
        _, page = call(queue_url, token)
        if not page["results"]:
            return
        for task in page["results"]:
            if time.monotonic() >= stop_at:
                return
            started = time.perf_counter()
            try:
                call(f"{base}/api/v1/tasks/{task['id']}/complete/", token, "POST", {"variables": {}})
            except urllib.error.HTTPError as error:
                refused.append(error.code)
                continue
            latencies.append(time.perf_counter() - started)


def main():
    setup()
    tokens = prepare()
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "bpm.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", "3", "--threads", "1", "--log-level", "warning"],
        env={**os.environ}, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/accounts/login/", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        latencies, refused = [], []
        seconds = float(os.environ.get("BENCH_SECONDS", "20"))
        stop_at = time.monotonic() + seconds
        threads = [
            threading.Thread(target=client, args=(base, token, f"team{n}", latencies, refused, stop_at))
            for n, token in enumerate(tokens)
        ]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(10)
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99) - 1] if latencies else float("nan")
    print(f"{len(latencies)} task completions in {elapsed:.1f} s by {CLIENTS} clients: "
          f"{len(latencies) / elapsed:.0f}/s (target >= 150/s)")
    print(f"completion latency: p50 {statistics.median(latencies) * 1000:.0f} ms, "
          f"p99 {p99 * 1000:.0f} ms (target < 250 ms); refused: {len(refused)}")


if __name__ == "__main__":
    main()
