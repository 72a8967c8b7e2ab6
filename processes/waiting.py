"""What a running instance waits for: people, timers, messages, signals, workers, children."""

from processes.models import EventSubscription, Job, ProcessInstance, Task

JOB_KINDS = {
    "engine.timer": "timer",
    "engine.service": "service",
    "engine.external": "external",
    "engine.continue": "continuation",
}


def waiting_for(instance: ProcessInstance) -> list[dict]:
    """Return one entry per wait, ordered by element: ``{"element_id", "kind", ...}``.

    ``kind`` is task, timer, message, signal, service, external, continuation or call; a
    task carries its name, assignee and due time, a timer its due time, a message or signal
    its name, an external task its topic, a call the key and id of the instance it called.
    """
    if instance.state != ProcessInstance.State.ACTIVE:
        return []
    waits = []
    for task in Task.objects.filter(instance=instance, state=Task.State.OPEN):
        waits.append({"element_id": task.element_id, "kind": "task", "name": task.name,
                      "assignee": task.assignee, "due_at": task.due_at})
    for job in Job.objects.filter(instance=instance, kind__in=JOB_KINDS):
        wait = {"element_id": job.element_id, "kind": JOB_KINDS[job.kind], "due_at": job.due_at}
        if job.kind == "engine.external":
            wait["name"] = job.payload.get("topic")
        waits.append(wait)
    children = instance.children.filter(state=ProcessInstance.State.ACTIVE)
    for child in children.select_related("definition"):
        waits.append({"element_id": child.parent_element_id, "kind": "call",
                      "name": child.definition.key, "instance": child.pk})
    for subscription in EventSubscription.objects.filter(instance=instance):
        waits.append({"element_id": subscription.element_id, "kind": subscription.kind,
                      "name": subscription.name})
    return sorted(waits, key=lambda wait: (wait["element_id"], wait["kind"]))
