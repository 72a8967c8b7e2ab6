"""API views of webhook subscriptions: CRUD, the delivery log, test event, pause, secret."""

from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from processes.api.permissions import capability_required
from webhooks import events
from webhooks.models import Subscription
from webhooks.serializers import DeliverySerializer, SubscriptionSerializer


class SubscriptionViewSet(viewsets.ModelViewSet):
    """Your webhook subscriptions (every one, for administrators) and what was sent to them."""

    serializer_class = SubscriptionSerializer
    permission_classes = [capability_required("manage_webhooks")]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular reading the view
            return Subscription.objects.none()
        return Subscription.objects.visible_to(self.request.user).select_related("owner")

    def perform_create(self, serializer):
        serializer.save(owner=self.request.user)

    @extend_schema(responses=DeliverySerializer(many=True))
    @action(detail=True)
    def deliveries(self, request, pk=None):
        """The deliveries of the subscription, newest first, with every attempt."""
        deliveries = self.get_object().deliveries.prefetch_related("attempts")
        page = self.paginate_queryset(deliveries)
        return self.get_paginated_response(DeliverySerializer(page, many=True).data)

    @extend_schema(request=None, responses={202: DeliverySerializer})
    @action(detail=True, methods=["post"])
    def ping(self, request, pk=None):
        """Send a test event ("ping") now, once, even to a paused subscription."""
        delivery = events.ping(self.get_object())
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def pause(self, request, pk=None):
        """Stop sending; events meanwhile are not sent later."""
        subscription = self.get_object()
        subscription.pause(f"Paused by {request.user.get_username()}.")
        return Response(self.get_serializer(subscription).data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None):
        """Send again, with the count of failures set back to zero."""
        subscription = self.get_object()
        subscription.resume()
        return Response(self.get_serializer(subscription).data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, pk=None):
        """Sign with a new secret from now on; the response holds it."""
        subscription = self.get_object()
        subscription.rotate_secret()
        return Response(self.get_serializer(subscription).data)
