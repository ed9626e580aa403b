"""Warm the Power & PUE page's cache after each ledger run, so no user waits for it.

What the page derives from the ledger (figures per period and per room, the days behind
the PUE trend, attribution to racks and tenants, the forecast, the per-rack reach dates)
takes over a second on a large site, and is kept in the shared cache under keys of its
inputs (``memo``). A ledger run changes those inputs, and the hour's turn changes the keys;
computing them right after the run, in the Celery worker, means the page's next request
finds them. ``warm`` calls the page's own builders (``gather`` and ``records``), so it fills
exactly the keys a request reads, never a look-alike of them.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction

from dcim.energy.views.gather import gather, records
from dcim.inventory.models import Site

log = logging.getLogger(__name__)


def warm(site: Site, now: datetime) -> None:
    """Compute and keep everything the page reads from the cache for ``site`` at ``now``:
    ``gather`` fills the figures, days, forecast and reach dates; the racks table fills
    attribution (racks and tenants are kept under one key)."""
    report = gather(site, now)
    records(report, "racks")


def warm_sites(now: datetime) -> list[str]:
    """``warm`` every site that has an enabled meter; returns the slugs warmed. A site that
    fails is logged and skipped: warming is an optimisation, the page computes on a miss.
    Each site runs in its own savepoint, so a database error leaves the connection usable
    for the next."""
    warmed = []
    for site in Site.objects.filter(meters__enabled=True).distinct().order_by("name"):
        try:
            with transaction.atomic():
                warm(site, now)
        except Exception:
            log.exception("warming the Power & PUE page of site %s failed", site.slug)
            continue
        warmed.append(site.slug)
    return warmed
