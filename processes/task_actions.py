"""What people do to a task besides claiming and completing it.

Unclaim, delegate, resolve and reassign each run in one transaction under a row lock on
the task, as ``claim_task`` does, so of two concurrent changes one waits for the other and
then sees what it did. Each checks who may act here, on the server, whatever the caller
already checked: the assignee acts on their task, operators on any, managers reassign.

Delegation follows Camunda: the delegator becomes the task's owner, the delegate its
assignee, and the delegation is "pending" until the delegate resolves it, which gives the
task back to the owner ("resolved"); a pending task cannot be completed.
"""

import mimetypes
from pathlib import PurePath

from django.conf import settings
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

import webhooks.events
from accounts.roles import capability
from processes.access import held_by_someone_else, sees_all_work, visible_tasks
from processes.instances import DelegationPending, InstanceError, TaskNotOpen
from processes.models import Task, TaskAttachment, TaskComment
from processes.notifications import task_assigned


class NotAllowed(InstanceError):
    """The user may not do this to the task."""


class NotDelegated(InstanceError):
    """Only a pending delegation can be resolved."""


class InvalidInput(InstanceError):
    """A value the action cannot take; ``field`` names it for the form or the API."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


@transaction.atomic
def unclaim(task_id: int, by) -> Task:
    """Give an assigned task back to its candidates."""
    task = _open_task(task_id, by)
    if not task.assignee:
        return task
    if held_by_someone_else(by, task):
        raise NotAllowed(f"Task {task.pk} is assigned to {task.assignee}, not to you.")
    if task.delegation == Task.Delegation.PENDING:
        raise DelegationPending(f"Task {task.pk} is delegated: resolve it back to its owner.")
    task.assignee, task.claimed_at = "", None
    task.save(update_fields=["assignee", "claimed_at"])
    return task


@transaction.atomic
def delegate(task_id: int, to_user, by) -> Task:
    """Hand a task to a colleague who will resolve it back to ``by``, its owner.

    A delegate who delegates further keeps the original owner, as in Camunda, so the task
    always comes back to whoever delegated it first.
    """
    task = _open_task(task_id, by)
    if held_by_someone_else(by, task):
        raise NotAllowed(f"Task {task.pk} is assigned to {task.assignee}, not to you.")
    _check_receiver(to_user, by)
    if task.delegation != Task.Delegation.PENDING:
        task.owner = by.get_username()
    task.assignee, task.claimed_at = to_user.get_username(), timezone.now()
    task.delegation = Task.Delegation.PENDING
    task.save(update_fields=["owner", "assignee", "claimed_at", "delegation"])
    task_assigned(task, task.assignee, by=by)
    webhooks.events.task_assigned(task)
    return task


@transaction.atomic
def resolve(task_id: int, by) -> Task:
    """Give a delegated task back to its owner, done."""
    task = _open_task(task_id, by)
    if task.delegation != Task.Delegation.PENDING:
        raise NotDelegated(f"Task {task.pk} is not delegated, so there is nothing to resolve.")
    if held_by_someone_else(by, task):
        raise NotAllowed(f"Task {task.pk} is delegated to {task.assignee}, not to you.")
    task.assignee, task.claimed_at = task.owner, timezone.now()
    task.delegation = Task.Delegation.RESOLVED
    task.save(update_fields=["assignee", "claimed_at", "delegation"])
    task_assigned(task, task.assignee, by=by)
    webhooks.events.task_assigned(task)
    return task


@transaction.atomic
def reassign(task_id: int, to_user, by) -> Task:
    """Make ``to_user`` the assignee of a task, whoever held it: a manager's decision.

    A pending delegation ends with it: the new assignee holds the task outright.
    """
    if not may_reassign(by):
        raise NotAllowed("Only managers and administrators may reassign tasks.")
    task = _open_task(task_id)
    _check_receiver(to_user, by, yourself_ok=True)
    task.assignee, task.claimed_at = to_user.get_username(), timezone.now()
    task.delegation = ""
    task.save(update_fields=["assignee", "claimed_at", "delegation"])
    task_assigned(task, task.assignee, by=by)
    webhooks.events.task_assigned(task)
    return task


def may_reassign(user) -> bool:
    """Managers (reassign_tasks) and operators may give anyone's task to someone else."""
    return user.has_perm(capability("reassign_tasks")) or sees_all_work(user)


@transaction.atomic
def add_comment(task_id: int, user, text: str) -> TaskComment:
    """Add a note to a task the user may see, open or closed."""
    task = _visible_task(task_id, user)
    text = (text or "").strip()
    if not text:
        raise InvalidInput("text", "A comment needs some text.")
    return TaskComment.objects.create(task=task, author=user.get_username(), text=text)


@transaction.atomic
def add_attachment(task_id: int, user, upload) -> TaskAttachment:
    """Store an uploaded file with a task the user may see, within the configured limits.

    The content type is guessed from the checked extension, never taken from the browser,
    so a file is served back as what its name says.
    """
    task = _visible_task(task_id, user)
    name = PurePath(upload.name or "").name
    check_upload(name, upload.size)
    attachment = TaskAttachment(
        task=task, uploaded_by=user.get_username(), name=name, size=upload.size,
        content_type=mimetypes.guess_type(name)[0] or "application/octet-stream",
    )
    attachment.file.save(name, upload, save=False)
    try:
        attachment.save()
    except Exception:
        attachment.file.delete(save=False)  # no row would ever point to the stored file
        raise
    return attachment


def check_upload(name: str, size: int, field: str = "file") -> None:
    """Refuse a file over the size limit or of a type not accepted (attachments, form files)."""
    limit = settings.TASK_ATTACHMENT_MAX_BYTES
    if size > limit:
        raise InvalidInput(field, f"The file is {filesizeformat(size)}; the limit is "
                                  f"{filesizeformat(limit)} (at most {limit} bytes).")
    allowed = [t.lower() for t in settings.TASK_ATTACHMENT_TYPES]
    if PurePath(name).suffix.lower() not in allowed:
        raise InvalidInput(
            field, f"Files of this type are not accepted; allowed are {', '.join(allowed)}."
        )


def _check_receiver(to_user, by, *, yourself_ok=False) -> None:
    """Refuse to hand a task to someone who could not work on it."""
    if not yourself_ok and to_user.pk == by.pk:
        raise InvalidInput("user", "You cannot delegate a task to yourself.")
    if not to_user.is_active or not to_user.has_perm(capability("work_on_tasks")):
        raise InvalidInput("user", f"{to_user.get_username()} cannot work on tasks.")


def _open_task(task_id: int, by=None) -> Task:
    """Lock an open task; with ``by``, one that ``by`` may see."""
    task = Task.objects.select_for_update().get(pk=task_id)
    if by is not None and not visible_tasks(by).filter(pk=task_id).exists():
        raise NotAllowed(f"You cannot see task {task_id}.")
    if task.state != Task.State.OPEN:
        raise TaskNotOpen(f"Task {task.pk} is already {task.state}.")
    return task


def _visible_task(task_id: int, user) -> Task:
    task = visible_tasks(user).filter(pk=task_id).first()
    if task is None:
        raise NotAllowed(f"You cannot see task {task_id}.")
    return task
