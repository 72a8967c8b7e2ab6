"""Show KPI values as a manager reads them: "2.5 h", "12.5 %", "3.2"."""

from django import template

from processes.diagrams import short_duration

register = template.Library()


@register.filter
def kpi(value, kind: str = "number") -> str:
    """Format a KPI value of ``kind`` (duration in seconds, rate as a fraction, number)."""
    if value is None or value == "":  # "": the template found no such value (no waiting)
        return "—"
    if kind == "duration":
        return short_duration(value)
    if kind == "rate":
        return f"{value * 100:.1f} %"
    return f"{value:.1f}" if isinstance(value, float) else str(value)


CHART_NAMES = {"cycle_time": "cycle time", "error_rate": "error rate", "quality_rate": "first-pass yield"}


@register.filter
def chart_name(chart: str) -> str:
    return CHART_NAMES.get(chart, chart)
