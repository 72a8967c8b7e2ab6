"""The KPI API: the managers' overview, every KPI of one process, a version against the one
before. Managers and administrators (capability view_dashboards) may read it."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from metrics.compare import compare_versions
from metrics.kpis import KpiQueryError, NoSuchProcess, kpi_overview, process_kpis
from metrics.serializers import (
    CompareQuerySerializer,
    KpiQuerySerializer,
    OverviewSerializer,
    ProcessKpisSerializer,
    VersionComparisonSerializer,
    WindowQuerySerializer,
)
from processes.api.errors import ApiError
from processes.api.permissions import capability_required

KEY = OpenApiParameter("key", str, OpenApiParameter.PATH,
                       description="The process key (the BPMN process id).")


class MetricsView(APIView):
    permission_classes = (capability_required("view_dashboards"),)

    def query(self, serializer_class) -> dict:
        """The validated query parameters; a bad one is a 400 naming it."""
        query = serializer_class(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return query.validated_data

    def answer(self, measure, serializer_class) -> Response:
        """Run ``measure()``; an unknown process is a 404, another refusal a 400."""
        try:
            return Response(serializer_class(measure()).data)
        except NoSuchProcess as exc:
            raise ApiError(str(exc), code="not_found",
                           status_code=status.HTTP_404_NOT_FOUND) from None
        except KpiQueryError as exc:
            raise ApiError(str(exc), details=[{"field": exc.field, "message": str(exc)}]) from None


class ProcessOverview(MetricsView):
    @extend_schema(operation_id="metrics_overview", parameters=[WindowQuerySerializer],
                   responses=OverviewSerializer)
    def get(self, request):
        """Every process's median cycle time, throughput per week, error rate and first-pass
        yield in the window, against the window of the same length before it."""
        window = self.query(WindowQuerySerializer)
        return self.answer(lambda: kpi_overview(window["start"], window["end"]),
                           OverviewSerializer)


class ProcessKpis(MetricsView):
    @extend_schema(operation_id="metrics_process_kpis", parameters=[KEY, KpiQuerySerializer],
                   responses=ProcessKpisSerializer)
    def get(self, request, key):
        """Every KPI of one process over the window: cycle and lead time, time per
        activity, throughput and arrivals, work in progress, error, quality and rework
        rates, SLA compliance; each says how it is computed (``method``)."""
        query = self.query(KpiQuerySerializer)
        return self.answer(lambda: process_kpis(
            key, query["start"], query["end"], version=query.get("version"),
            period=query["period"], activity=query.get("activity"),
        ), ProcessKpisSerializer)


class VersionComparison(MetricsView):
    @extend_schema(operation_id="metrics_compare_versions",
                   parameters=[KEY, CompareQuerySerializer], responses=VersionComparisonSerializer)
    def get(self, request, key):
        """A version (default: the newest) against the one before, KPI by KPI and step by
        step: values, difference and whether it is significant at 5 %."""
        query = self.query(CompareQuerySerializer)
        return self.answer(lambda: compare_versions(key, query.get("version")),
                           VersionComparisonSerializer)
