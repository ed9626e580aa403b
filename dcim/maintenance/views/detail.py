"""One window: its assets (and what they carry), the safety check's words, the work order
with its checklist and attachments, and the history. Viewers read; Operators act."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from dcim.maintenance.assets import expand
from dcim.maintenance.forms import AttachmentForm, ItemForm
from dcim.maintenance.models import MaintenanceWindow, WorkOrder
from dcim.maintenance.views.access import ACT, WORK
from dcim.maintenance.views.cells import STATE_TONES
from dcim.maintenance.views.history import timeline


@require_safe
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    window = get_object_or_404(MaintenanceWindow.objects.select_related("site", "schedule"), pk=pk)
    order, _ = WorkOrder.objects.get_or_create(window=window)
    tz, now = window.tz, timezone.now()
    e = expand(window)
    items = list(order.items.select_related("checked_by"))
    can_work = request.user.has_perm(WORK)
    return render(
        request,
        "maintenance/detail.html",
        {
            "window": window,
            "tone": "crit" if window.is_overdue(now) else STATE_TONES[window.state],
            "overdue": window.is_overdue(now),
            "tz": tz,
            "starts": window.starts_at.astimezone(tz),
            "ends": window.ends_at.astimezone(tz),
            "actual_start": window.actual_start and window.actual_start.astimezone(tz),
            "actual_end": window.actual_end and window.actual_end.astimezone(tz),
            "assets": window.asset_names(),
            "down_count": len(e.down),
            "affected_count": len(e.affected),
            "warnings": [w for w in window.safety_warnings.splitlines() if w],
            "order": order,
            "items": [(i, ItemForm(instance=i, prefix=f"i{i.pk}")) for i in items],
            "failed": [i for i in items if i.result == "fail"],
            "attachments": list(order.attachments.select_related("uploaded_by")),
            "attachment_form": AttachmentForm(),
            "can_act": request.user.has_perm(ACT),
            "can_work": can_work,
            "history": timeline(window, tz),
        },
    )
