from django.conf import settings
from django.contrib.auth import get_user_model
from django.template.defaultfilters import filesizeformat
from rest_framework import serializers

from processes.models import (
    AuditEntry,
    Incident,
    ProcessDefinition,
    ProcessInstance,
    Task,
    TaskAttachment,
    TaskCandidate,
    TaskComment,
)
from processes.waiting import waiting_for


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
    as_documentation = serializers.BooleanField(
        default=False,
        help_text="Store every process as not executable; check only the model's coherence.",
    )

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


class ElementStatisticsSerializer(serializers.Serializer):
    element_id = serializers.CharField()
    instances = serializers.IntegerField(help_text="Running instances with a token here.")
    incidents = serializers.IntegerField(help_text="Of those, how many an incident holds.")


class DefinitionRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProcessDefinition
        fields = ["id", "key", "version"]


class IncidentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Incident
        fields = ["id", "instance", "element_id", "message", "created_at", "resolved_at"]


class InstanceSerializer(serializers.ModelSerializer):
    definition = DefinitionRefSerializer(read_only=True)
    parent = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True,
        help_text="The instance whose call activity started this one, if any.",
    )
    children = serializers.SerializerMethodField(
        help_text="The instances its call activities started."
    )
    active_elements = serializers.SerializerMethodField()
    incidents = serializers.SerializerMethodField()
    waiting_for = serializers.SerializerMethodField(
        help_text="What the instance waits for: each with element_id, kind (task, timer, "
        "message, signal, service, external, continuation, call) and name or due_at where known; "
        "a call also names the instance it started."
    )

    class Meta:
        model = ProcessInstance
        fields = ["id", "definition", "business_key", "state", "variables", "active_elements",
                  "waiting_for", "incidents", "parent", "children", "started_at", "ended_at",
                  "version"]

    def get_active_elements(self, instance) -> list[str]:
        return list(dict.fromkeys(token["element_id"] for token in instance.tokens))

    def get_waiting_for(self, instance) -> list[dict]:
        return [
            {**wait, "due_at": wait["due_at"].isoformat()} if wait.get("due_at") else wait
            for wait in waiting_for(instance)
        ]

    def get_children(self, instance) -> list[int]:
        return list(instance.children.order_by("pk").values_list("pk", flat=True))

    def get_incidents(self, instance) -> list[dict]:
        open_incidents = instance.incidents.filter(resolved_at__isnull=True).order_by("pk")
        return IncidentSerializer(open_incidents, many=True).data


class StartInstanceSerializer(serializers.Serializer):
    definition_key = serializers.CharField()
    version = serializers.IntegerField(required=False, min_value=1)
    business_key = serializers.CharField(required=False, allow_blank=True, max_length=255)
    variables = serializers.DictField(required=False, default=dict)

    def validate(self, data):
        definitions = ProcessDefinition.objects.filter(key=data["definition_key"])
        if "version" in data:
            definitions = definitions.filter(version=data["version"])
        data["definition"] = definitions.order_by("-version").first()
        if data["definition"] is None:
            where = f" version {data['version']}" if "version" in data else ""
            raise serializers.ValidationError(
                {"definition_key": f"No process {data['definition_key']!r}{where} is deployed."}
            )
        return data


class HistoryEventSerializer(serializers.Serializer):
    element_id = serializers.CharField()
    element_type = serializers.CharField()
    element_name = serializers.CharField()
    event = serializers.CharField()
    timestamp = serializers.DateTimeField()
    actor = serializers.CharField(allow_blank=True)
    variables = serializers.DictField(allow_null=True, help_text="On an end: the variables the activity set.")


class TaskSerializer(serializers.ModelSerializer):
    definition_key = serializers.CharField(source="definition.key", read_only=True)
    candidate_users = serializers.SerializerMethodField()
    candidate_groups = serializers.SerializerMethodField()

    class Meta:
        model = Task
        fields = ["id", "instance", "definition_key", "element_id", "name", "state", "assignee",
                  "owner", "delegation", "candidate_users", "candidate_groups", "priority",
                  "due_at", "follow_up_at", "created_at", "claimed_at", "completed_at",
                  "completed_by"]

    def get_candidate_users(self, task) -> list[str]:
        return [c.name for c in task.candidates.all() if c.kind == TaskCandidate.Kind.USER]

    def get_candidate_groups(self, task) -> list[str]:
        return [c.name for c in task.candidates.all() if c.kind == TaskCandidate.Kind.GROUP]


class CompleteTaskSerializer(serializers.Serializer):
    variables = serializers.DictField(required=False, default=dict)


class TaskUserSerializer(serializers.Serializer):
    """The colleague a task is delegated or reassigned to, by user name."""

    user = serializers.SlugRelatedField(
        slug_field="username", queryset=get_user_model().objects.filter(is_active=True)
    )


class TaskCommentSerializer(serializers.ModelSerializer):
    class Meta:
        model = TaskComment
        fields = ["id", "author", "text", "created_at"]
        read_only_fields = ["author", "created_at"]


class TaskAttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = TaskAttachment
        fields = ["id", "name", "content_type", "size", "uploaded_by", "created_at"]


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField()


class MessageSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=255)
    business_key = serializers.CharField(required=False, allow_blank=True, max_length=255, default="")
    correlation_keys = serializers.DictField(required=False, default=dict,
                                             help_text="Variables the instance must have, with these values.")
    variables = serializers.DictField(required=False, default=dict)
    all = serializers.BooleanField(required=False, default=False,
                                   help_text="Deliver to every matching instance, not only the first.")


class SignalSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=255)
    variables = serializers.DictField(required=False, default=dict)


class DeliveredSerializer(serializers.Serializer):
    instances = serializers.ListField(child=serializers.IntegerField(),
                                      help_text="Ids of the instances reached or started.")


class VariablesSerializer(serializers.Serializer):
    variables = serializers.DictField(
        help_text="Variable names and their JSON values; PATCH keeps the variables not named."
    )
    reason = serializers.CharField(
        required=False, default="", allow_blank=True, max_length=2000, write_only=True,
        help_text="Why they are changed, kept in the audit log.",
    )


class FormOptionSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()


class FormFieldSchemaSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="The variable the field sets.")
    label = serializers.CharField(allow_null=True)
    type = serializers.CharField(help_text="string, text, long, decimal, boolean, date, …")
    required = serializers.BooleanField()
    readonly = serializers.BooleanField()
    default = serializers.CharField(allow_null=True)
    min = serializers.CharField(allow_null=True)
    max = serializers.CharField(allow_null=True)
    minlength = serializers.IntegerField(allow_null=True)
    maxlength = serializers.IntegerField(allow_null=True)
    pattern = serializers.CharField(allow_null=True)
    options = FormOptionSerializer(many=True, help_text="The choices of an enum field.")
    value = serializers.JSONField(allow_null=True, help_text="The variable's current value.")


class TaskFormSerializer(serializers.Serializer):
    task = serializers.IntegerField()
    fields = FormFieldSchemaSerializer(many=True)


class RetryManySerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), min_length=1, max_length=500,
        help_text="The incidents to retry.",
    )


class RetryResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    retried = serializers.BooleanField()
    message = serializers.CharField(allow_blank=True)


class RetryManyResultSerializer(serializers.Serializer):
    results = RetryResultSerializer(many=True)


class AuditEntrySerializer(serializers.ModelSerializer):
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = AuditEntry
        fields = ["id", "at", "actor", "action", "instance_ids", "target", "details", "reason"]
