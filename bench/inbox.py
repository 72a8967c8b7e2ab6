"""Inbox: the worklist pages with 100,000 open tasks, server time per request.

One instance of a one-user-task process is started through the engine, then PostgreSQL
copies its rows set-wise into 100,000 instances whose tasks are offered to the Employees
group (due dates over 30 days, one task in fifty assigned to the measured user): the rows
are the engine's own, made in seconds rather than minutes. Then the pages an employee opens
are requested through Django's test client, so the time is the server's alone: My tasks,
Group tasks, Group tasks filtered by text and sorted by priority, overdue tasks.
Target (issue 6): under 100 ms. Run: `python -m bench.inbox` (PostgreSQL via `make bench`);
BENCH_TASKS sets the number of tasks.
"""

import os
import time

from bench.django_setup import setup, timed_get

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


COPY = """
WITH source AS (SELECT * FROM processes_processinstance LIMIT 1),
instances AS (
  INSERT INTO processes_processinstance (definition_id, business_key, state, variables, tokens,
    compensable, next_seq, started_by_id, started_at, ended_at, version, parent_id,
    parent_token_id, parent_element_id)
  SELECT definition_id, 'B-' || n, state, variables, tokens, compensable, next_seq, NULL,
    started_at, NULL, 1, NULL, NULL, ''
  FROM source, generate_series(1, %(count)s) AS n RETURNING id
),
numbered AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM instances),
tasks AS (
  INSERT INTO processes_task (instance_id, definition_id, token_id, activity_seq, element_id,
    name, state, assignee, owner, delegation, priority, due_at, follow_up_at, created_at,
    claimed_at, completed_at, completed_by)
  SELECT numbered.id, t.definition_id, t.token_id, t.activity_seq, t.element_id, t.name,
    'open', CASE WHEN numbered.n %% 50 = 0 THEN 'clerk' ELSE '' END, '', '',
    (numbered.n %% 100)::int, now() + make_interval(days => (numbered.n %% 30)::int - 3),
    NULL, now(), NULL, NULL, ''
  FROM numbered, (SELECT * FROM processes_task LIMIT 1) AS t RETURNING id
)
INSERT INTO processes_taskcandidate (task_id, kind, name)
SELECT id, 'group', 'Employees' FROM tasks
"""


def prepare():
    from django.contrib.auth.models import Group, User
    from django.db import connection

    from processes.deployments import deploy
    from processes.instances import start_instance

    definition = deploy(ONE_TASK.encode(), name="one-task.bpmn").definitions[0]
    start_instance(definition, variables={"due": "P1D", "priority": 50})
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(COPY, {"count": TASKS - 1})
    print(f"{TASKS} open tasks in {time.perf_counter() - started:.1f} s")
    clerk = User.objects.create_user("clerk")
    clerk.groups.add(Group.objects.get(name="Employees"))
    return clerk


def main():
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    setup()
    if os.environ["DATABASE_URL"].startswith("sqlite"):
        raise SystemExit("bench.inbox needs PostgreSQL (DATABASE_URL).")
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
        median, p95 = timed_get(client, url, runs=30, warmups=3)
        print(f"{label}: median {median * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms (target < 100 ms)")


if __name__ == "__main__":
    main()
