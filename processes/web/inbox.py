"""Pages for people doing the work: the worklists and the task page.

What a user may see is decided by ``processes.access``: another user's task answers 404,
and every action checks again on the server.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from processes.access import held_by_someone_else, visible_tasks
from processes.diagrams import definition_svg, highlight
from processes.history import history_events
from processes.instances import InstanceError, claim_task, complete_task, form_fields
from processes.models import ProcessDefinition, Task
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
