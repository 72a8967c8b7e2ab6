"""API views for external task workers: fetch and lock tasks of a topic, report on them."""

from django.db.models import Q
from django.utils import timezone
from django_filters import rest_framework as filters
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response

from processes import external_tasks
from processes.api.errors import ApiError, Conflict
from processes.api.filters import StrictBooleanFilter, id_filter
from processes.api.parsers import SafeJSONParser
from processes.api.permissions import capability_required
from processes.external_tasks import (
    MAX_DURATION_MS,
    MAX_WAIT_MS,
    LockNotHeld,
    TaskNotFound,
    Topic,
)
from processes.instances import InstanceError
from processes.models import Job
from processes.models.jobs import EXTERNAL_TASK

MAX_RETRIES = 2**31 - 1  # the largest value the retries column holds


class ExternalTaskSerializer(serializers.ModelSerializer):
    worker_id = serializers.SerializerMethodField()
    lock_expiration_time = serializers.DateTimeField(source="locked_until", allow_null=True)
    business_key = serializers.CharField(source="instance.business_key")
    definition_key = serializers.CharField(source="instance.definition.key")
    definition_version = serializers.IntegerField(source="instance.definition.version")
    retries = serializers.IntegerField(
        source="retries_left", help_text="Attempts left; 0 once a failure opened an incident."
    )
    error_message = serializers.SerializerMethodField()
    error_details = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = ["id", "topic", "worker_id", "lock_expiration_time", "instance", "business_key",
                  "definition_key", "definition_version", "element_id", "retries",
                  "error_message", "error_details", "due_at", "created_at"]
        read_only_fields = fields

    def get_worker_id(self, task) -> str | None:
        """The worker that locked the task last, if any (its lock may have expired)."""
        return task.locked_by or None

    def get_error_message(self, task) -> str | None:
        """The message of the last failure reported, if any."""
        return task.last_error or None

    def get_error_details(self, task) -> str | None:
        """The details of the last failure reported, if any."""
        return task.payload.get("error_details") or None


class LockedTaskSerializer(ExternalTaskSerializer):
    variables = serializers.DictField(read_only=True, help_text="The variables asked for.")

    class Meta(ExternalTaskSerializer.Meta):
        fields = [*ExternalTaskSerializer.Meta.fields, "variables"]
        read_only_fields = fields


class ExternalTaskFilter(filters.FilterSet):
    topic = filters.CharFilter()
    instance = id_filter("instance_id")
    worker_id = filters.CharFilter(field_name="locked_by", help_text="The worker that locked it.")
    locked = StrictBooleanFilter(method="filter_locked", help_text="Under a live lock, or not.")
    with_retries_left = StrictBooleanFilter(
        method="filter_retries_left", help_text="With retries left, or not (an incident holds it)."
    )

    class Meta:
        model = Job
        fields = ["topic", "instance", "worker_id", "locked", "with_retries_left"]

    def filter_locked(self, tasks, name, value: bool):
        live = Q(locked_until__gt=timezone.now())
        return tasks.filter(live) if value else tasks.exclude(live)

    def filter_retries_left(self, tasks, name, value: bool):
        return tasks.filter(retries_left__gt=0) if value else tasks.filter(retries_left=0)


def worker_id_field():
    return serializers.CharField(max_length=200, help_text="Who the worker is; any stable name.")


def duration_field(minimum: int, **kwargs):
    return serializers.IntegerField(min_value=minimum, max_value=MAX_DURATION_MS, **kwargs)


class TopicSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=255)
    lock_duration_ms = duration_field(1, help_text="How long the worker may hold each task.")
    variables = serializers.ListField(
        child=serializers.CharField(max_length=255), max_length=1000, allow_null=True,
        default=None, help_text="The variables to hand out with each task; all when left out.",
    )


class FetchAndLockSerializer(serializers.Serializer):
    worker_id = worker_id_field()
    max_tasks = serializers.IntegerField(
        min_value=1, help_text="At most this many tasks; a server limit (100 by default) applies."
    )
    topics = TopicSerializer(many=True, allow_empty=False, max_length=100)
    async_response_timeout_ms = serializers.IntegerField(
        min_value=0, default=0,
        help_text=f"Wait up to this long for tasks to appear (at most {MAX_WAIT_MS} ms).",
    )

    def validate_topics(self, topics):
        names = [topic["name"] for topic in topics]
        repeated = [{"name": ["This topic is listed twice."]} if name in names[:index] else {}
                    for index, name in enumerate(names)]
        if any(repeated):
            raise serializers.ValidationError(repeated)
        return topics


class CompleteSerializer(serializers.Serializer):
    worker_id = worker_id_field()
    variables = serializers.DictField(default=dict, help_text="Variables to set.")


