"""API bodies of users, groups (roles) and the caller's API tokens."""

from django.contrib.auth.models import Group, User
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import ApiToken
from accounts.roles import capability


class UserSerializer(serializers.ModelSerializer):
    full_name = serializers.CharField(source="get_full_name", read_only=True)
    groups = serializers.SlugRelatedField(
        slug_field="name", many=True, read_only=True, help_text="The user's roles"
    )
    is_service_account = serializers.BooleanField(
        read_only=True, help_text="Another system's account, authenticated by token only"
    )
    email = serializers.SerializerMethodField(
        help_text="Shown to the user and to holders of view_email_addresses; null for others"
    )

    class Meta:
        model = User
        fields = ["id", "username", "full_name", "groups", "is_service_account", "email"]

    @extend_schema_field(serializers.EmailField(allow_null=True))
    def get_email(self, user):
        viewer = self.context["request"].user
        if user.pk == viewer.pk or viewer.has_perm(capability("view_email_addresses")):
            return user.email
        return None


class GroupSerializer(serializers.ModelSerializer):
    capabilities = serializers.SerializerMethodField(
        help_text="What the role allows, e.g. start_processes"
    )
    member_count = serializers.IntegerField(read_only=True, help_text="Active users holding it")

    class Meta:
        model = Group
        fields = ["id", "name", "capabilities", "member_count"]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_capabilities(self, group):
        return [permission.codename for permission in group.capability_permissions]


class TokenSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "last_used_at", "expires_at"]
        read_only_fields = fields


class NewTokenSerializer(TokenSerializer):
    key = serializers.CharField(
        read_only=True, help_text="The token itself, in this response only: it is stored hashed"
    )

    class Meta(TokenSerializer.Meta):
        fields = [*TokenSerializer.Meta.fields, "key"]


class TokenCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, help_text="What the token is for")
    expires_at = serializers.DateTimeField(
        required=False, allow_null=True, default=None,
        help_text="When the token stops working; leave out for a token that never expires",
    )

    def validate_expires_at(self, value):
        if value is not None and value <= timezone.now():
            raise serializers.ValidationError("Give a moment in the future.")
        return value
