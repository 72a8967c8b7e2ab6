"""API views that deliver messages and signals to instances."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from processes.api.errors import ApiError
from processes.api.permissions import capability_required
from processes.api.serializers import DeliveredSerializer, MessageSerializer, SignalSerializer
from processes.events import NothingWaits, broadcast_signal, correlate_message


class MessageCreate(APIView):
    """Deliver a message to the instance waiting for it, or start the process it starts."""

    permission_classes = [capability_required("start_processes", "operate_instances")]

    @extend_schema(request=MessageSerializer, responses=DeliveredSerializer)
    def post(self, request):
        message = MessageSerializer(data=request.data)
        message.is_valid(raise_exception=True)
        data = message.validated_data
        try:
            reached = correlate_message(
                data["name"], business_key=data["business_key"],
                correlation_keys=data["correlation_keys"], variables=data["variables"],
                all_instances=data["all"], user=request.user,
            )
        except NothingWaits as exc:
            raise ApiError(str(exc), code="nothing_waits", status_code=status.HTTP_404_NOT_FOUND) from None
        return Response({"instances": reached})


class SignalCreate(APIView):
    """Broadcast a signal to every instance waiting for it and start the processes it starts."""

    permission_classes = [capability_required("start_processes", "operate_instances")]

    @extend_schema(request=SignalSerializer, responses=DeliveredSerializer)
    def post(self, request):
        signal = SignalSerializer(data=request.data)
        signal.is_valid(raise_exception=True)
        reached = broadcast_signal(
            signal.validated_data["name"], variables=signal.validated_data["variables"],
            user=request.user,
        )
        return Response({"instances": reached})
