"""API views for deployments and process definitions."""

from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from processes.api.errors import invalid_bpmn
from processes.api.filters import DefinitionFilter
from processes.api.permissions import capability_required
from processes.api.serializers import (
    DefinitionSerializer,
    DeploymentResultSerializer,
    DeploymentUploadSerializer,
    ElementStatisticsSerializer,
)
from processes.audit import record
from processes.bpmn import BpmnError
from processes.deployments import deploy
from processes.diagrams import definition_svg
from processes.models import ProcessDefinition
from processes.statistics import element_statistics


class DeploymentCreate(APIView):
    """Deploy a BPMN file (multipart field ``file``); each process becomes a new version."""

    @extend_schema(
        request={"multipart/form-data": DeploymentUploadSerializer},
        responses={201: DeploymentResultSerializer, 200: DeploymentResultSerializer},
        description="201 with the new versions; 200 when an identical file was deployed before "
        "(no new version); 400 with the problems, each naming its element.",
    )
    def post(self, request):
        return self._deploy(request)

    permission_classes = [capability_required("deploy_processes")]
    parser_classes = [MultiPartParser, FormParser]

    def _deploy(self, request):
        upload = DeploymentUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        file = upload.validated_data["file"]
        try:
            result = deploy(
                file.read(), name=file.name, user=request.user,
                as_documentation=upload.validated_data["as_documentation"],
            )
        except BpmnError as exc:
            raise invalid_bpmn(exc) from None
        code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        return Response(DeploymentResultSerializer(result).data, status=code)


class DefinitionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Process definitions, newest version first within each key."""

    serializer_class = DefinitionSerializer
    permission_classes = [capability_required("view_processes", "start_processes")]
    queryset = ProcessDefinition.objects.select_related("deployment")
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    filterset_class = DefinitionFilter
    ordering_fields = ["id", "key", "version"]
    ordering = ["key", "-version"]

    @extend_schema(responses={(200, "application/xml"): OpenApiTypes.STR})
    @action(detail=True, url_path="xml")
    def xml(self, request, pk=None):
        """Download the deployed file exactly as it was uploaded."""
        definition = get_object_or_404(ProcessDefinition.objects.select_related("deployment"), pk=pk)
        return HttpResponse(bytes(definition.deployment.content), content_type="application/xml")

    @extend_schema(responses={(200, "image/svg+xml"): OpenApiTypes.STR})
    @action(detail=True, url_path="diagram.svg")
    def diagram(self, request, pk=None):
        """Draw the definition as SVG."""
        definition = get_object_or_404(ProcessDefinition, pk=pk)
        return HttpResponse(definition_svg(definition), content_type="image/svg+xml")

    @extend_schema(request=None, responses=DefinitionSerializer)
    @action(detail=True, methods=["post"],
            permission_classes=[capability_required("deploy_processes")])
    def suspend(self, request, pk=None):
        """Stop new instances of this version from starting; running ones go on."""
        return self._set_suspended(pk, True)

    @extend_schema(request=None, responses=DefinitionSerializer)
    @action(detail=True, methods=["post"],
            permission_classes=[capability_required("deploy_processes")])
    def resume(self, request, pk=None):
        """Let new instances of this version start again."""
        return self._set_suspended(pk, False)

    def _set_suspended(self, pk, suspended: bool):
        definition = get_object_or_404(ProcessDefinition.objects.select_related("deployment"), pk=pk)
        with transaction.atomic():
            definition.suspended = suspended
            definition.save(update_fields=["suspended"])
            action = "definition.suspend" if suspended else "definition.resume"
            record(self.request.user, action, target=f"{definition.key} v{definition.version}")
        return Response(DefinitionSerializer(definition).data)

    @extend_schema(responses=ElementStatisticsSerializer(many=True))
    @action(detail=True, pagination_class=None)
    def statistics(self, request, pk=None):
        """Where the running instances of this version are: per element, how many wait
        there and how many of those are held by an incident."""
        definition = get_object_or_404(ProcessDefinition, pk=pk)
        return Response(ElementStatisticsSerializer(element_statistics(definition), many=True).data)
