"""The KPI API's query parameters and answers: one serializer per dataclass of
``metrics.kpis`` and ``metrics.compare``, so that the OpenAPI schema documents them."""

from datetime import UTC, datetime, timedelta

from django.utils import timezone
from rest_framework import serializers

from metrics.history import PERIODS, period_starts

BIGGEST_VERSION = 2**31 - 1  # what a PositiveIntegerField holds on every database
DEFAULT_WINDOW = timedelta(days=90)  # as the dashboards
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)  # with the window before it, still a date
LATEST = datetime(2200, 1, 1, tzinfo=UTC)  # pandas holds dates up to 2262
MOST_PERIODS = 1000  # points of a series


class WindowQuerySerializer(serializers.Serializer):
    start = serializers.DateTimeField(
        required=False, help_text="Start of the window (ISO 8601); default: 90 days before the end.")
    end = serializers.DateTimeField(
        required=False, help_text="End of the window, excluded (ISO 8601); default: now.")

    def validate_start(self, moment):
        return _within_reach(moment)

    def validate_end(self, moment):
        return _within_reach(moment)

    def validate(self, data):
        end = data.get("end") or timezone.now()
        start = data.get("start") or max(end - DEFAULT_WINDOW, EARLIEST)
        if start >= end:
            raise serializers.ValidationError({"end": "The end must come after the start."})
        return {**data, "start": start, "end": end}


def _within_reach(moment):
    if not EARLIEST <= moment <= LATEST:
        raise serializers.ValidationError(
            f"Choose a moment between {EARLIEST:%Y} and {LATEST:%Y}.")
    return moment


class KpiQuerySerializer(WindowQuerySerializer):
    version = serializers.IntegerField(
        required=False, min_value=1, max_value=BIGGEST_VERSION,
        help_text="Measure only this version (default: all versions).")
    period = serializers.ChoiceField(
        choices=list(PERIODS), default="week", help_text="The step of every series.")
    activity = serializers.CharField(
        required=False, max_length=255,
        help_text="An element id: only the instances in which it ran count.")

    def validate(self, data):
        data = super().validate(data)
        if len(period_starts(data["start"], data["end"], data["period"])) > MOST_PERIODS:
            raise serializers.ValidationError(
                {"period": f"The window holds more than {MOST_PERIODS} of these periods: "
                 "choose a longer period or a shorter window."})
        return data


class CompareQuerySerializer(serializers.Serializer):
    version = serializers.IntegerField(
        required=False, min_value=2, max_value=BIGGEST_VERSION,
        help_text="The version to compare with the one before (default: the newest).")


class DurationStatsSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    mean = serializers.FloatField(allow_null=True, help_text="Seconds.")
    median = serializers.FloatField(allow_null=True)
    p90 = serializers.FloatField(allow_null=True)
    p95 = serializers.FloatField(allow_null=True)
    min = serializers.FloatField(allow_null=True)
    max = serializers.FloatField(allow_null=True)


class DurationKpiSerializer(DurationStatsSerializer):
    method = serializers.CharField()


class ActivityStatsSerializer(serializers.Serializer):
    element_id = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField(allow_blank=True)
    count = serializers.IntegerField()
    waiting = DurationStatsSerializer(allow_null=True, help_text="User tasks only.")
    processing = DurationStatsSerializer()


class ActivityTableSerializer(serializers.Serializer):
    rows = ActivityStatsSerializer(many=True)
    method = serializers.CharField()


class PeriodCountSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    count = serializers.IntegerField()


class PeriodRateSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    finished = serializers.IntegerField()
    count = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)


class ThroughputSerializer(serializers.Serializer):
    completed = PeriodCountSerializer(many=True)
    started = PeriodCountSerializer(many=True)
    completed_total = serializers.IntegerField()
    started_total = serializers.IntegerField()
    per_week = serializers.FloatField()
    method = serializers.CharField()


class WorkInProgressSerializer(serializers.Serializer):
    now = serializers.IntegerField()
    active = serializers.IntegerField()
    suspended = serializers.IntegerField()
    series = PeriodCountSerializer(many=True)
    method = serializers.CharField()


