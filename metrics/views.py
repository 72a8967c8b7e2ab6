"""Managers' dashboards: the overview of every process and one process in depth."""

from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpResponse
from django.shortcuts import render

from accounts.roles import capability
from metrics import charts
from metrics.compare import compare_versions
from metrics.control import cycle_time_chart, error_rate_chart, quality_rate_chart
from metrics.forms import WindowForm
from metrics.kpis import KpiQueryError, definitions_of, kpi_overview, process_kpis
from metrics.models import Alert
from processes.diagrams import definition_svg, heat_colour, heatmap, short_duration

can_view = permission_required(capability("view_dashboards"), raise_exception=True)


@can_view
def overview(request):
    """One card per process: the four headline KPIs against the window before."""
    form = WindowForm(request.GET or None)
    start, end = form.window()
    return render(request, "metrics/overview.html", {
        "form": form, "overview": kpi_overview(start, end), "days": (end - start).days,
    })


@can_view
def process_dashboard(request, key):
    """Every KPI of one process, its charts, its heatmap, control charts and signals."""
    definitions = _definitions(key)
    form = _window(request, definitions)
    start, end = form.window()
    version, period = form.choice("version"), form.choice("period", "week")
    kpis = _kpis(key, form)
    rate_period = "day" if period == "day" else "week"
    cycle = cycle_time_chart(key, version=version, since=start, until=end)
    errors = error_rate_chart(key, version=version, since=start, until=end, period=rate_period)
    quality = quality_rate_chart(key, version=version, since=start, until=end, period=rate_period)
    context = {
        "form": form, "kpis": kpis, "definition": _shown(definitions, version),
        "signals": sorted(cycle.signals + errors.signals + quality.signals,
                          key=lambda signal: signal.ends_at, reverse=True),
        "alerts": Alert.objects.filter(definition_key=key, closed_at__isnull=True),
        "heat": _heat_overlays(kpis),
        "charts": {
            "histogram": charts.histogram(cycle.points),
            "individuals": charts.individuals(cycle),
            "moving_range": charts.moving_range(cycle),
            "throughput": charts.throughput(kpis),
            "rates": charts.rates(kpis),
            "wip": charts.work_in_progress(kpis),
            "error_p": charts.p_chart(errors, "Error rate"),
            "quality_p": charts.p_chart(quality, "First-pass yield"),
        },
        "query": request.GET.urlencode(),
        "cycle_count": len(cycle.points), "drawn_points": charts.DRAWN_POINTS,
    }
    return render(request, "metrics/process.html", context)


@can_view
def heatmap_svg(request, key):
    """The heatmap of the page as an SVG file, drawn by the server for reports."""
    definitions = _definitions(key)
    form = _window(request, definitions)
    spent = _time_spent(_kpis(key, form))
    stats = {element: (row.count, seconds) for element, (row, seconds) in spent.items()}
    svg = definition_svg(_shown(definitions, form.choice("version")))
    response = HttpResponse(heatmap(svg, stats), content_type="image/svg+xml")
    response["Content-Disposition"] = f'attachment; filename="{key}-heatmap.svg"'
    return response


@can_view
def diagram_xml(request, key, version):
    """The version's BPMN with a diagram for the viewer (laid out if the file had none)."""
    definition = next((d for d in _definitions(key) if d.version == version), None)
    if definition is None:
        raise Http404(f"The process '{key}' has no version {version}.")
    return HttpResponse(bytes(definition.deployment.diagram_xml), content_type="application/xml")


@can_view
def comparison(request, key):
    """v(n) against v(n−1), loaded by the process page once it is shown (it reads every
    instance of both versions)."""
    definitions = _definitions(key)
    form = _window(request, definitions)
    try:
        found = compare_versions(key, form.choice("version"))
    except KpiQueryError:
        found = None
    return render(request, "metrics/_comparison.html", {"comparison": found})


def _window(request, definitions) -> WindowForm:
    return WindowForm(request.GET or None, versions=[d.version for d in definitions])


def _kpis(key, form):
    """The KPIs of ``key`` over the window, version, period and step the form chose."""
    start, end = form.window()
    try:
        return process_kpis(key, start, end, version=form.choice("version"),
                            period=form.choice("period", "week"), activity=form.choice("activity"))
    except KpiQueryError as error:
        raise Http404(str(error)) from None


def _shown(definitions, version):
    """The version whose diagram is drawn: the one measured, else the newest."""
    return next((d for d in definitions if d.version == version), definitions[0])


def _definitions(key):
    try:
        return definitions_of(key)
    except KpiQueryError as error:
        raise Http404(str(error)) from None


def _time_spent(kpis) -> dict:
    """Per element that ran: its row and the mean time spent there (waiting + processing),
    what the page's heatmap and its SVG export both show."""
    return {
        row.element_id: (row, (row.processing.mean or 0) + _waiting(row))
        for row in kpis.activities.rows if row.count
    }


def _heat_overlays(kpis) -> dict:
    """Per element: its tint (by mean time spent there) and the label the page shows."""
    spent = _time_spent(kpis)
    slowest = max((seconds for _, seconds in spent.values()), default=0) or 1
    return {
        element: {
            "color": heat_colour(seconds / slowest),
            "label": f"{row.count} × {short_duration(seconds)}",
            "title": f"{row.name or element}: ran {row.count} times, "
                     f"{short_duration(seconds)} on average",
        }
        for element, (row, seconds) in spent.items()
    }


def _waiting(row) -> float:
    return (row.waiting.mean or 0) if row.waiting else 0
