"""API views for running work: instances, tasks and incidents."""

from django.db import transaction
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from processes.access import held_by_someone_else, visible_instances, visible_tasks
from processes.api.errors import ApiError, Conflict
from processes.api.filters import AuditFilter, IncidentFilter, InstanceFilter, TaskFilter
from processes.api.permissions import capability_required
from processes.api.serializers import (
    AttachmentUploadSerializer,
    AuditEntrySerializer,
    CompleteTaskSerializer,
    HistoryEventSerializer,
    IncidentSerializer,
    InstanceSerializer,
    RetryManyResultSerializer,
    RetryManySerializer,
    StartInstanceSerializer,
    TaskAttachmentSerializer,
    TaskCommentSerializer,
    TaskFormSerializer,
    TaskSerializer,
    TaskUserSerializer,
    VariablesSerializer,
)
from processes.audit import record
from processes.forms import FormInvalid, clean_submission, field_schema
from processes.history import history_events
from processes.instances import (
    DelegationPending,
    InstanceError,
    InstanceNotActive,
    NotStartable,
    TaskNotOpen,
    cancel_instance,
    claim_task,
    complete_task,
    form_fields,
    resume_instance,
    retry_incident,
    set_variables,
    start_form_fields,
    start_instance,
    suspend_instance,
)
from processes.models import AuditEntry, Incident, ProcessInstance, Task
from processes.task_actions import (
    InvalidInput,
    NotAllowed,
    NotDelegated,
    add_attachment,
    add_comment,
    delegate,
    may_reassign,
    reassign,
    resolve,
    unclaim,
)

OPERATIONS = {"cancel", "suspend", "resume", "variables"}


class InstanceViewSet(mixins.CreateModelMixin, mixins.RetrieveModelMixin,
                      mixins.ListModelMixin, viewsets.GenericViewSet):
    """Process instances: start one, read it, its history, cancel it."""

    serializer_class = InstanceSerializer

    filter_backends = [DjangoFilterBackend, OrderingFilter]
    filterset_class = InstanceFilter
    ordering_fields = ["id", "started_at", "ended_at"]
    ordering = ["-id"]

    def get_permissions(self):
        if self.action == "create":
            return [capability_required("start_processes")()]
        changes = self.action in OPERATIONS and self.request.method != "GET"
        if changes:
            return [capability_required("operate_instances", "deploy_processes")()]
        return super().get_permissions()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular reading the view
            return ProcessInstance.objects.none()
        return visible_instances(self.request.user).select_related("definition")

    def create(self, request):
        start = StartInstanceSerializer(data=request.data)
        start.is_valid(raise_exception=True)
        data = start.validated_data
        try:
            variables = clean_submission(start_form_fields(data["definition"]), data["variables"])
            instance = start_instance(
                data["definition"], variables=variables,
                business_key=data.get("business_key", ""), user=request.user,
            )
        except FormInvalid as exc:
            raise ApiError("The start form is not valid.", code="invalid_form", details=[
                {"field": f"variables.{e.field}", "message": e.message} for e in exc.errors
            ]) from None
        except NotStartable as exc:
            raise Conflict(str(exc), code="not_startable") from None
        return Response(InstanceSerializer(instance).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=HistoryEventSerializer(many=True))
    @action(detail=True, pagination_class=None)
    def history(self, request, pk=None):
        """Every element the instance ran, as started/ended events in order."""
        instance = self.get_object()
        events = history_events(instance)
        return Response(HistoryEventSerializer(events, many=True).data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        instance = self.get_object()
        return self.operated("cancel", lambda: cancel_instance(instance.pk, user=request.user))

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def suspend(self, request, pk=None):
        """Hold the instance where it is: no job runs, no task completes, until resumed."""
        instance = self.get_object()
        return self.operated("suspend", lambda: suspend_instance(instance.pk))

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None):
        instance = self.get_object()
        return self.operated("resume", lambda: resume_instance(instance.pk))

    @extend_schema(methods=["GET"], responses=VariablesSerializer)
    @extend_schema(methods=["PATCH"], request=VariablesSerializer, responses=VariablesSerializer)
    @action(detail=True, methods=["get", "patch"])
    def variables(self, request, pk=None):
        """The instance's variables; PATCH sets the ones given (others are kept)."""
        instance = self.get_object()
        if request.method == "PATCH":
            body = VariablesSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            variables = body.validated_data["variables"]
            instance = self.operated(
                "variables", lambda: set_variables(instance.pk, variables, user=request.user),
                respond=False, details={"changed": sorted(variables)},
                reason=body.validated_data["reason"],
            )
        return Response({"variables": instance.variables})

    def operated(self, action, change, respond=True, details=None, reason=""):
        """Run an operation on the instance and log it in the same transaction; a refusal
        (not running, suspended) is a 409."""
        try:
            with transaction.atomic():
                instance = change()
                record(self.request.user, f"instance.{action}", instances=[instance.pk],
                       details=details, reason=reason)
        except InstanceError as exc:
            raise Conflict(str(exc), code="not_active") from None
        return Response(InstanceSerializer(instance).data) if respond else instance


