"""Pages that download a process's event log, for managers who analyse it elsewhere."""

from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpResponseBadRequest

from accounts.roles import capability
from metrics.exports import ExportForm, UnknownProcess, download

can_view_dashboards = permission_required(capability("view_dashboards"), raise_exception=True)


@can_view_dashboards
def event_log(request, key, kind):
    """Download the event log of process ``key`` as CSV or XES, filtered by the query."""
    form = ExportForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest(form.errors.as_text(),
                                      content_type="text/plain; charset=utf-8")
    log = form.event_log(key)
    try:
        log.ensure_deployed()
    except UnknownProcess as exc:
        raise Http404(str(exc)) from None
    return download(log, kind)
