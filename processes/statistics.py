"""Where the running instances of a definition are, element by element (for the cockpit
and the API's definition statistics)."""

from django.db.models import Count

from processes.models import ActivityInstance, Incident, ProcessInstance


def element_statistics(definition) -> list[dict]:
    """Per element of ``definition``: running instances waiting there, and open incidents."""
    waiting = (
        ActivityInstance.objects.filter(
            definition=definition, ended_at__isnull=True,
            instance__state=ProcessInstance.State.ACTIVE,
        )
        .values("element_id")
        .annotate(instances=Count("instance", distinct=True))
    )
    incidents = dict(
        Incident.objects.filter(instance__definition=definition, resolved_at__isnull=True)
        .values("element_id")
        .annotate(n=Count("pk"))
        .values_list("element_id", "n")
    )
    return [
        {"element_id": row["element_id"], "instances": row["instances"],
         "incidents": incidents.get(row["element_id"], 0)}
        for row in waiting.order_by("element_id")
    ]
