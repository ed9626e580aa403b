"""Create and edit a window (Operators), with the safety check before it is saved.

The form's times are read in the site's zone (``timezone.override``): a technician types
07:00 meaning 07:00 at the site, whatever the server's zone. When the safety check warns,
the form comes back with the warnings and saves only with a reason to proceed, which is
kept on the window with the warnings.
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from dcim.inventory.models import Device, Rack, Site
from dcim.maintenance import safety
from dcim.maintenance.choices import OPEN_STATES
from dcim.maintenance.forms import WindowForm
from dcim.maintenance.models import MaintenanceWindow, WorkOrder
from dcim.maintenance.views.access import ACT, CREATE, require
from dcim.ui.sites import first_site


def _site_for(request: HttpRequest, window: MaintenanceWindow | None) -> Site | None:
    raw = request.POST.get("site") or request.GET.get("site")
    site = None
    if raw:
        lookup = {"pk": raw} if str(raw).isdigit() else {"slug": raw}
        site = Site.objects.filter(**lookup).first()
    if site is None and window is not None:
        site = window.site
    return site or first_site()


def _initial(request: HttpRequest, site: Site | None) -> dict:
    tz = ZoneInfo(site.timezone) if site else timezone.get_current_timezone()
    start = (timezone.now().astimezone(tz) + timedelta(hours=1)).replace(
        minute=0, second=0, microsecond=0
    )
    initial = {"site": site, "starts_at": start, "ends_at": start + timedelta(hours=2)}
    if (rack := request.GET.get("rack", "")).isdigit():
        initial["racks"] = Rack.objects.filter(pk=rack)
    if (device := request.GET.get("device", "")).isdigit():
        initial["device_names"] = ", ".join(
            Device.objects.filter(pk=device).values_list("name", flat=True)
        )
    return initial


@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    require(request, CREATE, "Scheduling maintenance")
    return _edit(request, None)


@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, ACT, "Changing maintenance")
    window = get_object_or_404(MaintenanceWindow, pk=pk)
    if window.state not in OPEN_STATES:
        messages.error(request, f"A {window.get_state_display().lower()} window is not edited.")
        return redirect("maintenance:detail", pk=pk)
    return _edit(request, window)


def _edit(request: HttpRequest, window: MaintenanceWindow | None) -> HttpResponse:
    site = _site_for(request, window)
    tz = ZoneInfo(site.timezone) if site else timezone.get_current_timezone()
    warnings: list[str] = []
    with timezone.override(tz):
        if request.method == "POST":
            form = WindowForm(request.POST, instance=window)
            if form.is_valid():
                warnings = safety.warnings_for(form.asset_ids())
                reason = form.cleaned_data["safety_reason"].strip()
                if warnings and not reason:
                    form.add_error(
                        "safety_reason",
                        "The safety check warns (above): give a reason to proceed, or change "
                        "the assets.",
                    )
                else:
                    saved = _save(request, form, warnings, reason)
                    return redirect("maintenance:detail", pk=saved.pk)
        else:
            form = WindowForm(instance=window, initial=None if window else _initial(request, site))
        return render(
            request,
            "maintenance/form.html",
            {"form": form, "window": window, "warnings": warnings, "tz": str(tz)},
        )


@transaction.atomic
def _save(request: HttpRequest, form: WindowForm, warnings: list[str], reason: str):
    window = form.save(commit=False)
    window.safety_warnings = "\n".join(warnings)
    window.safety_reason = reason if warnings else ""
    if window.pk is None:
        window.created_by = request.user
    window.save()
    form.save_m2m()
    window.devices.set(form.cleaned_data["device_names"])
    order, _ = WorkOrder.objects.get_or_create(window=window)
    order.fill_from(form.cleaned_data.get("template"))
    messages.success(request, f"Saved “{window.title}”.")
    return window
