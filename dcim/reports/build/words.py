"""How reports write numbers: a dash for "no figure", units always stated."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

DASH = "—"


def num(value: float | None, digits: int = 2, unit: str = "") -> str:
    if value is None:
        return DASH
    text = f"{value:,.{digits}f}"
    return f"{text} {unit}" if unit else text


def pct(fraction: float | None, digits: int = 1) -> str:
    return DASH if fraction is None else f"{fraction * 100:.{digits}f} %"


def local(t: datetime | None, tz: ZoneInfo, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return DASH if t is None else t.astimezone(tz).strftime(fmt)


def hours(d: timedelta | None) -> float | None:
    return None if d is None else round(d.total_seconds() / 3600, 3)


def minutes(d: timedelta | None) -> float | None:
    return None if d is None else round(d.total_seconds() / 60, 2)
