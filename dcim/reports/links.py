"""Absolute links from a report back to the pages its figures come from."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse

from dcim.alerts.links import absolute


def page(name: str, *args, **query) -> str:
    """The absolute URL (DCIM_BASE_URL) of a named page with ``query``; "" while that page
    does not exist yet, so a report never carries a dead link."""
    try:
        path = reverse(name, args=args or None)
    except NoReverseMatch:
        return ""
    q = {k: v for k, v in query.items() if v is not None}
    return absolute(f"{path}?{urlencode(q)}" if q else path)
