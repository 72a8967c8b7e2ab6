"""Pages for people doing the work: the worklists and the task page.

What a user may see is decided by ``processes.access``: another user's task answers 404,
and every action checks again on the server.
"""

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from processes.access import held_by_someone_else, visible_tasks
from processes.diagrams import definition_svg, highlight
from processes.history import history_events
from processes.instances import InstanceError, claim_task, complete_task, form_fields
from processes.models import ProcessDefinition, Task
from processes.task_actions import (
    add_attachment,
    add_comment,
    delegate,
    may_reassign,
    reassign,
    resolve,
    unclaim,
)
from processes.worklist import SORTS, VIEWS, filtered, page_of, sorted_by, tasks_for, urgency

PAGE_SIZE = 25
TITLES = {"mine": "My tasks", "group": "Group tasks", "done": "Completed by me"}


def inbox(request, view="mine"):
    """One worklist, filtered, sorted and paginated; overdue and due-soon tasks stand out."""
    if view not in VIEWS:
        raise Http404
    tasks = sorted_by(filtered(tasks_for(request.user, view), request.GET), request.GET.get("sort"), view)
    page = page_of(tasks, request.GET.get("page"), PAGE_SIZE)
    rows = [(task, urgency(task)) for task in page.rows]
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "processes/inbox.html", {
        "view": view, "title": TITLES[view], "page": page, "rows": rows,
        "query": query.urlencode(), "sorts": SORTS,
        "processes": ProcessDefinition.objects.latest_versions().order_by("name", "key"),
        "filters": request.GET,
    })


def visible_task(user, pk) -> Task:
    task = visible_tasks(user).select_related("definition", "instance").filter(pk=pk).first()
    if task is None:
        raise Http404("No such task, or not one of yours.")
    return task


def task_detail(request, pk):
    """The task: its form, its process context, the diagram, the history."""
    task = visible_task(request.user, pk)
    return render(request, "processes/task_detail.html", task_context(request, task))


def task_context(request, task, form=None) -> dict:
    from processes.web.model_forms import form_class

    mine = task.state == Task.State.OPEN and task.assignee == request.user.get_username()
    fields = form_fields(task)
    if form is None and mine:
        form = form_class(fields, task.instance.variables)()
    return {
        "task": task, "urgency": urgency(task), "mine": mine, "form": form,
        "shown": [(f.label or f.id, task.instance.variables.get(f.id)) for f in fields if f.readonly],
        "svg": highlight(definition_svg(task.definition), [task.element_id], "current"),
        "history": history_events(task.instance),
        "may_reassign": may_reassign(request.user),
        "comments": task.comments.order_by("created_at"),
        "attachments": task.attachments.order_by("created_at"),
    }


@require_POST
def claim(request, pk):
    task = visible_task(request.user, pk)
    try:
        claim_task(task.pk, request.user)
    except InstanceError as error:
        messages.error(request, str(error))
    return redirect("task-detail", pk=task.pk)


@require_POST
def complete(request, pk):
    """Check the form on the server; on success the instance moves on."""
    from processes.web.model_forms import form_class

    task = visible_task(request.user, pk)
    if task.assignee != request.user.get_username() or held_by_someone_else(request.user, task):
        messages.error(request, "Claim the task before completing it.")
        return redirect("task-detail", pk=task.pk)
    form = form_class(form_fields(task), task.instance.variables)(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "processes/task_detail.html", task_context(request, task, form), status=400)
    try:
        complete_task(task.pk, variables=form.variables(), user=request.user)
    except InstanceError as error:
        messages.error(request, str(error))
        return redirect("task-detail", pk=task.pk)
    messages.success(request, f"“{task.name or task.element_id}” is done.")
    return redirect("inbox")


def _acted(request, task, action, done: str):
    """Run a task action; say what happened, or why not, and return to the task."""
    try:
        action()
    except InstanceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return redirect("task-detail", pk=task.pk)


def _hand_over(request, task, action, done: str):
    """Hand the task to the colleague the form names (``done`` may say ``{user}``)."""
    name = request.POST.get("user", "").strip()
    to_user = User.objects.filter(username=name, is_active=True).first()
    if to_user is None:
        messages.error(request, "Name a colleague by their username.")
        return redirect("task-detail", pk=task.pk)
    return _acted(request, task, lambda: action(task.pk, to_user, request.user), done.format(user=name))


@require_POST
def unclaim_view(request, pk):
    task = visible_task(request.user, pk)
    return _acted(request, task, lambda: unclaim(task.pk, request.user), "The task is back in its group.")


@require_POST
def delegate_view(request, pk):
    task = visible_task(request.user, pk)
    return _hand_over(request, task, delegate, "Delegated to {user}; it comes back to you when resolved.")


@require_POST
def resolve_view(request, pk):
    task = visible_task(request.user, pk)
    return _acted(request, task, lambda: resolve(task.pk, request.user), "Resolved: back to its owner.")


@require_POST
def reassign_view(request, pk):
    if not may_reassign(request.user):
        raise PermissionDenied("Only managers and administrators may reassign tasks.")
    task = Task.objects.filter(pk=pk).first()
    if task is None:
        raise Http404
    return _hand_over(request, task, reassign, "Reassigned to {user}.")


@require_POST
def comment_view(request, pk):
    task = visible_task(request.user, pk)
    return _acted(request, task, lambda: add_comment(task.pk, request.user, request.POST.get("text", "")),
                  "Comment added.")


@require_POST
def attach_view(request, pk):
    task = visible_task(request.user, pk)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "Choose a file to attach.")
        return redirect("task-detail", pk=task.pk)
    return _acted(request, task, lambda: add_attachment(task.pk, request.user, upload),
                  f"Attached {upload.name}.")


def attachment_view(request, pk, attachment_id):
    """Send an attachment to someone who may see its task, never as a public file."""
    task = visible_task(request.user, pk)
    attachment = task.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name,
                        content_type=attachment.content_type)
