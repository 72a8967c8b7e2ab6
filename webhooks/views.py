"""Pages to manage webhook subscriptions: list, create, edit, the delivery log, actions."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.roles import capability
from processes.models import ProcessDefinition
from webhooks import events
from webhooks.forms import SubscriptionForm
from webhooks.models import Subscription

can_manage = permission_required(capability("manage_webhooks"), raise_exception=True)
LOG_LENGTH = 50


def _subscription(request, pk) -> Subscription:
    return get_object_or_404(Subscription.objects.visible_to(request.user), pk=pk)


@can_manage
def subscription_list(request):
    subscriptions = Subscription.objects.visible_to(request.user).select_related("owner")
    return render(request, "webhooks/list.html", {"subscriptions": subscriptions})


@can_manage
def subscription_new(request):
    form = SubscriptionForm(request.POST or None)
    if form.is_valid():
        form.instance.owner = request.user
        subscription = form.save()
        messages.success(request, "Subscribed: deliveries are signed with the secret below.")
        return redirect("webhook-detail", subscription.pk)
    return _form_page(request, form, None)


@can_manage
def subscription_edit(request, pk):
    subscription = _subscription(request, pk)
    form = SubscriptionForm(request.POST or None, instance=subscription)
    if form.is_valid():
        form.save()
        messages.success(request, "Saved.")
        return redirect("webhook-detail", subscription.pk)
    return _form_page(request, form, subscription)


def _form_page(request, form, subscription):
    keys = ProcessDefinition.objects.order_by("key").values_list("key", flat=True).distinct()
    context = {"form": form, "subscription": subscription, "keys": keys}
    return render(request, "webhooks/form.html", context, status=400 if form.errors else 200)


@can_manage
def subscription_detail(request, pk):
    """The subscription, its secret and its latest deliveries with every attempt."""
    subscription = _subscription(request, pk)
    deliveries = subscription.deliveries.prefetch_related("attempts")[:LOG_LENGTH]
    context = {"subscription": subscription, "deliveries": deliveries, "log_length": LOG_LENGTH}
    return render(request, "webhooks/detail.html", context)


@can_manage
@require_POST
def subscription_pause(request, pk):
    _subscription(request, pk).pause(f"Paused by {request.user.get_username()}.")
    messages.success(request, "Paused: events are not sent, nor kept for later.")
    return redirect("webhook-detail", pk)


@can_manage
@require_POST
def subscription_resume(request, pk):
    _subscription(request, pk).resume()
    messages.success(request, "Resumed: new events are sent again.")
    return redirect("webhook-detail", pk)


@can_manage
@require_POST
def subscription_rotate_secret(request, pk):
    _subscription(request, pk).rotate_secret()
    messages.success(request, "New secret: deliveries are signed with it from now on.")
    return redirect("webhook-detail", pk)


@can_manage
@require_POST
def subscription_ping(request, pk):
    events.ping(_subscription(request, pk))
    messages.success(request, "A test event is on its way; it appears in the log below.")
    return redirect("webhook-detail", pk)


@can_manage
@require_POST
def subscription_delete(request, pk):
    subscription = _subscription(request, pk)
    subscription.delete()
    messages.success(request, f"Deleted the subscription of {subscription.url} and its log.")
    return redirect("webhook-list")
