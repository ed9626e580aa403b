"""Operator-facing pages. Every view requires a login (LoginRequiredMiddleware) but /health."""

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from dcim.dashboard.overview import inventory_summary


@login_not_required
@never_cache
@require_safe
def health(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability for load balancers and docker healthchecks."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return JsonResponse({"status": "ok", "database": "ok"})
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)


@require_safe
def overview(request: HttpRequest) -> HttpResponse:
    """The landing page: what the inventory holds and in which state, site by site."""
    return render(request, "dashboard/overview.html", {"summary": inventory_summary()})
