"""E-mails about tasks: to the person a task is assigned to, and when a task is overdue.

Every e-mail is a "mail.send" job written in the transaction that assigns the task, so it
goes only if that transaction commits, is sent outside any database transaction, and is
retried on its own when the mail server refuses it (see ``processes.jobs.handlers``).

Overdue tasks need no periodic scan: a task created with a due date gets one
"tasks.overdue" job due at that moment. When it fires it mails the assignee (or, for an
unassigned task, its candidate users and the members of its candidate groups) if the task
is still open, and the job is deleted in that same transaction, so each task is reported
overdue once, also across worker restarts. A task closed in time finds nothing to report.

Users who turned task e-mails off (``accounts.NotificationPreference``), inactive users and
users without an address get none; nobody is told about what they did themselves.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from processes.jobs.queue import schedule
from processes.jobs.registry import register
from processes.models import Task, TaskCandidate

OVERDUE = "tasks.overdue"


def tasks_created(tasks) -> None:
    """Tell the assignees of new tasks, and watch the due dates of those that have one."""
    for task in tasks:
        if task.assignee:
            task_assigned(task, task.assignee)
        if task.due_at:
            schedule(OVERDUE, {"task": task.pk}, due_at=task.due_at)


def task_assigned(task: Task, username: str, by=None) -> None:
    """Mail ``username`` that ``task`` is now theirs (unless they gave it to themselves)."""
    if by is not None and by.get_username() == username:
        return
    subject = f"Task assigned to you: {_title(task)}"
    intro = f"{by.get_username()} assigned you a task." if by else "A task was assigned to you."
    _mail([username], subject, f"{intro}\n\n{_details(task)}")


def report_overdue(job, performed) -> None:
    """Mail the people a still-open task waits for that its due date has passed."""
    task = Task.objects.filter(pk=job.payload["task"], state=Task.State.OPEN).first()
    if task is None:
        return
    subject = f"Task overdue: {_title(task)}"
    _mail(_waiting_on(task), subject, f"This task is past its due date.\n\n{_details(task)}")


def _waiting_on(task: Task) -> list[str]:
    """The assignee, or everyone the unassigned task is offered to."""
    if task.assignee:
        return [task.assignee]
    candidates = list(task.candidates.values_list("kind", "name"))
    users = [name for kind, name in candidates if kind == TaskCandidate.Kind.USER]
    groups = [name for kind, name in candidates if kind == TaskCandidate.Kind.GROUP]
    members = get_user_model().objects.filter(groups__name__in=groups)
    return list(dict.fromkeys(users + list(members.values_list("username", flat=True))))


def _mail(usernames, subject: str, body: str) -> None:
    """Write one "mail.send" job per willing recipient, so no one sees the others' address."""
    for address in _addresses(usernames):
        schedule("mail.send", {"subject": subject, "body": body, "to": [address]})


def _addresses(usernames) -> list[str]:
    users = get_user_model().objects.filter(username__in=usernames, is_active=True)
    users = users.exclude(email="").exclude(notification_preference__task_emails=False)
    return list(users.order_by("username").values_list("email", flat=True))


def _title(task: Task) -> str:
    return task.name or task.element_id


def _details(task: Task) -> str:
    definition = task.definition
    lines = [f"Task: {_title(task)} (#{task.pk})",
             f"Process: {definition.name or definition.key}"]
    if task.instance.business_key:
        lines.append(f"Business key: {task.instance.business_key}")
    if task.due_at:
        lines.append(f"Due: {task.due_at:%Y-%m-%d %H:%M %Z}")
    lines.append(f"Open it: {settings.SITE_URL}{reverse('task-detail', args=[task.pk])}")
    return "\n".join(lines)


register(OVERDUE, commit=report_overdue)
