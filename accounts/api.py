"""API views of users and groups (read-only, for choosing whom to give work) and tokens."""

from django.contrib.auth.models import Group, Permission, User
from django.db.models import Count, Prefetch, Q
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.filters import SearchFilter
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from accounts.models import ApiToken
from accounts.roles import CAPABILITIES
from accounts.serializers import (
    GroupSerializer,
    NewTokenSerializer,
    TokenCreateSerializer,
    TokenSerializer,
    UserSerializer,
)
from accounts.service_accounts import with_service_account_flag
from accounts.tokens import issue_token


def active_users():
    """Return the users who may be given work, with their groups and service-account flag."""
    users = with_service_account_flag(User.objects.filter(is_active=True))
    return users.prefetch_related("groups").order_by("username")


@extend_schema_view(
    list=extend_schema(parameters=[
        OpenApiParameter("group", str, description="Only members of the group with this name"),
    ]),
)
class UserViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Active users; e-mail addresses only for holders of view_email_addresses."""

    serializer_class = UserSerializer
    filter_backends = [SearchFilter]
    search_fields = ["username", "first_name", "last_name"]

    def get_queryset(self):
        users = active_users()
        if group := self.request.query_params.get("group"):
            users = users.filter(groups__name=group)
        return users

    @action(detail=False)
    def me(self, request):
        """The caller."""
        user = get_object_or_404(active_users(), pk=request.user.pk)
        return Response(self.get_serializer(user).data)


class GroupViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Groups (roles): the capabilities each grants and how many active users hold it."""

    serializer_class = GroupSerializer

    def get_queryset(self):
        capabilities = Permission.objects.filter(
            content_type__app_label="accounts", codename__in=CAPABILITIES
        ).order_by("codename")
        return (
            Group.objects.annotate(member_count=Count("user", filter=Q(user__is_active=True)))
            .prefetch_related(Prefetch("permissions", capabilities, to_attr="capability_permissions"))
            .order_by("name")
        )


class TokenViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """The caller's own API tokens: list them, create one (its key is shown once), revoke one."""

    serializer_class = TokenSerializer

    def get_queryset(self):
        return ApiToken.objects.filter(user_id=self.request.user.pk).order_by("-created_at")

    @extend_schema(request=TokenCreateSerializer, responses={201: NewTokenSerializer})
    def create(self, request):
        new = TokenCreateSerializer(data=request.data)
        new.is_valid(raise_exception=True)
        token = issue_token(request.user, **new.validated_data)
        return Response(NewTokenSerializer(token).data, status=status.HTTP_201_CREATED)
