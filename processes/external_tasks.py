"""External tasks: service tasks done by remote workers that fetch and lock them by topic.

This is Camunda's pattern. An external task is the job row the engine writes for a service
task with ``type="external"`` (kind ``engine.external``). A worker locks it for a while
under its worker id; only that worker may report the outcome, and only before the lock
expires. An expired lock returns the task to the pool; a failure with retries left returns
it after a timeout; a failure with none left opens an incident.

Each function is one transaction, for the REST API and any other adapter. Reports that move
the instance lock its row first and the task's row second, as every engine command does, so
a report and, say, a cancellation of the instance never wait for each other in a cycle.
"""

import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from processes.instances import run_command
from processes.jobs.engine_jobs import variables_seen
from processes.models import Job
from processes.models.jobs import EXTERNAL_TASK

# The longest a fetch waits for tasks to appear (Camunda's asyncResponseTimeout).
MAX_WAIT_MS = 30_000
# The longest lock or retry timeout: longer than any sensible one, and it keeps every
# expiry time a valid timestamp.
MAX_DURATION_MS = 30 * 24 * 3600 * 1000


class ExternalTaskError(Exception):
    """A worker's request that cannot be carried out; the message says why."""


class TaskNotFound(ExternalTaskError):
    """No external task has this id: it never existed, or it is done."""


class LockNotHeld(ExternalTaskError):
    """The worker holds no live lock on the task: another does, or its lock expired."""


@dataclass(frozen=True)
class Topic:
    """What a worker asks for: tasks of ``name``, locked for ``lock_duration_ms``.

    ``variables`` names the variables to hand out with each task; None means all of them.
    """

    name: str
    lock_duration_ms: int
    variables: list[str] | None = None


def available(topic_names, now):
    """External tasks of the topics, due, with retries left, that no live lock holds."""
    return Job.objects.filter(
        kind=EXTERNAL_TASK, topic__in=topic_names, due_at__lte=now, retries_left__gt=0
    ).filter(Q(locked_until__isnull=True) | Q(locked_until__lte=now))


@transaction.atomic
def fetch_and_lock(worker_id: str, topics: list[Topic], max_tasks: int) -> list[Job]:
    """Lock up to ``max_tasks`` available tasks of ``topics`` for ``worker_id``, oldest first.

    On PostgreSQL, SKIP LOCKED passes over the rows a concurrent fetch is locking, so
    workers neither wait for each other nor get the same task; SQLite's IMMEDIATE
    transactions run fetches one at a time. Each task returned carries ``variables``: the
    ones its topic asks for, as its token sees them.
    """
    now = timezone.now()
    by_name = {topic.name: topic for topic in topics}
    picked = list(
        available(list(by_name), now).order_by("due_at", "pk")
        .select_for_update(skip_locked=True, of=("self",))
        .values_list("pk", "topic")[:min(max_tasks, settings.EXTERNAL_TASK_MAX_TASKS)]
    )
    for topic in by_name.values():
        ids = [pk for pk, name in picked if name == topic.name]
        if ids:
            until = now + timedelta(milliseconds=topic.lock_duration_ms)
            Job.objects.filter(pk__in=ids).update(locked_by=worker_id, locked_until=until)
    tasks = list(
        Job.objects.filter(pk__in=[pk for pk, _ in picked])
        .select_related("instance__definition").order_by("due_at", "pk")
    )
    for task in tasks:
        seen = variables_seen(task.instance, task.token_id)
        task.variables = requested(seen, by_name[task.topic].variables)
    return tasks


def wait_and_lock(worker_id: str, topics: list[Topic], max_tasks: int,
                  timeout_ms: int) -> list[Job]:
    """Fetch and lock, waiting up to ``timeout_ms`` (30 s at most) for tasks to appear.

    Between attempts it holds no transaction and no lock. Each attempt first looks with a
    plain read, so an idle worker does not take SQLite's write lock every few moments.
    """
    names = [topic.name for topic in topics]
    deadline = time.monotonic() + min(timeout_ms, MAX_WAIT_MS) / 1000
    while True:
        if available(names, timezone.now()).exists():
            tasks = fetch_and_lock(worker_id, topics, max_tasks)
            if tasks:
                return tasks
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return []
        time.sleep(min(settings.EXTERNAL_TASK_POLL_INTERVAL_MS / 1000, remaining))


