"""Actions of the Reports page: subscribe (Admins and Operators) and send now."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from dcim.reports import delivery, tasks
from dcim.reports.forms import SubscriptionForm
from dcim.reports.models import Subscription
from dcim.reports.views.page import render_page


@require_POST
def create_subscription(request: HttpRequest) -> HttpResponse:
    """A new subscription; a bad form is shown again with its errors (400), nothing
    written."""
    if not request.user.has_perm("reports.add_subscription"):
        raise PermissionDenied("Subscribing to reports needs the Operator or Admin role.")
    form = SubscriptionForm(request.POST)
    if not form.is_valid():
        return render_page(request, form, status=400)
    sub = form.save(commit=False)
    sub.created_by = request.user
    sub.save()
    form.save_m2m()
    messages.success(
        request, f"Subscribed: {sub.name}, next run {sub.next_run_at:%Y-%m-%d %H:%M %Z}."
    )
    return redirect("reports:list")


@require_POST
def send_now(request: HttpRequest, pk: int) -> HttpResponse:
    """Send a subscription's report now, outside its schedule (recorded like any send)."""
    if not request.user.has_perm("reports.change_subscription"):
        raise PermissionDenied("Sending reports needs the Operator or Admin role.")
    sub = get_object_or_404(Subscription.objects.select_related("site"), pk=pk)
    d = delivery.manual(sub, request.user)
    tasks.dispatch(d.pk)
    messages.success(request, f"Sending {sub.name} to {len(d.recipients)} recipient(s).")
    return redirect("reports:list")
