from django.conf import settings
from django.template.defaultfilters import filesizeformat
from rest_framework import serializers

from processes.models import ProcessDefinition


class DefinitionSerializer(serializers.ModelSerializer):
    deployment_id = serializers.IntegerField(read_only=True)
    deployed_at = serializers.DateTimeField(source="deployment.deployed_at", read_only=True)

    class Meta:
        model = ProcessDefinition
        fields = ["id", "key", "version", "name", "is_executable", "suspended",
                  "deployment_id", "deployed_at"]


class DefinitionSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = ProcessDefinition
        fields = ["id", "key", "version", "name"]


class DeploymentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A BPMN 2.0 XML file.")

    def validate_file(self, upload):
        limit = settings.BPMN_MAX_UPLOAD_BYTES
        if upload.size > limit:
            raise serializers.ValidationError(
                f"The file is {filesizeformat(upload.size)}; the limit is {filesizeformat(limit)}."
            )
        return upload


class ProblemSerializer(serializers.Serializer):
    element_id = serializers.CharField(allow_null=True)
    message = serializers.CharField()
    severity = serializers.CharField()
    code = serializers.CharField()


class DeploymentResultSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="deployment.pk")
    name = serializers.CharField(source="deployment.name")
    created = serializers.BooleanField()
    definitions = DefinitionSummarySerializer(many=True)
    warnings = ProblemSerializer(many=True)