def requested(variables: dict, names: list[str] | None) -> dict:
    """Return the variables named (all of them for None); names not set are left out."""
    if names is None:
        return dict(variables)
    return {name: variables[name] for name in names if name in variables}


@transaction.atomic
def complete(task_id: int, worker_id: str, variables: dict | None = None) -> None:
    """Report the task done: its token moves on, with ``variables`` set."""
    task = find(task_id)
    run_command(
        task.instance_id,
        lambda engine, state: engine.complete_job(state, task.token_id, dict(variables or {})),
        check=lambda: take(task_id, worker_id),
    )


@transaction.atomic
def fail(task_id: int, worker_id: str, error_message: str, error_details: str = "", *,
         retries: int, retry_timeout_ms: int = 0) -> Job:
    """Report a failed attempt: with ``retries`` left, the task returns after the timeout.

    With none left, an incident holds the token until someone retries it.
    """
    task = find(task_id)

    def record():
        failed = held(task_id, worker_id)
        Job.objects.filter(pk=task_id).update(
            retries_left=retries, last_error=error_message, attempts=failed.attempts + 1,
            payload={**failed.payload, "error_details": error_details},
            due_at=timezone.now() + timedelta(milliseconds=retry_timeout_ms),
            locked_by="", locked_until=None,
        )

    if retries > 0:
        record()
    else:
        run_command(
            task.instance_id,
            lambda engine, state: engine.open_incident(state, task.token_id, error_message),
            check=record,
        )
    return find(task_id)


@transaction.atomic
def throw_bpmn_error(task_id: int, worker_id: str, error_code: str, error_message: str = "",
                     variables: dict | None = None) -> None:
    """Throw a BPMN error at the task: an error boundary event catches it, or an incident."""
    task = find(task_id)
    run_command(
        task.instance_id,
        lambda engine, state: engine.throw_error(
            state, task.token_id, error_code, error_message or None, dict(variables or {})
        ),
        check=lambda: take(task_id, worker_id),
    )


@transaction.atomic
def extend_lock(task_id: int, worker_id: str, new_duration_ms: int) -> Job:
    """Lock the task for ``new_duration_ms`` from now: a slow worker says so in time."""
    held(task_id, worker_id)
    until = timezone.now() + timedelta(milliseconds=new_duration_ms)
    Job.objects.filter(pk=task_id).update(locked_until=until)
    return find(task_id)


@transaction.atomic
def unlock(task_id: int) -> Job:
    """Release the task, whoever holds it: it returns to the pool at once."""
    find(task_id, lock=True)
    Job.objects.filter(pk=task_id).update(locked_by="", locked_until=None)
    return find(task_id)


def find(task_id: int, lock: bool = False) -> Job:
    """Return the external task ``task_id`` with its instance and definition."""
    tasks = Job.objects.filter(pk=task_id, kind=EXTERNAL_TASK)
    if lock:
        tasks = tasks.select_for_update(of=("self",))
    task = tasks.select_related("instance__definition").first()
    if task is None:
        raise TaskNotFound(f"External task {task_id} does not exist or is already done.")
    return task


def held(task_id: int, worker_id: str) -> Job:
    """Lock the task's row and return it if ``worker_id`` holds a live lock on it."""
    task = find(task_id, lock=True)
    now = timezone.now()
    if task.locked_until is not None and task.locked_until > now:
        if task.locked_by == worker_id:
            return task
        raise LockNotHeld(f"External task {task_id} is locked by worker {task.locked_by!r}.")
    if task.locked_until is not None and task.locked_by == worker_id:
        raise LockNotHeld(
            f"The lock of worker {worker_id!r} on external task {task_id} expired at "
            f"{task.locked_until.isoformat()}; fetch and lock it again."
        )
    raise LockNotHeld(
        f"External task {task_id} is not locked by worker {worker_id!r}; fetch and lock it first."
    )


def take(task_id: int, worker_id: str) -> None:
    """Delete the task its worker reports on, before the engine runs, as the executor does.

    The engine may schedule the element again for the same token (a loop back to it); the
    new task must not go with the old one.
    """
    held(task_id, worker_id)
    Job.objects.filter(pk=task_id).delete()