class TaskViewSet(mixins.RetrieveModelMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """User tasks the caller may see; claim, complete, delegate them, comment, attach files."""

    serializer_class = TaskSerializer

    filter_backends = [DjangoFilterBackend, OrderingFilter]
    filterset_class = TaskFilter
    ordering_fields = ["id", "priority", "due_at", "created_at"]
    ordering = ["-priority", "due_at", "id"]

    def get_queryset(self):
        queryset = visible_tasks(self.request.user).select_related("definition")
        return queryset.prefetch_related("candidates")

    @extend_schema(responses=TaskFormSerializer)
    @action(detail=True)
    def form(self, request, pk=None):
        """The task's form: its fields with their types, rules and choices, and the current
        values of the variables they set (a client can render and check it)."""
        task = self.get_object()
        fields = form_fields(task)
        variables = task.instance.variables
        return Response(TaskFormSerializer({
            "task": task.pk,
            "fields": [
                {**field_schema(field), "value": variables.get(field.id)} for field in fields
            ],
        }).data)

    @action(detail=True, methods=["post"])
    def claim(self, request, pk=None):
        task = self.get_object()
        try:
            task = claim_task(task.pk, request.user)
        except TaskNotOpen as exc:
            raise Conflict(str(exc), code="task_not_open") from None
        return Response(TaskSerializer(task).data)

    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        task = self.get_object()  # only tasks the caller may see
        if held_by_someone_else(request.user, task):
            raise ApiError(f"Task {task.pk} is assigned to {task.assignee}.", code="not_assignee",
                           status_code=status.HTTP_403_FORBIDDEN)
        body = CompleteTaskSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            variables = clean_submission(form_fields(task), body.validated_data["variables"])
            task = complete_task(task.pk, variables=variables, user=request.user)
        except FormInvalid as exc:
            raise ApiError("The form is not valid.", code="invalid_form", details=[
                {"field": f"variables.{e.field}", "message": e.message} for e in exc.errors
            ]) from None
        except InstanceError as exc:
            raise refused(exc) from None
        return Response(TaskSerializer(task).data)

    @action(detail=True, methods=["post"])
    def unclaim(self, request, pk=None):
        task = self.get_object()
        return self.acted(lambda: unclaim(task.pk, request.user))

    @action(detail=True, methods=["post"])
    def delegate(self, request, pk=None):
        """Hand the task to a colleague, who resolves it back to the caller."""
        task = self.get_object()
        to_user = self.named_user(request)
        return self.acted(lambda: delegate(task.pk, to_user, request.user))

    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        """Give a delegated task back to its owner."""
        task = self.get_object()
        return self.acted(lambda: resolve(task.pk, request.user))

    @action(detail=True, methods=["post"])
    def reassign(self, request, pk=None):
        """Give any task to someone else: managers and administrators, who need not see it."""
        if not may_reassign(request.user):
            raise refused(NotAllowed("Only managers and administrators may reassign tasks."))
        task = get_object_or_404(Task, pk=pk)
        to_user = self.named_user(request)
        return self.acted(lambda: reassign(task.pk, to_user, request.user))

    @extend_schema(methods=["GET"], responses=TaskCommentSerializer(many=True))
    @extend_schema(methods=["POST"], request=TaskCommentSerializer,
                   responses={201: TaskCommentSerializer})
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def comments(self, request, pk=None):
        task = self.get_object()
        if request.method == "GET":
            return Response(TaskCommentSerializer(task.comments.all(), many=True).data)
        body = TaskCommentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            comment = add_comment(task.pk, request.user, body.validated_data["text"])
        except InstanceError as exc:
            raise refused(exc) from None
        return Response(TaskCommentSerializer(comment).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], responses=TaskAttachmentSerializer(many=True))
    @extend_schema(methods=["POST"], request={"multipart/form-data": AttachmentUploadSerializer},
                   responses={201: TaskAttachmentSerializer})
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def attachments(self, request, pk=None):
        task = self.get_object()
        if request.method == "GET":
            return Response(TaskAttachmentSerializer(task.attachments.all(), many=True).data)
        body = AttachmentUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            attachment = add_attachment(task.pk, request.user, body.validated_data["file"])
        except InstanceError as exc:
            raise refused(exc) from None
        return Response(TaskAttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)

    def named_user(self, request):
        body = TaskUserSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return body.validated_data["user"]

    def acted(self, change) -> Response:
        """Run a task action and answer with the changed task, or with why it was refused."""
        try:
            task = change()
        except InstanceError as exc:
            raise refused(exc) from None
        task = Task.objects.select_related("definition").prefetch_related("candidates").get(pk=task.pk)
        return Response(TaskSerializer(task).data)


