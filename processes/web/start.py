"""Start a process: the processes a person may start, and the start form of each.

Only the newest version of a process is offered, and only if it can start (executable, not
suspended) and a person can start it: its none start event is the one the engine starts
at, while message, signal and timer starts are left to what triggers them.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404
from django.shortcuts import redirect, render

from accounts.roles import capability
from processes.instances import NotStartable, start_instance
from processes.models import ProcessDefinition
from processes.store.compiled import process_for
from processes.web.model_forms import form_class

can_start = permission_required(capability("start_processes"), raise_exception=True)


class InstanceForm(forms.Form):
    """What the page asks besides the model's start form."""

    business_key = forms.CharField(
        label="Business key", max_length=255, required=False,
        help_text="Optional: the reference this case goes by, such as an invoice number.",
    )


@can_start
def start_list(request):
    """List the processes the user may start, newest version of each."""
    rows = [(definition, start_event(definition)) for definition in startable()]
    rows = [(definition, event) for definition, event in rows if event is not None]
    return render(request, "processes/start_list.html", {"rows": rows})


@can_start
def start_form(request, key):
    """Show a process's start form; on a valid submission start an instance."""
    definition = startable().filter(key=key).first()
    event = start_event(definition) if definition else None
    if event is None:
        raise Http404(f"No process with the key {key!r} can be started here.")
    submitted = request.method == "POST"
    data, files = (request.POST, request.FILES) if submitted else (None, None)
    form = form_class(event.properties.form_fields)(data, files)
    instance_form = InstanceForm(data, prefix="instance")
    # Both forms are checked, so every mistake is shown at once.
    if submitted and all([instance_form.is_valid(), form.is_valid()]):
        return start_and_redirect(
            request, definition, form.variables(), instance_form.cleaned_data["business_key"]
        )
    context = {
        "definition": definition, "event": event, "form": form, "instance_form": instance_form,
    }
    return render(request, "processes/start_form.html", context, status=400 if submitted else 200)


def start_and_redirect(request, definition, variables, business_key):
    """Start an instance with the user as its initiator and say so on the home page."""
    try:
        instance = start_instance(
            definition, variables=variables, business_key=business_key, user=request.user
        )
    except NotStartable as error:  # suspended since the form was shown, for instance
        messages.error(request, str(error))
        return redirect("start-list")
    messages.success(request, f"Started {definition.display_name} (instance {instance.pk}).")
    return redirect("home")


def startable():
    """Return the newest version of each process, where that version may start."""
    return (
        ProcessDefinition.objects.latest_versions()
        .filter(is_executable=True, suspended=False)
        .order_by("name", "key")
    )


def start_event(definition):
    """Return the none start event a person starts a process at, or None if it has none."""
    process = process_for(definition)
    for event_id in process.start_events:
        event = process.nodes[event_id]
        if not event.event_definitions:
            return event
    return None
