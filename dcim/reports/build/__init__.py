"""The four reports, each one function of (site, now) that returns a ``content.Report``
filled from the figures the owning apps compute."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from dcim.inventory.models import Site
from dcim.reports.build import availability, capacity, daily, energy
from dcim.reports.choices import ReportKind
from dcim.reports.content import Report

BUILDERS: dict[str, Callable[[Site, datetime], Report]] = {
    ReportKind.DAILY_OPERATIONS: daily.build,
    ReportKind.WEEKLY_CAPACITY: capacity.build,
    ReportKind.MONTHLY_ENERGY: energy.build,
    ReportKind.MONTHLY_AVAILABILITY: availability.build,
}


def build(kind: str, site: Site, now: datetime) -> Report:
    """The report ``kind`` for ``site`` as of ``now``; KeyError for an unknown kind."""
    return BUILDERS[kind](site, now)