class FailureSerializer(serializers.Serializer):
    worker_id = worker_id_field()
    error_message = serializers.CharField(max_length=10_000)
    error_details = serializers.CharField(max_length=1_000_000, allow_blank=True, default="")
    retries = serializers.IntegerField(
        min_value=0, max_value=MAX_RETRIES,
        help_text="Attempts left; 0 opens an incident.",
    )
    retry_timeout_ms = duration_field(0, default=0, help_text="When the task is fetchable again.")


class BpmnErrorSerializer(serializers.Serializer):
    worker_id = worker_id_field()
    error_code = serializers.CharField(max_length=255)
    error_message = serializers.CharField(max_length=10_000, allow_blank=True, default="")
    variables = serializers.DictField(default=dict, help_text="Variables to set first.")


class ExtendLockSerializer(serializers.Serializer):
    worker_id = worker_id_field()
    new_duration_ms = duration_field(1, help_text="The lock lasts this long from now.")


class ExternalTaskViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                          viewsets.GenericViewSet):
    """External tasks: workers fetch and lock them by topic, then report how they went."""

    serializer_class = ExternalTaskSerializer
    permission_classes = [capability_required("work_external_tasks")]
    parser_classes = [SafeJSONParser]
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    filterset_class = ExternalTaskFilter
    ordering_fields = ["id", "created_at", "due_at"]
    ordering = ["id"]
    def get_queryset(self):
        return Job.objects.filter(kind=EXTERNAL_TASK).select_related("instance__definition")

    @extend_schema(request=FetchAndLockSerializer, responses=LockedTaskSerializer(many=True))
    @action(detail=False, methods=["post"], url_path="fetch-and-lock", pagination_class=None,
            filter_backends=[])
    def fetch_and_lock(self, request):
        """Lock available tasks of the topics; wait for some if asked to (long polling)."""
        data = valid(FetchAndLockSerializer, request)
        tasks = external_tasks.wait_and_lock(
            data["worker_id"], [Topic(**topic) for topic in data["topics"]],
            data["max_tasks"], data["async_response_timeout_ms"],
        )
        return Response(LockedTaskSerializer(tasks, many=True).data)

    @extend_schema(request=CompleteSerializer, responses={204: None})
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """The worker did the task: the instance moves on."""
        data = valid(CompleteSerializer, request)
        carried_out(lambda: external_tasks.complete(int(pk), data["worker_id"], data["variables"]))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=FailureSerializer, responses=ExternalTaskSerializer)
    @action(detail=True, methods=["post"])
    def failure(self, request, pk=None):
        """The worker failed: retry after a timeout, or open an incident with no retries left."""
        data = valid(FailureSerializer, request)
        task = carried_out(lambda: external_tasks.fail(
            int(pk), data["worker_id"], data["error_message"], data["error_details"],
            retries=data["retries"], retry_timeout_ms=data["retry_timeout_ms"],
        ))
        return Response(ExternalTaskSerializer(task).data)

    @extend_schema(request=BpmnErrorSerializer, responses={204: None})
    @action(detail=True, methods=["post"], url_path="bpmn-error")
    def bpmn_error(self, request, pk=None):
        """Throw a BPMN error at the task, for an error boundary event to catch."""
        data = valid(BpmnErrorSerializer, request)
        carried_out(lambda: external_tasks.throw_bpmn_error(
            int(pk), data["worker_id"], data["error_code"], data["error_message"],
            data["variables"],
        ))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=ExtendLockSerializer, responses=ExternalTaskSerializer)
    @action(detail=True, methods=["post"], url_path="extend-lock")
    def extend_lock(self, request, pk=None):
        """The worker holding the lock needs longer."""
        data = valid(ExtendLockSerializer, request)
        task = carried_out(lambda: external_tasks.extend_lock(
            int(pk), data["worker_id"], data["new_duration_ms"]
        ))
        return Response(ExternalTaskSerializer(task).data)

    @extend_schema(request=None, responses=ExternalTaskSerializer)
    @action(detail=True, methods=["post"])
    def unlock(self, request, pk=None):
        """Release the task's lock, whoever holds it."""
        task = carried_out(lambda: external_tasks.unlock(int(pk)))
        return Response(ExternalTaskSerializer(task).data)


def valid(serializer_class, request) -> dict:
    """Return the request body checked by ``serializer_class`` (a 400 naming fields if not)."""
    body = serializer_class(data=request.data)
    body.is_valid(raise_exception=True)
    return body.validated_data


def carried_out(report):
    """Run a worker's report, turning a refusal into its API error."""
    try:
        return report()
    except TaskNotFound as exc:
        raise ApiError(str(exc), code="not_found", status_code=status.HTTP_404_NOT_FOUND) from None
    except LockNotHeld as exc:
        raise Conflict(str(exc), code="lock_not_held") from None
    except InstanceError as exc:  # the instance is suspended or no longer active
        raise Conflict(str(exc), code="instance_not_active") from None
