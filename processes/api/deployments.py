"""API views for deployments and process definitions."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from processes.api.errors import invalid_bpmn
from processes.api.permissions import capability_required
from processes.api.serializers import (
    DefinitionSerializer,
    DeploymentResultSerializer,
    DeploymentUploadSerializer,
)
from processes.bpmn import BpmnError
from processes.deployments import deploy
from processes.diagrams import definition_svg
from processes.models import ProcessDefinition


class DeploymentCreate(APIView):
    """Deploy a BPMN file (multipart field ``file``); each process becomes a new version."""

    permission_classes = [capability_required("deploy_processes")]
    parser_classes = [MultiPartParser, FormParser]

    def post(self, request):
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

    def get_queryset(self):
        queryset = ProcessDefinition.objects.select_related("deployment")
        key = self.request.query_params.get("key")
        return queryset.filter(key=key) if key else queryset

    @action(detail=True, url_path="xml")
    def xml(self, request, pk=None):
        """Download the deployed file exactly as it was uploaded."""
        definition = get_object_or_404(ProcessDefinition.objects.select_related("deployment"), pk=pk)
        return HttpResponse(bytes(definition.deployment.content), content_type="application/xml")

    @action(detail=True, url_path="diagram.svg")
    def diagram(self, request, pk=None):
        """Draw the definition as SVG."""
        definition = get_object_or_404(ProcessDefinition, pk=pk)
        return HttpResponse(definition_svg(definition), content_type="image/svg+xml")
