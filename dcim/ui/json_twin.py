"""One builder, two views: every page has a JSON twin with the same data and permissions.

A page module writes ``build(request, **url_kwargs) -> dict`` once. ``page_and_api`` turns
it into the HTML view (the template renders the dict) and the JSON view (the live refresh
and integrators read the dict). Both go through the same login middleware, so a Viewer who
sees a page can read its data, and an unknown id is a 404 in both.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable
from functools import wraps
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_safe

from dcim.inventory.models import Site
from dcim.ui.tables import pooled
from telemetry.polling import shortest_interval_s

Builder = Callable[..., dict[str, Any]]


def fleet_tz() -> ZoneInfo:
    """The zone fleet-wide pages show times in: the site's, when there is one site (the
    usual case); the server's otherwise. Per-device pages use the device's own site."""
    zones = list(Site.objects.values_list("timezone", flat=True).distinct()[:2])
    return ZoneInfo(zones[0] if len(zones) == 1 else settings.TIME_ZONE)


def stamp(data: dict[str, Any], tz: ZoneInfo) -> dict[str, Any]:
    """Add when the data was read, in the zone's words, for the "updated at" line."""
    now = timezone.now()
    data.setdefault("tz", str(tz))
    data["generated_at"] = now.isoformat()
    data["generated_text"] = f"{now.astimezone(tz):%Y-%m-%d %H:%M:%S %Z}"
    return data


def refresh_seconds() -> int:
    """How often pages refresh: the setting if given, else the shortest enabled poll
    interval (refreshing faster than data arrives only costs queries)."""
    forced = getattr(settings, "DASHBOARD_REFRESH_S", None)
    if forced:
        return int(forced)
    return int(max(5, shortest_interval_s()))


def page_and_api(template: str, build: Builder, api_url: str) -> tuple[Callable, Callable]:
    """The HTML view and the JSON view of one builder; ``api_url`` names the JSON view's
    URL (e.g. ``"dashboard:gpus_api"``), which the page polls."""

    @require_safe
    @wraps(build)
    def page(request: HttpRequest, **kwargs: Any) -> HttpResponse:
        data = build(request, **kwargs)
        context = {
            "data": data,
            "live_url": reverse(api_url, kwargs=kwargs or None),
            "refresh_s": refresh_seconds(),
        }
        if request.GET:
            context["live_url"] += "?" + request.GET.urlencode()
        return render(request, template, context)

    @require_safe
    def api(request: HttpRequest, **kwargs: Any) -> JsonResponse:
        return json_response(request, build(request, **kwargs))

    api.__name__ = api.__qualname__ = f"{build.__name__}_api"
    api.__doc__ = f"JSON of the page: {build.__doc__ or ''}"
    return page, api


def json_response(request: HttpRequest, data: dict[str, Any]) -> JsonResponse:
    """Compact JSON, never cached, tables pooled (``tables.pooled``), gzipped at level 1
    when the client accepts it.

    Level 1 rather than GZipMiddleware's 6: the GPU table (800 kB of JSON) compresses to
    about the same size in a fifth of the time, which is what keeps it within 200 ms.
    JSON carries no secrets, so compressing it gives BREACH nothing to work with.
    """
    if "tables" in data:
        data = {**data, "tables": {k: pooled(rows) for k, rows in data["tables"].items()}}
    response = JsonResponse(data, json_dumps_params={"separators": (",", ":")})
    response["Cache-Control"] = "no-store"
    patch_vary_headers(response, ["Accept-Encoding"])
    if len(response.content) > 1024 and "gzip" in request.headers.get("Accept-Encoding", ""):
        response.content = gzip.compress(response.content, compresslevel=1, mtime=0)
        response["Content-Encoding"] = "gzip"
    return response


def bad_request(message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=400)
