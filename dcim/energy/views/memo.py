"""Keep what the Power & PUE page derives from the ledger between its refreshes.

The page refreshes every few seconds; what it states from the ledger changes when an hour
ends, when the ledger run rewrites an ended hour with other values (late data, a
backfill), or when a tariff, carbon factor or certificate is edited. Results are cached
under keys made of exactly those inputs:

- ``ledger_version``: what the site's ended boundary hours hold. A run every 5 minutes
  rewrites the last hour or two (delete and insert: new ids, usually the same values) and,
  after a backfill, older hours too. So the version is the content of the last
  ``RECENT_HOURS`` ended hours (an md5 of the rows as text, exact) and, for the hours
  before, their count and newest id: any rewrite of an older hour gives a new id, any
  removal a smaller count.
- ``factors_digest``: the site's name and zone, its tariffs with their bands, carbon
  factors, renewable certificates, and the minimum coverage setting.
- the hour ``now`` falls in (an open period counts the ended hours), and the period.

The figures (and the days behind the PUE trend) are keyed on all of these: a figure under
such a key is the one ``compute`` gives for those inputs, so the page equals ``manage.py
energy --json`` at any moment. Attribution and the forecast, which count only ended hours
and cost far more, are keyed the same way: recomputed once an hour and after a backfill,
while a rack given to another tenant shows the next hour. Reach dates are keyed on the
UTC day and on ``history_version`` (a backfill or rebuild of past days).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import connection

from dcim.energy.figures import min_coverage
from dcim.energy.models import CarbonFactor, RenewableCertificate, Tariff, TariffBand
from dcim.inventory.models import Site

T = TypeVar("T")
HOUR = timedelta(hours=1)
TTL_S = 3600  # nothing here is kept past the hour it was computed in


def memo(parts: tuple, compute: Callable[[], T], ttl: int = TTL_S) -> T:
    """``compute()``, kept under a digest of ``parts`` (what it is computed from)."""
    key = "energy-page:" + hashlib.sha256(repr(parts).encode()).hexdigest()
    found = cache.get(key)
    if found is None:  # kept in a 1-tuple, so that a None result is kept too
        found = (compute(),)
        cache.set(key, found, ttl)
    return found[0]


RECENT_HOURS = 3  # a run rewrites from an hour before its last end: 2 h, and one to spare
VERSION_SQL = """
SELECT
    (SELECT count(*) FROM energy_boundaryhour WHERE site_id = %(site)s AND hour < %(recent)s),
    (SELECT max(id) FROM energy_boundaryhour WHERE site_id = %(site)s AND hour < %(recent)s),
    (SELECT md5(string_agg(
                concat_ws(',', room_id, hour, facility_kwh, facility_cov, it_ups_kwh,
                          it_ups_cov, it_pdu_kwh, it_pdu_cov, it_input_kwh, it_input_cov,
                          cooling_kwh, cooling_cov, other_kwh, other_cov, renewable_kwh,
                          renewable_cov, water_l, water_cov),
                ';' ORDER BY room_id NULLS FIRST, hour))
     FROM energy_boundaryhour
     WHERE site_id = %(site)s AND hour >= %(recent)s AND hour < %(end)s)
"""


def ledger_version(site: Site, hour: datetime) -> tuple:
    """What the site's boundary hours before ``hour`` hold (see the module's doc)."""
    params = {"site": site.pk, "recent": hour - RECENT_HOURS * HOUR, "end": hour}
    with connection.cursor() as cur:
        cur.execute(VERSION_SQL, params)
        return tuple(cur.fetchone())


def history_version(site: Site, before: datetime) -> tuple:
    """Count and newest id of the site's boundary hours before ``before``: unchanged by the
    5-minute runs (they rewrite the last hours), changed by a backfill or rebuild."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*), max(id) FROM energy_boundaryhour WHERE site_id = %s AND hour < %s",
            [site.pk, before],
        )
        return tuple(cur.fetchone())


def factors_digest(site: Site) -> str:
    """A digest of everything a site's figures read besides its boundary hours."""
    parts: list[Any] = [site.name, site.timezone, min_coverage()]
    parts += list(Tariff.objects.filter(site=site).order_by("pk").values_list())
    parts += list(TariffBand.objects.filter(tariff__site=site).order_by("pk").values_list())
    parts += list(CarbonFactor.objects.filter(site=site).order_by("pk").values_list())
    parts += list(RenewableCertificate.objects.filter(site=site).order_by("pk").values_list())
    return hashlib.sha256(repr(parts).encode()).hexdigest()