class ErrorRateSerializer(serializers.Serializer):
    finished = serializers.IntegerField()
    failed = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)
    error_end = serializers.IntegerField()
    incident = serializers.IntegerField()
    cancelled = serializers.IntegerField()
    series = PeriodRateSerializer(many=True)
    method = serializers.CharField()


class QualityRateSerializer(serializers.Serializer):
    finished = serializers.IntegerField()
    first_pass = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)
    failed_gate = serializers.IntegerField()
    rework = serializers.IntegerField()
    rework_rate = serializers.FloatField(allow_null=True)
    series = PeriodRateSerializer(many=True)
    rework_series = PeriodRateSerializer(many=True)
    method = serializers.CharField()


class RunningInstanceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    business_key = serializers.CharField(allow_blank=True)
    started_at = serializers.DateTimeField()
    deadline = serializers.DateTimeField()
    elapsed = serializers.FloatField(help_text="Seconds since it started.")
    sla_share = serializers.FloatField(help_text="Elapsed ÷ SLA.")


class SlaComplianceSerializer(serializers.Serializer):
    sla = serializers.CharField(allow_null=True, help_text="ISO 8601 duration (baton:sla).")
    completed = serializers.IntegerField()
    within = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)
    at_risk_count = serializers.IntegerField()
    breached_count = serializers.IntegerField()
    at_risk = RunningInstanceSerializer(many=True)
    breached = RunningInstanceSerializer(many=True)
    method = serializers.CharField()


class ProcessKpisSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    version = serializers.IntegerField(allow_null=True)
    versions = serializers.ListField(child=serializers.IntegerField())
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    period = serializers.ChoiceField(choices=list(PERIODS))
    activity = serializers.CharField(allow_null=True)
    cycle_time = DurationKpiSerializer()
    lead_time = DurationKpiSerializer()
    activities = ActivityTableSerializer()
    throughput = ThroughputSerializer()
    wip = WorkInProgressSerializer()
    errors = ErrorRateSerializer()
    quality = QualityRateSerializer()
    sla = SlaComplianceSerializer()


TRENDS = ["better", "worse", "same"]


class HeadlineSerializer(serializers.Serializer):
    value = serializers.FloatField(allow_null=True)
    previous = serializers.FloatField(allow_null=True)
    trend = serializers.ChoiceField(choices=TRENDS, allow_null=True)


class ProcessHeadlinesSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    finished = serializers.IntegerField()
    previous_finished = serializers.IntegerField()
    cycle_time = HeadlineSerializer(help_text="Median, seconds.")
    throughput = HeadlineSerializer(help_text="Completed per week.")
    error_rate = HeadlineSerializer()
    quality_rate = HeadlineSerializer(help_text="First-pass yield.")
    mixed = serializers.BooleanField(help_text="One KPI got better while another got worse.")


class OverviewSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    previous_start = serializers.DateTimeField()
    processes = ProcessHeadlinesSerializer(many=True)
    method = serializers.CharField()


class KpiComparisonSerializer(serializers.Serializer):
    kpi = serializers.CharField()
    label = serializers.CharField()
    unit = serializers.ChoiceField(choices=["seconds", "rate"])
    previous = serializers.FloatField(allow_null=True)
    current = serializers.FloatField(allow_null=True)
    difference = serializers.FloatField(allow_null=True)
    better = serializers.BooleanField(allow_null=True)
    test = serializers.CharField()
    statistic = serializers.FloatField(allow_null=True)
    p_value = serializers.FloatField(allow_null=True)
    significant = serializers.BooleanField(allow_null=True)
    previous_count = serializers.IntegerField()
    current_count = serializers.IntegerField()


class ActivityComparisonSerializer(serializers.Serializer):
    element_id = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField(allow_blank=True)
    waiting = KpiComparisonSerializer(allow_null=True)
    processing = KpiComparisonSerializer()


class VersionComparisonSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    version = serializers.IntegerField()
    previous_version = serializers.IntegerField()
    kpis = KpiComparisonSerializer(many=True)
    activities = ActivityComparisonSerializer(many=True)
    method = serializers.CharField()
