"""Who may see and act on which instances and tasks; pages and API share these rules."""

from django.db.models import Exists, OuterRef, Q

from accounts.roles import capability
from processes.models import ProcessInstance, Task, TaskCandidate


def sees_all_work(user) -> bool:
    """Operators see every task and instance."""
    return user.has_perm(capability("operate_instances"))


def candidate_filter(user) -> Q:
    """Tasks offered to ``user``: as a candidate user or through one of their groups."""
    groups = list(user.groups.values_list("name", flat=True))
    offered = TaskCandidate.objects.filter(task=OuterRef("pk")).filter(
        Q(kind=TaskCandidate.Kind.USER, name=user.get_username())
        | Q(kind=TaskCandidate.Kind.GROUP, name__in=groups)
    )
    return Q(Exists(offered))


def visible_tasks(user):
    """Tasks ``user`` may see: assigned to, owned by or offered to them (all, for operators)."""
    tasks = Task.objects.all()
    if sees_all_work(user):
        return tasks
    name = user.get_username()
    return tasks.filter(Q(assignee=name) | Q(owner=name) | candidate_filter(user))


def visible_instances(user):
    """Instances ``user`` may see: all for process readers, else those they take part in."""
    instances = ProcessInstance.objects.all()
    if sees_all_work(user) or user.has_perm(capability("view_processes")):
        return instances
    return instances.filter(
        Q(started_by=user) | Q(pk__in=visible_tasks(user).values("instance_id"))
    )


def held_by_someone_else(user, task: Task) -> bool:
    """Whether another user holds ``task``, which only operators may then act on."""
    return bool(task.assignee) and task.assignee != user.get_username() and not sees_all_work(user)
