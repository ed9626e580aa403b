"""Managing a subscription on the Reports page (Admins and Operators): edit it, enable or
disable it, delete it after a confirmation. Each change is a POST with CSRF and lands in
the subscription's change history (simple_history; the request's user is recorded by its
middleware). A Viewer gets 403 on every one of them, the pages included.

Operators hold add, change and delete on subscriptions (dcim/accounts/roles.py): one they
may rewrite to any schedule and recipients, or disable for good, is one they may remove.
The deliveries it sent stay in the archive (their subscription is set to null).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from dcim.reports.forms import SubscriptionForm
from dcim.reports.models import Subscription
from dcim.reports.views.page import local_time

PERMISSION = "reports.change_subscription"


def _subscription(request: HttpRequest, pk: int, permission: str = PERMISSION) -> Subscription:
    """The subscription ``pk``, for a user who holds ``permission`` (403 before a 404: a
    Viewer learns nothing about which ids exist)."""
    if not request.user.has_perm(permission):
        raise PermissionDenied("Changing subscriptions needs the Operator or Admin role.")
    return get_object_or_404(Subscription.objects.select_related("site"), pk=pk)


def _next_run(sub: Subscription) -> str:
    return local_time(sub.next_run_at, sub.tz) if sub.next_run_at else "none (disabled)"


@require_http_methods(["GET", "HEAD", "POST"])
def edit_subscription(request: HttpRequest, pk: int) -> HttpResponse:
    """The subscription form, filled in; saved, the next run is planned again from now
    (``Subscription.save``). A bad form is shown again with its errors (400), nothing
    written."""
    sub = _subscription(request, pk)
    if request.method != "POST":
        form = SubscriptionForm(instance=sub)
        return render(request, "reports/edit.html", {"form": form, "sub": sub})
    form = SubscriptionForm(request.POST, instance=sub)
    if not form.is_valid():
        # The instance was cleaned in place by is_valid(): show the stored name.
        stored = Subscription.objects.get(pk=pk)
        return render(request, "reports/edit.html", {"form": form, "sub": stored}, status=400)
    sub = form.save()
    messages.success(request, f"Saved: {sub.name}, next run {_next_run(sub)}.")
    return redirect("reports:list")


@require_POST
def set_enabled(request: HttpRequest, pk: int) -> HttpResponse:
    """Enable (``enabled=1``) or disable (``enabled=0``) a subscription. A disabled one has
    no next run, so the beat task never sends it; enabled again, its next run is planned
    from now (occurrences missed meanwhile are not sent)."""
    sub = _subscription(request, pk)
    wanted = request.POST.get("enabled")
    if wanted not in ("0", "1"):
        return HttpResponse("enabled must be 0 or 1.", status=400, content_type="text/plain")
    sub.enabled = wanted == "1"
    sub.save()
    state = "Enabled" if sub.enabled else "Disabled"
    messages.success(request, f"{state}: {sub.name}, next run {_next_run(sub)}.")
    return redirect("reports:list")


@require_http_methods(["GET", "HEAD", "POST"])
def delete_subscription(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the confirmation page; POST: delete (its sent reports stay in the archive)."""
    sub = _subscription(request, pk, "reports.delete_subscription")
    if request.method != "POST":
        archived = sub.deliveries.count()
        return render(request, "reports/delete.html", {"sub": sub, "archived": archived})
    name = sub.name
    sub.delete()
    messages.success(request, f"Deleted: {name}. Its sent reports stay in the archive.")
    return redirect("reports:list")
