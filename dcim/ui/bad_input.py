"""Input no view can store or search: refused with a clear 400, never a 500.

PostgreSQL text cannot hold a NUL character: a ``\\x00`` in a search box, a chart's
parameters or a form field reached the database as a DataError, a 500 and an alarming log.
No field of this product has a use for one, so a request carrying one in a query
parameter or a form field is answered 400 naming the parameter, before any view runs.

Times typed by people (the alert history's "since", a chart's custom range) go through
``storable_time``: an offset no zone has (PostgreSQL refuses "+23:59"), or a year that
cannot be carried to UTC (year 1 east of Greenwich), is said to be out of range.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
MAX_OFFSET = timedelta(hours=14)  # the widest real zones: UTC-12 to UTC+14
YEARS = (1970, 9998)


def storable_time(when: datetime) -> datetime:
    """An aware time as UTC; ValueError, saying why, when no database query can use it."""
    offset = when.utcoffset()
    if offset is not None and abs(offset) > MAX_OFFSET:
        raise ValueError("the time zone offset must be between -14:00 and +14:00")
    try:
        utc = when.astimezone(UTC)
    except OverflowError:
        utc = None
    if utc is None or not YEARS[0] <= utc.year <= YEARS[1]:
        raise ValueError(f"the time must be between {YEARS[0]} and {YEARS[1]}")
    return utc


def nul_parameter(request: HttpRequest) -> str | None:
    """The name of the first parameter holding a NUL character (in its name or value)."""
    params = [request.GET]
    if request.method == "POST" and request.content_type in FORM_TYPES:
        params.append(request.POST)
    for query in params:
        for key, values in query.lists():
            if "\x00" in key or any("\x00" in v for v in values):
                return key.replace("\x00", "\\x00")
    return None


def refuse(request: HttpRequest, message: str) -> HttpResponse:
    """A 400 in the form the caller reads: JSON for the JSON twins and polls, else text."""
    if "json" in request.headers.get("Accept", "") or "/api/" in request.path:
        return HttpResponseBadRequest(
            json.dumps({"error": message}), content_type="application/json"
        )
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


class RejectNulMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        name = nul_parameter(request)
        if name is not None:
            return refuse(request, f"Bad request: the parameter {name!r} holds a NUL character.")
        return self.get_response(request)
