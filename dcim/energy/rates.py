"""What each ledger hour costs and emits: the tariff and carbon factor in force then.

Both are looked up per hour in the site's local time, so a time-of-use band boundary or a
factor that changes mid-period splits a figure exactly at the hour it takes effect.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np

from dcim.energy.models import CarbonFactor, Tariff
from dcim.inventory.models import Site


def _in_band(band, local: datetime) -> bool:
    if str(local.isoweekday()) not in band.weekdays:
        return False
    h, s, e = local.hour, band.start.hour, band.end.hour
    return s <= h < e if s < e else (h >= s or h < e)  # end ≤ start crosses midnight


def prices(site: Site, hours: list[datetime]) -> tuple[np.ndarray, str | None, str]:
    """(price per kWh for each hour, currency, problem). NaN where no tariff is in force.
    Tariffs in more than one currency over the hours give no currency and a problem."""
    tariffs = list(Tariff.objects.filter(site=site).prefetch_related("bands"))
    out = np.full(len(hours), np.nan)
    if not tariffs:
        return out, None, "no tariff"
    zone = ZoneInfo(site.timezone)
    starts = np.array([t.valid_from for t in tariffs], dtype=object)
    used = set()
    for i, h in enumerate(hours):
        k = int(np.searchsorted(starts, h, side="right")) - 1
        if k < 0:
            continue
        tariff = tariffs[k]
        used.add(tariff.currency)
        local = h.astimezone(zone)
        price = tariff.price_per_kwh
        for band in tariff.bands.all():
            if _in_band(band, local):
                price = band.price_per_kwh
                break
        out[i] = float(price)
    if len(used) > 1:
        return out, None, f"tariffs in {len(used)} currencies ({', '.join(sorted(used))})"
    return out, (used.pop() if used else None), ""


def carbon(site: Site, hours: list[datetime]) -> np.ndarray:
    """kg CO2eq per kWh in force at each hour; NaN before the first factor."""
    factors = list(
        CarbonFactor.objects.filter(site=site).values_list("valid_from", "kg_co2_per_kwh")
    )
    out = np.full(len(hours), np.nan)
    if not factors:
        return out
    starts = np.array([f[0] for f in factors], dtype=object)
    for i, h in enumerate(hours):
        k = int(np.searchsorted(starts, h, side="right")) - 1
        if k >= 0:
            out[i] = factors[k][1]
    return out
