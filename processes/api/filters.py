"""Query filters of the API's lists, declared once for validation and for the OpenAPI schema.

django-filter checks every parameter (a non-number instance id is a 400 naming it, not a
500) and drf-spectacular documents them from these classes.
"""

import json
import re
from datetime import UTC

import django_filters as filters
from django.core.exceptions import ValidationError

from processes.models import AuditEntry, Incident, ProcessDefinition, ProcessInstance, Task

# A variable name, never with "__", which the ORM would read as a lookup.
BIGGEST_ID = 2**63 - 1  # what the databases' integer columns hold
VARIABLE_NAME = re.compile(r"^(?!.*__)[^\W\d]\w*$")


def id_filter(field_name: str, **kwargs) -> filters.NumberFilter:
    """An id parameter; beyond what a database integer holds it is a 400, not a crash."""
    return filters.NumberFilter(field_name=field_name, min_value=1, max_value=BIGGEST_ID,
                                **kwargs)


class MomentFilter(filters.IsoDateTimeFilter):
    """An ISO 8601 moment, compared in UTC: any offset Python reads is accepted, even one the
    database would refuse (-20:22 is valid ISO but not a PostgreSQL time zone)."""

    def filter(self, qs, value):
        return super().filter(qs, value.astimezone(UTC) if value else value)


class StrictBooleanFilter(filters.TypedChoiceFilter):
    """true or false, and a 400 for anything else (django-filter's own ignores "perhaps")."""

    def __init__(self, **kwargs):
        choices = [("true", "true"), ("false", "false")]
        super().__init__(choices=choices, coerce=lambda value: value == "true", **kwargs)


class DefinitionFilter(filters.FilterSet):
    key = filters.CharFilter(help_text="Only the versions of this process key.")
    suspended = StrictBooleanFilter()
    is_executable = StrictBooleanFilter()

    class Meta:
        model = ProcessDefinition
        fields = ["key", "suspended", "is_executable"]


class InstanceFilter(filters.FilterSet):
    definition_key = filters.CharFilter(field_name="definition__key")
    definition = id_filter("definition_id", help_text="A version's id.")
    state = filters.ChoiceFilter(choices=ProcessInstance.State.choices)
    business_key = filters.CharFilter()
    started_after = MomentFilter(field_name="started_at", lookup_expr="gte")
    started_before = MomentFilter(field_name="started_at", lookup_expr="lt")
    variable = filters.CharFilter(
        method="filter_variables",
        validators=[lambda value: _conditions(value)],
        help_text='Instances whose variable has a value: "name:value", the value read as '
        'JSON when it is JSON (amount:1200, approved:true, city:"Lyon"), else as text. '
        "Separate several with commas.",
    )

    class Meta:
        model = ProcessInstance
        fields = ["definition_key", "definition", "state", "business_key"]

    def filter_variables(self, queryset, name, value):
        for variable, wanted in _conditions(value):
            queryset = queryset.filter(**{f"variables__{variable}__exact": wanted})
        return queryset


class TaskFilter(filters.FilterSet):
    instance = id_filter("instance_id")
    state = filters.ChoiceFilter(choices=Task.State.choices)
    candidate_group = filters.CharFilter(method="filter_candidate_group")
    due_before = MomentFilter(field_name="due_at", lookup_expr="lt")

    class Meta:
        model = Task
        fields = ["instance", "element_id", "assignee", "state"]

    def filter_candidate_group(self, queryset, name, value):
        return queryset.filter(candidates__kind="group", candidates__name=value)


class IncidentFilter(filters.FilterSet):
    instance = id_filter("instance_id")
    open = StrictBooleanFilter(field_name="resolved_at", lookup_expr="isnull",
                               help_text="true: only those not resolved yet.")

    class Meta:
        model = Incident
        fields = ["instance", "element_id", "open"]


class AuditFilter(filters.FilterSet):
    actor = filters.CharFilter(field_name="actor__username")
    action = filters.CharFilter(help_text='Such as "instance.suspend" or "incident.retry".')
    since = MomentFilter(field_name="at", lookup_expr="gte")

    class Meta:
        model = AuditEntry
        fields = ["actor", "action", "since"]


def _conditions(value: str) -> list[tuple[str, object]]:
    """Read "name:value,other:value"; the names are checked, as they become ORM lookups."""
    conditions = []
    for condition in value.split(","):
        variable, separator, text = condition.partition(":")
        variable = variable.strip()
        if not separator or not VARIABLE_NAME.match(variable):
            # As a parameter: the text may hold "%", which the message is formatted with.
            raise ValidationError("Write name:value, not '%(condition)s'.",
                                  params={"condition": condition})
        conditions.append((variable, _json_or_text(text)))
    return conditions


def _json_or_text(text: str):
    try:
        return json.loads(text)
    except ValueError:
        return text
