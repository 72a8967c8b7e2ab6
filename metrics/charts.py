"""The dashboards' charts as Chart.js configurations, built from the KPIs and control charts.

The server decides what each chart shows; ``frontend/static/metrics/charts.js`` only hands
the configuration to Chart.js. Durations are in seconds on axes marked ``durations``, which
the page formats ("2.5 h").
"""

import math

from django.utils import timezone

from processes.diagrams import short_duration

ACCENT, WARN, BAD, MUTED = "#2f6fdf", "#e09f00", "#d00000", "#8a94a6"
HISTOGRAM_BINS = 20
# The I and MR charts draw at most the latest this many instances: more would not be
# readable, and the rules were already applied to all of them on the server.
DRAWN_POINTS = 1000


def histogram(points) -> dict:
    """Cycle times of the completed instances, in bins of equal width on a log scale."""
    seconds = [max(p.duration.total_seconds(), 1) for p in points]
    if not seconds:
        return _empty("bar")
    low, high = math.log(min(seconds)), math.log(max(seconds))
    width = (high - low) / HISTOGRAM_BINS or 1
    counts = [0] * HISTOGRAM_BINS
    for value in seconds:
        counts[min(int((math.log(value) - low) / width), HISTOGRAM_BINS - 1)] += 1
    edges = [math.exp(low + width * (i + 0.5)) for i in range(HISTOGRAM_BINS)]
    return {
        "type": "bar",
        "data": {"labels": [short_duration(e) for e in edges],
                 "datasets": [{"label": "Instances", "data": counts, "backgroundColor": ACCENT}]},
        "options": _options("Cycle time (log-scale bins)", "Instances"),
    }


def individuals(chart) -> dict:
    """The I chart of cycle time: each instance, with each version's centre and limits."""
    first = max(len(chart.points) - DRAWN_POINTS, 0)
    points = chart.points[first:]
    labels = [timezone.localtime(p.ended_at).strftime("%Y-%m-%d") for p in points]
    flagged = {i - first for signal in chart.signals for i in signal.points if i >= first}
    centre, lower, upper = [None] * len(points), [None] * len(points), [None] * len(points)
    for segment in chart.segments:
        for i in range(max(segment.start, first), segment.stop):
            centre[i - first] = segment.centre_duration.total_seconds()
            lower[i - first] = _seconds(segment.lcl_duration)
            upper[i - first] = _seconds(segment.ucl_duration)
    data = [p.duration.total_seconds() for p in points]
    colours = [BAD if i in flagged else ACCENT for i in range(len(points))]
    return {
        "type": "line",
        "data": {"labels": labels, "datasets": [
            {"label": "Cycle time", "data": data, "borderColor": ACCENT, "pointBackgroundColor": colours,
             "pointRadius": [4 if i in flagged else 2 for i in range(len(points))], "borderWidth": 1},
            _limit("Centre (geometric mean)", centre, MUTED),
            _limit("Upper limit", upper, WARN),
            _limit("Lower limit", lower, WARN),
        ]},
        "options": {**_options("Instance (by end)", "Cycle time", durations=True, log=True)},
    }


def moving_range(chart) -> dict:
    """The moving-range chart: how much each instance differs from the one before (log)."""
    first = max(len(chart.points) - DRAWN_POINTS, 0)
    points = chart.points[first:]
    labels = [timezone.localtime(p.ended_at).strftime("%Y-%m-%d") for p in points]
    upper = [None] * len(points)
    for segment in chart.segments:
        for i in range(max(segment.start, first), segment.stop):
            upper[i - first] = segment.mr_ucl
    return {
        "type": "line",
        "data": {"labels": labels, "datasets": [
            {"label": "Moving range of ln(cycle time)", "data": [p.moving_range for p in points],
             "borderColor": ACCENT, "pointRadius": 1, "borderWidth": 1},
            _limit("Upper limit", upper, WARN),
        ]},
        "options": _options("Instance (by end)", "Moving range"),
    }


