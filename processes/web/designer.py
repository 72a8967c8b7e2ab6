"""The designer's pages: the list of drafts, the canvas, and the properties panel it calls.

Saving and deploying go through the drafts API (``/api/v1/drafts/``), as an integration
would; the panel endpoints here answer the canvas with server-rendered HTML and with the
edits bpmn-js applies.
"""

import json
from functools import wraps
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.roles import capability
from processes.bpmn import BpmnError
from processes.bpmn.layout import layout
from processes.bpmn.writer import to_bytes
from processes.bpmn.xml import parse_xml
from processes.designer.panel import change, panel_for
from processes.designer.selection import Selection, UnknownElement
from processes.drafts import draft_of, new_draft, save
from processes.models import Draft, ProcessDefinition
from processes.web.forms import DraftUploadForm, NewDraftForm

MODDLE = Path(__file__).resolve().parent.parent / "bpmn" / "baton.json"
can_design = permission_required(capability("design_processes"), raise_exception=True)


@can_design
def draft_list(request):
    """The owner's drafts, and the ways to begin one: blank, uploaded, or from a process."""
    return _list_with(request, status=200)


@can_design
@require_POST
def draft_new(request):
    form = NewDraftForm(request.POST)
    if not form.is_valid():
        return _list_with(request, new_form=form)
    draft = new_draft(request.user, form.cleaned_data["name"], form.cleaned_data["key"])
    return redirect("designer", draft.pk)


@can_design
@require_POST
def draft_upload(request):
    """A draft from a .bpmn file (Camunda Modeler's too); one without a diagram is laid out."""
    form = DraftUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _list_with(request, upload_form=form)
    upload = form.cleaned_data["file"]
    try:
        tree = parse_xml(upload.read(), max_bytes=settings.BPMN_MAX_UPLOAD_BYTES)
    except BpmnError as error:
        form.add_error("file", str(error))
        return _list_with(request, upload_form=form)
    name = Path(upload.name).stem or "Uploaded process"
    draft = save(Draft(owner=request.user, name=name), to_bytes(layout(tree)).decode())
    return redirect("designer", draft.pk)


@can_design
@require_POST
def draft_open(request, definition_pk):
    """A draft of a deployed version, to become the next version of its process."""
    definition = get_object_or_404(ProcessDefinition, pk=definition_pk)
    return redirect("designer", draft_of(definition, request.user).pk)


@can_design
@require_POST
def draft_delete(request, pk):
    draft = get_object_or_404(Draft, pk=pk, owner=request.user)
    draft.delete()
    messages.success(request, f"The draft '{draft.name}' was deleted.")
    return redirect("designer-list")


@can_design
def designer(request, pk):
    draft = get_object_or_404(Draft, pk=pk, owner=request.user)
    return render(request, "processes/designer.html", {
        "draft": draft,
        "moddle": json.loads(MODDLE.read_text()),
        "config": {
            "draft": {"id": draft.pk, "name": draft.name, "xml": draft.xml,
                      "problems": draft.problems, "updated": draft.updated_at.isoformat()},
            "can_deploy": request.user.has_perm(capability("deploy_processes")),
        },
    })


class BadPanelRequest(Exception):
    """The canvas sent something the panel cannot read; answered with a 400 saying what."""


def panel_endpoint(view):
    """Check the user may edit the draft, read the JSON body and the selected element."""

    @can_design
    @require_POST
    @wraps(view)
    def wrapper(request, pk):
        get_object_or_404(Draft, pk=pk, owner=request.user)
        try:
            body = _body(request)
            sel = Selection.of(str(body.get("xml", "")), str(body.get("element_id", "")))
        except (BadPanelRequest, BpmnError, UnknownElement) as error:
            return JsonResponse(
                {"error": {"code": "bad_request", "message": str(error), "details": []}},
                status=400,
            )
        return view(request, sel, body)

    return wrapper


@panel_endpoint
def panel(request, sel, body):
    """The properties panel of the element selected on the canvas, as HTML."""
    return render(request, "processes/_panel.html", {"sel": sel, "sections": panel_for(sel)})


@panel_endpoint
def panel_change(request, sel, body):
    """Check one property's new value; answer with it normalised and the edits to make."""
    return JsonResponse(change(sel, str(body.get("field", "")), body.get("value")))


def _body(request) -> dict:
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        raise BadPanelRequest("The request body is not JSON.") from None
    if not isinstance(body, dict):
        raise BadPanelRequest("The request body must be a JSON object.")
    return body


def _list_with(request, status=400, **forms):
    context = {
        "drafts": Draft.objects.filter(owner=request.user).order_by("-updated_at"),
        "new_form": NewDraftForm(),
        "upload_form": DraftUploadForm(),
        "definitions": ProcessDefinition.objects.order_by("key", "-version"),
        **forms,
    }
    return render(request, "processes/designer_list.html", context, status=status)
