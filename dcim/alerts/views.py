"""The Alerts page: what is firing and pending now, acting on it, and the history.

Viewers see everything; acting (acknowledge, silence, expire a silence) needs the
Operator's permissions on the alerts app and is a POST with CSRF, else 403.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from functools import lru_cache

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F, OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from dcim.alerts.forms import AckForm, HistoryFilter, SilenceForm
from dcim.alerts.links import SubjectLinks
from dcim.alerts.models import OPEN_STATES, Alert, Notification, Severity, Silence, State
from dcim.alerts.queries import active_silences, is_silenced, summary
from dcim.alerts.values import local, site_zone, value_raw, value_text
from dcim.ui.json_twin import fleet_tz
from dcim.ui.tables import linker
from dcim.ui.templatetags.status import status_badge

SEVERITY_ORDER = {"critical": 0, "warning": 1, "info": 2}


# The alert columns the tables show (plus labels, which silences match on): a full row with
# its joined relations is ~100 columns.
ROW_FIELDS = (
    "subject_label",
    "device",
    "component",
    "target",
    "state",
    "severity",
    "value",
    "started_at",
    "fired_at",
    "resolved_at",
    "cleared_since",
    "summary",
    "labels",
    "acknowledged_at",
)


def _with_names(alerts: QuerySet[Alert]) -> QuerySet[Alert]:
    """``alerts`` with the names a row shows of their relations, as joined columns.

    Not ``select_related``: building a rule, device, rack, site and user model per row
    cost more than the query itself, and a row needs one column of each.
    """
    return alerts.annotate(
        rule_name=F("rule__name"),
        rule_source=F("rule__source"),
        rule_metric=F("rule__metric"),
        rule_condition=F("rule__condition"),
        rack_pk=F("device__rack_id"),
        rack_name=F("device__rack__name"),
        site_tz=F("device__site__timezone"),
        ack_by=F("acknowledged_by__username"),  # what str(user) shows
        # Why the latest notice was held back ("in maintenance: <window>"), if it was.
        last_held=Subquery(
            Notification.objects.filter(alert=OuterRef("pk"))
            .order_by("-created_at", "-pk")
            .values("reason")[:1]
        ),
    )


def _rows(alerts: list[Alert], silences: list[Silence]) -> list[dict]:
    """Alerts (loaded through ``_with_names``) with every cell the tables show, as text.

    The templates print these as they are. Per row, ``{% url %}`` tags, ``date`` filters
    and badge tags cost more than the rest of the page (the live tables refresh every 10 s
    with up to 500 alerts), so links come from patterns resolved once, a badge is built
    once per status, and times are formatted here.

    Times are in the site's own zone ("Since (site time)"); an alert with no device (a
    collection target's) in the fleet's. Values read as the device page shows them
    (``values.value_text``: "down", not "2.00"), the stored number on hover.
    """
    links = SubjectLinks()
    detail_url, ack_url, silence_url = (linker(f"alerts:{n}") for n in ("detail", "ack", "silence"))
    severities, states = dict(Severity.choices), dict(State.choices)  # as get_FOO_display
    rows, zones = [], {}
    for a in alerts:
        name = a.site_tz if a.device_id else None
        zone = zones.get(name) or zones.setdefault(name, site_zone(name))
        started = a.started_at.astimezone(zone)
        rows.append(
            {
                "alert": a,
                "pk": a.pk,
                "severity": a.severity,
                "severity_badge": _badge(a.severity, severities.get(a.severity, a.severity)),
                "state_badge": _badge(a.state, states.get(a.state, a.state)),
                "rule": a.rule_name,
                "summary": a.summary,
                "subject": a.subject_label,
                "subject_url": links.subject(a),
                "rack_name": a.rack_name,
                "rack_url": links.rack(a.rack_pk) if a.rack_pk else None,
                "zone": zone,
                "started_iso": started.isoformat(),
                "started": _stamp(started),
                "fired": _clock(a.fired_at, zone),
                "cleared": _clock(a.cleared_since, zone),
                "resolved": _stamp(a.resolved_at.astimezone(zone)) if a.resolved_at else "",
                "value": value_text(a.value, a.rule_source, a.rule_metric, a.rule_condition),
                "value_raw": value_raw(a.value, a.rule_source, a.rule_metric),
                "acknowledged": a.acknowledged,
                "acknowledged_by": a.ack_by or "?",
                "silenced": is_silenced(a, silences),
                "maintenance": a.last_held if "maintenance" in (a.last_held or "") else "",
                "detail_url": detail_url(a.pk),
                "ack_url": ack_url(a.pk),
                "silence_url": silence_url(a.pk),
            }
        )
    return rows


@lru_cache(maxsize=256)
def _badge(value: str, label: str) -> str:
    """``{% status_badge value label %}``, built once per status: rows share a handful."""
    return status_badge(value, label)


def _stamp(local: datetime) -> str:
    """As ``|date:"Y-m-d H:i:s T"`` shows a time already in the zone to show."""
    return f"{local:%Y-%m-%d %H:%M:%S} {local.tzname()}"


def _clock(ts: datetime | None, zone: tzinfo) -> str:
    """As ``|date:"H:i:s T"`` in ``zone`` (the zone named); empty for no time."""
    return f"{ts.astimezone(zone):%H:%M:%S %Z}" if ts else ""


def _active(request: HttpRequest) -> dict:
    """The live part of the page: counts, and the firing and pending tables' rows."""
    open_alerts = _with_names(Alert.objects.filter(state__in=OPEN_STATES).only(*ROW_FIELDS))
    alerts = list(open_alerts.order_by("started_at", "pk")[:500])  # pk: a stable order of ties
    alerts.sort(key=lambda a: (a.state != State.FIRING, SEVERITY_ORDER[a.severity], a.started_at))
    silences = active_silences()
    rows = _rows(alerts, silences)
    return {
        "firing": [r for r in rows if r["alert"].state == State.FIRING],
        "pending": [r for r in rows if r["alert"].state == State.PENDING],
        "can_act": request.user.has_perm("alerts.change_alert"),
        "can_silence": request.user.has_perm("alerts.add_silence"),
        "counts": summary(silences),
    }


