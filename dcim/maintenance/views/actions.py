"""Start, finish and cancel a window (Operators; POST with CSRF)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from dcim.maintenance.models import MaintenanceWindow, TransitionError
from dcim.maintenance.views.access import ACT, require

DONE_WORDS = {"start": "Started", "finish": "Finished", "cancel": "Cancelled"}


@require_POST
def transition(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    require(request, ACT, "Changing maintenance")
    window = get_object_or_404(MaintenanceWindow, pk=pk)
    try:
        getattr(window, action)()
    except TransitionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{DONE_WORDS[action]} “{window.title}”.")
    return redirect("maintenance:detail", pk=pk)