def refused(exc: InstanceError) -> ApiError:
    """The API error for a task action the service refused."""
    message = str(exc)
    if isinstance(exc, InvalidInput):
        return ApiError(message, details=[{"field": exc.field, "message": message}])
    if isinstance(exc, NotAllowed):
        return ApiError(message, code="not_allowed", status_code=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, DelegationPending):
        return Conflict(message, code="delegation_pending")
    if isinstance(exc, NotDelegated):
        return Conflict(message, code="not_delegated")
    if isinstance(exc, (TaskNotOpen, InstanceNotActive)):
        return Conflict(message, code="task_not_open")
    return Conflict(message)


class IncidentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Incidents: steps that need a person; retry one after fixing its cause."""

    serializer_class = IncidentSerializer
    permission_classes = [capability_required("operate_instances")]
    queryset = Incident.objects.all()
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    filterset_class = IncidentFilter
    ordering_fields = ["id", "created_at"]
    ordering = ["-id"]

    @extend_schema(request=RetryManySerializer, responses=RetryManyResultSerializer,
                   operation_id="incidents_retry_many")
    @action(detail=False, methods=["post"], url_path="retry")
    def retry_many(self, request):
        """Retry several incidents, each in its own transaction: one that fails does not
        stop the others; the answer says what happened to each."""
        body = RetryManySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        results = []
        for incident_id in body.validated_data["ids"]:
            try:
                with transaction.atomic():
                    incident = retry_incident(incident_id, user=request.user)
                    record(request.user, "incident.retry", instances=[incident.instance_id],
                           details={"incident": incident_id})
                results.append({"id": incident_id, "retried": True, "message": ""})
            except Incident.DoesNotExist:
                results.append({"id": incident_id, "retried": False, "message": "No such incident."})
            except InstanceError as exc:
                results.append({"id": incident_id, "retried": False, "message": str(exc)})
        return Response({"results": results})

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def retry(self, request, pk=None):
        incident = self.get_object()
        try:
            with transaction.atomic():
                incident = retry_incident(incident.pk, user=request.user)
                record(request.user, "incident.retry", instances=[incident.instance_id],
                       details={"incident": incident.pk})
        except InstanceError as exc:
            raise Conflict(str(exc)) from None
        return Response(IncidentSerializer(incident).data)


class AuditViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The audit log: every administrative action, newest first."""

    serializer_class = AuditEntrySerializer
    permission_classes = [capability_required("operate_instances")]
    queryset = AuditEntry.objects.select_related("actor")
    filter_backends = [DjangoFilterBackend]
    filterset_class = AuditFilter
