"""The Reports page: subscriptions (with their next runs in site time), who changed them,
the archive of sent reports with every attempt, and the previews. Viewers read it;
Admins and Operators also get the form to subscribe, the "send now" buttons and, per
subscription, edit, enable or disable, and delete (views/manage.py)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from dcim.inventory.models import Site
from dcim.reports import schedule
from dcim.reports.choices import ReportKind
from dcim.reports.forms import SubscriptionForm
from dcim.reports.models import Delivery, Subscription
from dcim.ui.history import change_words
from dcim.ui.json_twin import json_response

ARCHIVE_ROWS = 50
CHANGE_ROWS = 30


def local_time(t, tz: str) -> str:
    """``t`` in zone ``tz`` as people read it ("2026-12-07 07:00 CET"); "" for None."""
    return "" if t is None else f"{t.astimezone(ZoneInfo(tz)):%Y-%m-%d %H:%M %Z}"


def build(request: HttpRequest) -> dict:
    subs = Subscription.objects.select_related("site").prefetch_related("users", "groups")
    subscriptions = [
        {
            "id": s.pk,
            "name": s.name,
            "report": s.report,
            "report_name": s.get_report_display(),
            "site": s.site.name,
            "rule": s.rule,
            "tz": s.site.timezone,
            "enabled": s.enabled,
            "next_run_at": s.next_run_at.isoformat() if s.next_run_at else None,
            "state": "enabled" if s.enabled else "disabled",
            "next_run_text": (
                (local_time(s.next_run_at, s.site.timezone) or "not scheduled")
                if s.enabled
                else "none: disabled"
            ),
            "upcoming": [
                local_time(t, s.site.timezone)
                for t in (
                    schedule.upcoming(s.rule, s.starts_on, s.site.timezone, s.next_run_at, 2)
                    if s.next_run_at
                    else []
                )
            ],
            "recipients": len(s.recipients()),
            "send_url": reverse("reports:send_now", args=[s.pk]),
            "edit_url": reverse("reports:edit", args=[s.pk]),
            "enabled_url": reverse("reports:set_enabled", args=[s.pk]),
            "delete_url": reverse("reports:delete", args=[s.pk]),
        }
        for s in subs
    ]
    archive = [
        {
            "id": d.pk,
            "report_name": d.get_report_display(),
            "title": d.title,
            "site": d.site.name,
            "trigger": d.trigger,
            "created_at": d.created_at.isoformat(),
            "created_text": local_time(d.created_at, d.site.timezone),
            "status": d.status,
            "recipients": d.recipients,
            "size_bytes": d.size_bytes,
            "error": d.error,
            "pdf_url": reverse("reports:archived_pdf", args=[d.pk]) if d.pdf else None,
            "attempts": [
                {
                    "number": a.number,
                    "at": a.at.isoformat(),
                    "at_text": local_time(a.at, d.site.timezone),
                    "result": a.result,
                    "error": a.error,
                }
                for a in d.attempts.all()
            ],
        }
        for d in Delivery.objects.select_related("site").prefetch_related("attempts")[:ARCHIVE_ROWS]
    ]
    previews = [
        {
            "site": site.name,
            "reports": [
                {
                    "name": k.label,
                    "html": reverse("reports:preview", args=[k.value, site.slug]),
                    "json": reverse("reports:preview_api", args=[k.value, site.slug]),
                    "pdf": reverse("reports:preview_pdf", args=[k.value, site.slug]),
                }
                for k in ReportKind
            ],
        }
        for site in Site.objects.order_by("name")
    ]
    return {
        "subscriptions": subscriptions,
        "changes": changes(),
        "archive": archive,
        "previews": previews,
        "can_subscribe": request.user.has_perm("reports.add_subscription"),
        "can_send": request.user.has_perm("reports.change_subscription"),
        # Edit, enable or disable, delete: the same permission (see views/manage.py).
        "can_change": request.user.has_perm("reports.change_subscription"),
    }


def changes(limit: int = CHANGE_ROWS) -> list[dict]:
    """Who created, changed, disabled or deleted which subscription, newest first (the
    simple_history rows, deleted subscriptions included), in each site's time."""
    zones = dict(Site.objects.values_list("pk", "timezone"))
    rows = Subscription.history.select_related("history_user").order_by("-history_date")
    return [
        {
            "at": r.history_date.isoformat(),
            "at_text": local_time(r.history_date, zones.get(r.site_id, "UTC")),
            "who": str(r.history_user) if r.history_user else "system",
            "subscription": r.name,
            "changes": change_words(r),
        }
        for r in rows[:limit]
    ]


def render_page(request: HttpRequest, form: SubscriptionForm | None = None, status: int = 200):
    data = build(request)
    if data["can_subscribe"] and form is None:
        form = SubscriptionForm()
    return render(request, "reports/page.html", {"data": data, "form": form}, status=status)


@require_safe
def page(request: HttpRequest) -> HttpResponse:
    return render_page(request)


@require_safe
def page_api(request: HttpRequest) -> JsonResponse:
    """JSON of the Reports page: subscriptions, archive and previews."""
    return json_response(request, build(request))


@require_safe
def archived_pdf(request: HttpRequest, pk: int) -> FileResponse:
    """The archived PDF of one delivery (login required, like every page)."""
    d = get_object_or_404(Delivery, pk=pk)
    if not d.pdf:
        raise Http404("This report's PDF is past its retention and was deleted.")
    return FileResponse(
        d.pdf.open("rb"), content_type="application/pdf", filename=d.pdf.name.rsplit("/", 1)[-1]
    )
