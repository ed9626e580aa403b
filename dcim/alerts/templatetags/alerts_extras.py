"""``{{ when|in_tz:"Europe/Paris" }}``: a time in a site's own time zone."""

from __future__ import annotations

import zoneinfo
from datetime import datetime

from django import template

register = template.Library()


@register.filter
def in_tz(value: datetime | None, tz: str) -> datetime | None:
    if value is None:
        return None
    try:
        return value.astimezone(zoneinfo.ZoneInfo(tz or "UTC"))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return value
