"""The Alerts page: what is firing and pending now, acting on it, and the history.

Viewers see everything; acting (acknowledge, silence, expire a silence) needs the
Operator's permissions on the alerts app and is a POST with CSRF, else 403.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from dcim.alerts.forms import AckForm, HistoryFilter, SilenceForm
from dcim.alerts.links import rack_url, subject_url
from dcim.alerts.models import OPEN_STATES, Alert, AlertEvent, EventKind, Silence, State
from dcim.alerts.queries import active_silences, is_silenced, summary

SEVERITY_ORDER = {"critical": 0, "warning": 1, "info": 2}


def _rows(alerts: list[Alert], silences: list[Silence]) -> list[dict]:
    """Alerts with what the page shows beside them (links, silenced, site time zone)."""
    rows = []
    for a in alerts:
        device = a.device
        rows.append({
            "alert": a,
            "subject_url": subject_url(a),
            "rack": device.rack if device and device.rack_id else None,
            "rack_url": rack_url(device.rack_id) if device and device.rack_id else None,
            "tz": device.site.timezone if device else "UTC",
            "silenced": is_silenced(a, silences),
        })  # fmt: skip
    return rows


def _active(request: HttpRequest) -> dict:
    alerts = list(
        Alert.objects.filter(state__in=OPEN_STATES)
        .select_related("rule", "device__rack", "device__site", "acknowledged_by")
        .order_by("started_at")[:500]
    )
    alerts.sort(key=lambda a: (a.state != State.FIRING, SEVERITY_ORDER[a.severity],
                               a.started_at))  # fmt: skip
    rows = _rows(alerts, active_silences())
    return {
        "firing": [r for r in rows if r["alert"].state == State.FIRING],
        "pending": [r for r in rows if r["alert"].state == State.PENDING],
        "can_act": request.user.has_perm("alerts.change_alert"),
        "can_silence": request.user.has_perm("alerts.add_silence"),
        "counts": summary(),
    }


@require_safe
def alert_list(request: HttpRequest) -> HttpResponse:
    flt = HistoryFilter(request.GET or None)
    history = Alert.objects.select_related("rule", "device__rack", "device__site").order_by(
        "-started_at"
    )
    if flt.is_valid():
        data = flt.cleaned_data
        if data["state"]:
            history = history.filter(state=data["state"])
        if data["severity"]:
            history = history.filter(severity=data["severity"])
        if data["rule"]:
            history = history.filter(rule=data["rule"])
        if data["since"]:
            history = history.filter(started_at__gte=data["since"])
    page = Paginator(history, 50).get_page(request.GET.get("page"))
    context = _active(request) | {
        "filter": flt,
        "page": page,
        "history": _rows(list(page.object_list), []),
        "querystring": request.GET.copy().urlencode() if request.GET else "",
    }
    return render(request, "alerts/list.html", context)


@never_cache
@require_safe
def live(request: HttpRequest) -> JsonResponse:
    """The live refresh: counts, and the active tables as HTML (rendered like the page)."""
    context = _active(request)
    html = render_to_string("alerts/includes/active.html", context, request=request)
    return JsonResponse({"counts": context["counts"], "html": html,
                         "at": timezone.now().isoformat()})  # fmt: skip


@require_safe
def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_object_or_404(
        Alert.objects.select_related("rule", "device__rack", "device__site", "acknowledged_by"),
        pk=pk,
    )
    [row] = _rows([alert], active_silences())
    return render(request, "alerts/detail.html", {
        "row": row, "alert": alert,
        "events": alert.events.select_related("user"),
        "notices": alert.notices.select_related("channel")[:100],
        "can_act": request.user.has_perm("alerts.change_alert"),
        "can_silence": request.user.has_perm("alerts.add_silence"),
        "silence_form": SilenceForm(),
    })  # fmt: skip


def _back(request: HttpRequest, alert: Alert) -> HttpResponse:
    nxt = request.POST.get("next", "")
    return redirect(nxt if nxt.startswith("/alerts/") else "alerts:list")


@require_POST
def acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.has_perm("alerts.change_alert"):
        raise PermissionDenied("Acknowledging alerts needs the Operator role.")
    alert = get_object_or_404(Alert, pk=pk)
    form = AckForm(request.POST)
    if form.is_valid():
        if form.cleaned_data["undo"]:
            alert.unacknowledge(request.user)
            messages.success(request, f"Acknowledgement removed: {alert.rule.name}.")
        elif not alert.acknowledged:
            alert.acknowledge(request.user, form.cleaned_data["comment"])
            messages.success(request, f"Acknowledged: {alert.rule.name} on "
                                      f"{alert.subject_label}.")  # fmt: skip
    return _back(request, alert)


@require_POST
def silence(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.has_perm("alerts.add_silence"):
        raise PermissionDenied("Silencing alerts needs the Operator role.")
    alert = get_object_or_404(Alert.objects.select_related("rule"), pk=pk)
    form = SilenceForm(request.POST)
    if not form.is_valid():
        messages.error(request, "A silence needs a duration and a reason.")
        return _back(request, alert)
    now = timezone.now()
    if form.cleaned_data["scope"] == "device" and alert.labels.get("device"):
        matchers = {"device": alert.labels["device"]}
    else:
        matchers = {"rule": alert.rule.name, "device": alert.labels.get("device", ""),
                    "component": alert.component}  # fmt: skip
    s = Silence.objects.create(
        matchers=matchers, starts_at=now, ends_at=now + timedelta(hours=form.cleaned_data["hours"]),
        created_by=request.user, reason=form.cleaned_data["reason"],
    )  # fmt: skip
    AlertEvent.objects.create(alert=alert, at=now, kind=EventKind.SILENCED, user=request.user,
                              note=f"{s} — {s.reason}"[:500])  # fmt: skip
    messages.success(request, f"Silenced until {s.ends_at:%Y-%m-%d %H:%M} UTC.")
    return _back(request, alert)


@require_safe
def silence_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    silences = Silence.objects.select_related("created_by")
    return render(request, "alerts/silences.html", {
        "active": silences.filter(starts_at__lte=now, ends_at__gt=now),
        "upcoming": silences.filter(starts_at__gt=now),
        "expired": silences.filter(ends_at__lte=now)[:50],
        "can_act": request.user.has_perm("alerts.change_silence"),
    })  # fmt: skip


@require_POST
def expire_silence(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.has_perm("alerts.change_silence"):
        raise PermissionDenied("Expiring silences needs the Operator role.")
    s = get_object_or_404(Silence, pk=pk)
    now = timezone.now()
    if s.ends_at > now:
        s.ends_at = max(now, s.starts_at + timedelta(microseconds=1))
        s.save(update_fields=["ends_at"])
        messages.success(request, "Silence expired.")
    return redirect("alerts:silences")
