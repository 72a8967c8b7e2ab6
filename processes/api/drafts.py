"""API views for drafts: what the designer saves while a process owner draws."""

from django.shortcuts import get_object_or_404
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from processes.api.errors import ApiError
from processes.api.permissions import capability_required
from processes.api.serializers import DeploymentResultSerializer
from processes.drafts import DraftHasErrors, deploy_draft, draft_of, new_draft, save
from processes.models import Draft, ProcessDefinition


class DraftSerializer(serializers.ModelSerializer):
    class Meta:
        model = Draft
        fields = ["id", "name", "xml", "based_on", "problems", "has_errors", "created_at", "updated_at"]
        read_only_fields = ["based_on", "problems", "has_errors", "created_at", "updated_at"]


class NewDraftSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=255, required=False)
    key = serializers.RegexField(r"^[A-Za-z_][\w.-]*$", max_length=255, required=False,
                                 help_text="The process id of a new process.")
    definition = serializers.PrimaryKeyRelatedField(
        queryset=ProcessDefinition.objects.all(), required=False,
        help_text="A deployed version to change instead.",
    )

    def validate(self, data):
        if "definition" not in data and not ("name" in data and "key" in data):
            raise serializers.ValidationError("Give a name and a key, or a definition to change.")
        return data


class DraftViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin,
                   mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """Each owner's drafts: create, save (PUT/PATCH the xml; checked, never lost), deploy."""

    serializer_class = DraftSerializer
    permission_classes = [capability_required("design_processes")]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular reading the view
            return Draft.objects.none()
        return Draft.objects.filter(owner=self.request.user)

    def create(self, request):
        body = NewDraftSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        if "definition" in data:
            draft = draft_of(data["definition"], request.user)
        else:
            draft = new_draft(request.user, data["name"], data["key"])
        return Response(DraftSerializer(draft).data, status=status.HTTP_201_CREATED)

    def perform_update(self, serializer):
        draft = serializer.instance
        draft.name = serializer.validated_data.get("name", draft.name)
        save(draft, serializer.validated_data.get("xml", draft.xml))

    @action(detail=True, methods=["post"],
            permission_classes=[capability_required("deploy_processes")])
    def deploy(self, request, pk=None):
        draft = get_object_or_404(self.get_queryset(), pk=pk)
        try:
            result = deploy_draft(draft, request.user)
        except DraftHasErrors as exc:
            raise ApiError(str(exc), code="draft_has_errors", details=[
                {"element_id": p["element_id"], "message": p["message"]}
                for p in draft.problems if p["severity"] == "error"
            ]) from None
        return Response(DeploymentResultSerializer(result).data, status=status.HTTP_201_CREATED)