@require_safe
def alert_list(request: HttpRequest) -> HttpResponse:
    zone = fleet_tz()
    flt = HistoryFilter(request.GET or None)
    # pk breaks ties in time (alerts of one poll start together): no row on two pages
    history = _with_names(Alert.objects.only(*ROW_FIELDS)).order_by("-started_at", "-pk")
    with timezone.override(zone):  # "since" is typed in the site's time, as pages show it
        valid = flt.is_valid()
    if valid:
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
        "zone": zone,
    }
    # A filter that cannot be applied (a time out of range, an unknown rule) is a 400 that
    # says why, never a page that silently shows everything.
    status = 400 if flt.is_bound and not valid else 200
    return render(request, "alerts/list.html", context, status=status)


@never_cache
@require_safe
def live(request: HttpRequest) -> JsonResponse:
    """The live refresh: counts, and the active tables as HTML (rendered like the page)."""
    context = _active(request)
    html = render_to_string("alerts/includes/active.html", context, request=request)
    return JsonResponse(
        {"counts": context["counts"], "html": html, "at": timezone.now().isoformat()}
    )


@require_safe
def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_object_or_404(
        _with_names(Alert.objects.select_related("rule", "acknowledged_by")), pk=pk
    )
    [row] = _rows([alert], active_silences())
    events = list(alert.events.select_related("user"))
    for e in events:
        e.shown = value_text(e.value, alert.rule.source, alert.rule.metric, alert.rule.condition)
        e.raw = value_raw(e.value, alert.rule.source, alert.rule.metric)
    return render(
        request,
        "alerts/detail.html",
        {
            "row": row,
            "alert": alert,
            "events": events,
            "notices": alert.notices.select_related("channel")[:100],
            "can_act": request.user.has_perm("alerts.change_alert"),
            "can_silence": request.user.has_perm("alerts.add_silence"),
            "silence_form": SilenceForm(),
        },
    )


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
            if alert.acknowledged:  # a second click of "undo" changes nothing
                alert.unacknowledge(request.user)
            messages.success(request, f"Acknowledgement removed: {alert.rule.name}.")
        elif not alert.acknowledged:
            alert.acknowledge(request.user, form.cleaned_data["comment"])
            messages.success(request, f"Acknowledged: {alert.rule.name} on {alert.subject_label}.")
    return _back(request, alert)


@require_POST
def silence(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.has_perm("alerts.add_silence"):
        raise PermissionDenied("Silencing alerts needs the Operator role.")
    alert = get_object_or_404(Alert.objects.select_related("rule", "device__site"), pk=pk)
    form = SilenceForm(request.POST)
    if not form.is_valid():
        messages.error(request, "A silence needs a duration and a reason.")
        return _back(request, alert)
    now = timezone.now()
    if form.cleaned_data["scope"] == "device" and alert.labels.get("device"):
        matchers = {"device": alert.labels["device"]}
    else:
        matchers = {
            "rule": alert.rule.name,
            "device": alert.labels.get("device", ""),
            "component": alert.component,
        }
    s = Silence.objects.create(
        matchers=matchers,
        starts_at=now,
        ends_at=now + timedelta(hours=form.cleaned_data["hours"]),
        created_by=request.user,
        reason=form.cleaned_data["reason"],
    )
    alert.record_silence(s, request.user, at=now)
    zone = site_zone(alert.device.site.timezone if alert.device_id else None)
    messages.success(request, f"Silenced until {local(s.ends_at, zone, seconds=False)}.")
    return _back(request, alert)


@require_safe
def silence_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    silences = Silence.objects.select_related("created_by")
    return render(
        request,
        "alerts/silences.html",
        {
            "active": silences.filter(starts_at__lte=now, ends_at__gt=now),
            "upcoming": silences.filter(starts_at__gt=now),
            "expired": silences.filter(ends_at__lte=now)[:50],
            "can_act": request.user.has_perm("alerts.change_silence"),
            "zone": fleet_tz(),
        },
    )


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
