"""Inbox: the worklist pages with 100,000 open tasks, server time per request.

100,000 instances of a one-user-task process are started (their tasks offered to the
Employees group, one in fifty assigned to the measured user), then the pages an employee
opens are requested through Django's test client, so the time is the server's alone:
My tasks, Group tasks, Group tasks filtered by text and sorted by priority.
Target (issue 6): under 100 ms. Run: `python -m bench.inbox` (PostgreSQL via `make bench`);
BENCH_TASKS sets the number of tasks.
"""

import os
import statistics
import time

from bench.django_setup import setup

TASKS = int(os.environ.get("BENCH_TASKS", "100000"))
ONE_TASK = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:baton="http://baton-bpm.org/schema/1.0/bpmn" id="d" targetNamespace="t">
  <process id="one_task" name="One task" isExecutable="true">
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="review"/>
    <userTask id="review" name="Review" baton:candidateGroups="Employees"
              baton:dueDate="${due}" baton:priority="${priority}"/>
    <sequenceFlow id="f2" sourceRef="review" targetRef="end"/>
    <endEvent id="end"/>
  </process>
</definitions>
"""


def prepare():
    from django.contrib.auth.models import Group, User

    from processes.deployments import deploy
    from processes.instances import start_instance
    from processes.models import Task

    definition = deploy(ONE_TASK.encode(), name="one-task.bpmn").definitions[0]
    started = time.perf_counter()
    for n in range(TASKS):
        start_instance(definition, business_key=f"B-{n}",
                       variables={"due": f"P{n % 30}D", "priority": n % 100})
    print(f"{TASKS} open tasks created in {time.perf_counter() - started:.0f} s")
    clerk = User.objects.create_user("clerk")
    clerk.groups.add(Group.objects.get(name="Employees"))
    mine = Task.objects.order_by("pk").values_list("pk", flat=True)[::50]
    Task.objects.filter(pk__in=list(mine)).update(assignee="clerk")
    return clerk


def timed(client, url, runs=30):
    for _ in range(3):
        assert client.get(url).status_code == 200
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(url)
        times.append(time.perf_counter() - started)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def main():
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    setup()
    from django.db import connection
    from django.test import Client

    clerk = prepare()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")
    client = Client()
    client.force_login(clerk)
    for label, url in [
        ("My tasks", "/tasks/"),
        ("Group tasks", "/tasks/group/"),
        ("Group tasks, text filter, by priority", "/tasks/group/?q=B-99&sort=priority"),
        ("Group tasks, overdue", "/tasks/group/?due=overdue"),
    ]:
        median, p95 = timed(client, url)
        print(f"{label}: median {median * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms (target < 100 ms)")


if __name__ == "__main__":
    main()
