"""The employee's worklists: tasks of mine, tasks offered to me, tasks I completed.

Each list is one indexed query over open tasks; filters and sorting are applied to it, and
the navigation's counts come from the same querysets, so a page and its counts agree.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from processes.access import candidate_filter, sees_all_work
from processes.models import Task

VIEWS = ("mine", "group", "done")
SORTS = {
    "due": ("due_at", "-priority", "pk"),
    "priority": ("-priority", "due_at", "pk"),
    "created": ("-created_at", "pk"),
    "name": ("name", "pk"),
}
DUE_SOON = timedelta(days=1)


def tasks_for(user, view: str):
    """The tasks of one worklist: ``mine`` (assigned to me), ``group`` (offered to me and
    still unassigned), ``done`` (completed by me)."""
    name = user.get_username()
    tasks = Task.objects.select_related("definition", "instance")
    if view == "done":
        return tasks.filter(state=Task.State.COMPLETED, completed_by=name)
    tasks = tasks.filter(state=Task.State.OPEN)
    if view == "mine":
        return tasks.filter(assignee=name)
    unassigned = tasks.filter(assignee="")
    return unassigned if sees_all_work(user) else unassigned.filter(candidate_filter(user))


def filtered(tasks, params, now=None):
    """Apply the page's filters: process, due (overdue, today, week), priority, text."""
    now = now or timezone.now()
    if params.get("process"):
        tasks = tasks.filter(definition__key=params["process"])
    due = params.get("due")
    if due == "overdue":
        tasks = tasks.filter(due_at__lt=now)
    elif due == "today":
        tasks = tasks.filter(due_at__lt=now.replace(hour=23, minute=59, second=59))
    elif due == "week":
        tasks = tasks.filter(due_at__lt=now + timedelta(days=7))
    if str(params.get("priority", "")).isdigit():
        tasks = tasks.filter(priority__gte=int(params["priority"]))
    text = (params.get("q") or "").strip()
    if text:
        tasks = tasks.filter(
            Q(name__icontains=text) | Q(instance__business_key__icontains=text)
            | Q(definition__name__icontains=text)
        )
    return tasks


def sorted_by(tasks, sort: str | None, view: str):
    if view == "done" and sort not in SORTS:
        return tasks.order_by("-completed_at", "pk")
    return tasks.order_by(*SORTS.get(sort or "due", SORTS["due"]))


def urgency(task, now=None) -> str:
    """``overdue``, ``due-soon`` (within a day) or an empty string, for the page to show."""
    now = now or timezone.now()
    if task.state != Task.State.OPEN or task.due_at is None:
        return ""
    if task.due_at < now:
        return "overdue"
    return "due-soon" if task.due_at < now + DUE_SOON else ""


COUNT_CAP = 99


def counts(user) -> dict[str, str]:
    """Open tasks of mine and offered to me, for the navigation: "99+" beyond 99.

    Counting stops at the cap, so a group with 100,000 open tasks costs no more than one
    with a hundred.
    """
    return {view: _capped(tasks_for(user, view)) for view in ("mine", "group")}


def _capped(tasks) -> str:
    found = tasks.order_by()[:COUNT_CAP + 1].count()
    return f"{COUNT_CAP}+" if found > COUNT_CAP else str(found)


@dataclass
class Page:
    """One page of a worklist, without counting the whole list (which can be long)."""

    rows: list
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def page_of(tasks, number, size: int) -> Page:
    """Fetch page ``number`` and one row more, to know whether another page follows."""
    number = int(number) if str(number or "").isdigit() and int(number) > 0 else 1
    start = (number - 1) * size
    rows = list(tasks[start:start + size + 1])
    return Page(rows[:size], number, len(rows) > size)
