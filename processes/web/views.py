"""Pages for process owners and managers: processes, definitions, versions, upload."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.db import transaction
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from accounts.roles import capability
from processes.audit import record
from processes.bpmn import BpmnError
from processes.bpmn.render import render_svg
from processes.bpmn.xml import parse_xml
from processes.deployments import deploy, problem_dict
from processes.diagrams import definition_svg, highlight
from processes.models import ProcessDefinition, ProcessInstance
from processes.web.forms import UploadForm

can_view = permission_required(capability("view_processes"), raise_exception=True)
can_deploy = permission_required(capability("deploy_processes"), raise_exception=True)


@can_view
def process_list(request):
    """List every process key: latest version, number of versions, running instances."""
    stats = {
        row["key"]: row
        for row in ProcessDefinition.objects.values("key").annotate(versions=Count("pk"))
    }
    running = dict(
        ProcessInstance.objects.filter(state=ProcessInstance.State.ACTIVE)
        .values_list("definition__key")
        .annotate(n=Count("pk"))
    )
    latest = ProcessDefinition.objects.latest_versions().select_related("deployment")
    rows = [
        (definition, stats[definition.key]["versions"], running.get(definition.key, 0))
        for definition in latest
    ]
    return render(request, "processes/process_list.html", {"rows": rows})


@can_view
def definition_detail(request, key, version=None):
    """Show one version of a process: its diagram, its versions and its warnings."""
    versions = ProcessDefinition.objects.filter(key=key).select_related(
        "deployment", "deployment__deployed_by"
    )
    definition = get_object_or_404(versions, version=version) if version else versions.first()
    if definition is None:
        raise Http404(f"No process has the key {key!r}.")
    return render(
        request,
        "processes/definition_detail.html",
        {
            "definition": definition,
            "versions": versions,
            "svg": definition_svg(definition),
            "warnings": definition.deployment.warnings,
        },
    )


@can_view
def definition_xml(request, key, version):
    """Download the deployed file exactly as it was uploaded."""
    definition = get_object_or_404(ProcessDefinition, key=key, version=version)
    response = HttpResponse(bytes(definition.deployment.content), content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="{slugify(key)}-v{version}.bpmn"'
    return response


@can_view
def definition_svg_file(request, key, version):
    """Download the diagram as an SVG image."""
    definition = get_object_or_404(ProcessDefinition, key=key, version=version)
    response = HttpResponse(definition_svg(definition), content_type="image/svg+xml")
    response["Content-Disposition"] = f'attachment; filename="{slugify(key)}-v{version}.svg"'
    return response


@can_deploy
@require_POST
def set_suspended(request, key, version, suspended):
    """Suspend a version (no new instances) or resume it."""
    definition = get_object_or_404(ProcessDefinition, key=key, version=version)
    with transaction.atomic():
        definition.suspended = suspended
        definition.save(update_fields=["suspended"])
        action = "definition.suspend" if suspended else "definition.resume"
        record(request.user, action, target=f"{definition.key} v{definition.version}")
    state = "suspended: no new instances can start" if suspended else "resumed"
    messages.success(request, f"{definition} is {state}.")
    return redirect("definition-version", key=key, version=version)


@can_deploy
def upload(request):
    """Deploy an uploaded file, or show its problems next to the elements they concern."""
    form = UploadForm(request.POST or None, request.FILES or None)
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        try:
            result = deploy(
                data, name=upload.name, user=request.user,
                as_documentation=form.cleaned_data["as_documentation"],
            )
        except BpmnError as exc:
            context.update(problem_context(data, exc))
            return render(request, "processes/upload.html", context, status=400)
        return redirect_after_deploy(request, result)
    return render(request, "processes/upload.html", context, status=400 if form.errors else 200)


def problem_context(data: bytes, error: BpmnError) -> dict:
    """Return the problems of a refused file and, if it parses, its diagram with them marked."""
    problems = [problem_dict(p) for p in error.problems]
    try:
        svg = render_svg(parse_xml(data))
    except BpmnError:
        return {"problems": problems}
    marked = {p["element_id"] for p in problems if p["element_id"]}
    return {"problems": problems, "svg": highlight(svg, marked, "has-problem")}


def redirect_after_deploy(request, result):
    definitions = result.definitions
    if not result.created:
        messages.info(request, "This file is identical to one deployed before: no new version.")
    elif definitions:
        listed = ", ".join(str(d) for d in definitions)
        messages.success(request, f"Deployed {listed}.")
    if result.warnings:
        messages.warning(request, f"{len(result.warnings)} warning(s): see below the diagram.")
    if not definitions:
        messages.warning(request, "The file was stored but holds no process.")
        return redirect("process-list")
    first = definitions[0]
    return redirect("definition-version", key=first.key, version=first.version)