def p_chart(chart, label: str) -> dict:
    """A p-chart: the rate of each period with its own limits (they widen for small n)."""
    flagged = {i for signal in chart.signals for i in signal.points}
    points = chart.points
    return {
        "type": "line",
        "data": {"labels": [p.period.isoformat() for p in points], "datasets": [
            {"label": label, "data": [p.rate for p in points], "borderColor": ACCENT,
             "pointBackgroundColor": [BAD if i in flagged else ACCENT for i in range(len(points))],
             "pointRadius": [4 if i in flagged else 2 for i in range(len(points))]},
            _limit("Centre", [_centre(chart, i) for i in range(len(points))], MUTED),
            _limit("Upper limit", [p.ucl for p in points], WARN),
            _limit("Lower limit", [p.lcl for p in points], WARN),
        ]},
        "options": _options("Period", label, rate=True),
    }


def throughput(kpis) -> dict:
    """Completed (throughput) and started (arrivals) instances per period."""
    completed = kpis.throughput.completed
    return {
        "type": "bar",
        "data": {"labels": [_period(c.start) for c in completed], "datasets": [
            {"label": "Completed", "data": [c.count for c in completed], "backgroundColor": ACCENT},
            {"type": "line", "label": "Started", "data": [s.count for s in kpis.throughput.started],
             "borderColor": WARN, "backgroundColor": WARN},
        ]},
        "options": _options(kpis.period.capitalize(), "Instances"),
    }


def rates(kpis) -> dict:
    """Error rate, first-pass yield and rework rate per period."""
    errors = kpis.errors.series
    return {
        "type": "line",
        "data": {"labels": [_period(r.start) for r in errors], "datasets": [
            {"label": "Error rate", "data": [r.rate for r in errors], "borderColor": BAD},
            {"label": "First-pass yield", "data": [r.rate for r in kpis.quality.series],
             "borderColor": ACCENT},
            {"label": "Rework rate", "data": [r.rate for r in kpis.quality.rework_series],
             "borderColor": WARN},
        ]},
        "options": _options(kpis.period.capitalize(), "Share of finished instances", rate=True),
    }


def work_in_progress(kpis) -> dict:
    series = kpis.wip.series
    return {
        "type": "line",
        "data": {"labels": [_period(c.start) for c in series], "datasets": [
            {"label": "Open at the end of the period", "data": [c.count for c in series],
             "borderColor": ACCENT, "fill": True, "backgroundColor": "rgba(47,111,223,.12)"},
        ]},
        "options": _options(kpis.period.capitalize(), "Instances"),
    }


def _limit(label, data, colour) -> dict:
    return {"label": label, "data": data, "borderColor": colour, "borderDash": [6, 4],
            "borderWidth": 1, "pointRadius": 0, "stepped": True, "spanGaps": False}


def _centre(chart, index: int):
    segment = next(s for s in chart.segments if s.start <= index < s.stop)
    return segment.centre


def _options(x_title: str, y_title: str, *, durations=False, log=False, rate=False) -> dict:
    y = {"title": {"display": True, "text": y_title}, "beginAtZero": not log}
    if log:
        y["type"] = "logarithmic"
    if durations:
        y["durations"] = True
    if rate:
        y.update({"min": 0, "max": 1})
    return {
        "animation": False,
        "maintainAspectRatio": False,
        "durations": durations,
        "scales": {"x": {"title": {"display": True, "text": x_title}, "ticks": {"maxTicksLimit": 12}},
                   "y": y},
        "plugins": {"legend": {"position": "bottom"}},
    }


def _empty(kind: str) -> dict:
    return {"type": kind, "data": {"labels": [], "datasets": []}, "options": {"animation": False}}


def _seconds(duration):
    return None if duration is None else duration.total_seconds()


def _period(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d")
