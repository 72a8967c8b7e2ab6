"""API downloads of a process's event log, as CSV or XES, for process-mining tools."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from metrics.exports import BIGGEST_VERSION, ExportForm, UnknownProcess, download
from processes.api.errors import ApiError
from processes.api.permissions import capability_required

PARAMETERS = [
    OpenApiParameter("key", str, OpenApiParameter.PATH,
                     description="The process key (the BPMN process id)."),
    OpenApiParameter("version", {"type": "integer", "minimum": 1, "maximum": BIGGEST_VERSION},
                     description="Only the instances of this version (default: all versions)."),
    OpenApiParameter("start", OpenApiTypes.DATETIME,
                     description="Only instances started at or after this moment (ISO 8601)."),
    OpenApiParameter("end", OpenApiTypes.DATETIME,
                     description="Only instances started before this moment (ISO 8601)."),
    OpenApiParameter("finished_only", bool,
                     description="true: only instances that ended (completed or cancelled)."),
]

FILE = OpenApiResponse(OpenApiTypes.STR, description="The event log, streamed as a file to save.")


class AnyAccept(BaseContentNegotiation):
    """Serve the download whatever the client accepts, and the errors as JSON.

    The download is a file of one type that no DRF renderer makes, so DRF's negotiation
    would refuse a client asking for text/csv with a 406.
    """

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class EventLogDownload(APIView):
    """Stream a process's event log, filtered by the query; subclasses name the format."""

    permission_classes = (capability_required("view_dashboards"),)
    renderer_classes = (JSONRenderer,)  # for the errors: the download renders itself
    content_negotiation_class = AnyAccept

    def download(self, request, key, kind):
        form = ExportForm(request.query_params)
        if not form.is_valid():
            raise ApiError("The query parameters are not valid.", details=[
                {"field": field, "message": message}
                for field, messages in form.errors.items() for message in messages
            ])
        log = form.event_log(key)
        try:
            log.ensure_deployed()
        except UnknownProcess as exc:
            raise NotFound(str(exc)) from None
        return download(log, kind)


class EventLogCsv(EventLogDownload):
    @extend_schema(
        operation_id="metrics_exports_csv", parameters=PARAMETERS,
        responses={(200, "text/csv"): FILE},
        description="The event log as CSV (UTF-8, a header row): one row per activity "
        "instance, by instance then in the order they started. Text a spreadsheet would run "
        "as a formula (starting with = + - @, a tab or a carriage return) starts with an "
        "apostrophe.",
    )
    def get(self, request, key):
        return self.download(request, key, "csv")


class EventLogXes(EventLogDownload):
    @extend_schema(
        operation_id="metrics_exports_xes", parameters=PARAMETERS,
        responses={(200, "application/xml"): FILE},
        description="The event log as XES (IEEE 1849-2016): one trace per instance, a start "
        "and an end event per activity instance (only the end for one that took no time, "
        "only the start for one still running).",
    )
    def get(self, request, key):
        return self.download(request, key, "xes")
