"""The per-site iCalendar feed (icalendar library), and the page that issues and revokes
the secret tokens it needs.

A calendar client cannot log in, so the feed is the one maintenance URL without a
session: it answers only to an active, unrevoked token of an active user who may view
windows, and says nothing about why a token failed (404 for all: no oracle). Windows
from 30 days back to 400 days ahead; cancelled ones go out as STATUS:CANCELLED so a
subscribed calendar drops them.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from icalendar import Calendar, Event, vText

from dcim.inventory.models import Site
from dcim.maintenance.choices import WindowState
from dcim.maintenance.models import CalendarToken, MaintenanceWindow
from dcim.maintenance.views.cells import PREFETCH

STATUS = {
    WindowState.SCHEDULED: "CONFIRMED",
    WindowState.IN_PROGRESS: "CONFIRMED",
    WindowState.DONE: "CONFIRMED",
    WindowState.CANCELLED: "CANCELLED",
}


def feed_text(site: Site, base_url: str) -> bytes:
    """The site's windows as an RFC 5545 calendar."""
    cal = Calendar()
    cal.add("prodid", "-//dcim//maintenance//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"Maintenance · {site.name}")
    cal.add("x-wr-timezone", site.timezone)
    now = timezone.now()
    windows = (
        MaintenanceWindow.objects.filter(
            site=site, ends_at__gt=now - timedelta(days=30), starts_at__lt=now + timedelta(days=400)
        )
        .prefetch_related(*PREFETCH)
        .order_by("starts_at")
    )
    for w in windows:
        ev = Event()
        ev.add("uid", f"maintenance-window-{w.pk}@dcim")
        ev.add("dtstamp", now)
        ev.add("dtstart", w.effective_start)
        ev.add("dtend", w.actual_end or w.ends_at)
        ev.add("summary", f"{w.title} ({w.get_state_display()})")
        ev.add("status", STATUS[w.state])
        lines = [f"Kind: {w.get_kind_display()}", "Assets: " + ", ".join(w.asset_names())]
        if w.vendor or w.contact:
            lines.append(f"Vendor: {w.vendor} {w.contact}".strip())
        if w.work_order_number:
            lines.append(f"Work order: {w.work_order_number}")
        ev.add("description", "\n".join(lines))
        ev["url"] = vText(base_url + reverse("maintenance:detail", args=[w.pk]))
        cal.add_component(ev)
    return cal.to_ical()


@login_not_required
@require_safe
def feed(request: HttpRequest, slug: str) -> HttpResponse:
    user = CalendarToken.holder(request.GET.get("token", ""))
    if user is None or not user.has_perm("maintenance.view_maintenancewindow"):
        raise Http404("No such calendar.")
    site = get_object_or_404(Site, slug=slug)
    response = HttpResponse(feed_text(site, request.build_absolute_uri("/").rstrip("/")))
    response["Content-Type"] = "text/calendar; charset=utf-8"
    response["Content-Disposition"] = f'inline; filename="maintenance-{site.slug}.ics"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    """The user's own tokens; POST issues one and shows its feed URLs once."""
    issued = None
    if request.method == "POST":
        _, issued = CalendarToken.issue(request.user)
    sites = list(Site.objects.order_by("name"))
    urls = (
        [
            (
                s.name,
                request.build_absolute_uri(reverse("maintenance:feed", args=[s.slug]))
                + f"?token={issued}",
            )
            for s in sites
        ]
        if issued
        else []
    )
    return render(
        request,
        "maintenance/tokens.html",
        {"tokens": request.user.calendar_tokens.all(), "urls": urls},
    )


@require_POST
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(CalendarToken, pk=pk, user=request.user)
    token.revoke()
    messages.success(request, f"Revoked the calendar token {token.hint}…: its URLs stop working.")
    return redirect("maintenance:tokens")
