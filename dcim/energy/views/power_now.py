"""Facility and IT power now: the latest power reading of each meter of a sum.

A meter on an energy counter (``…_energy_joules_total``) has a power sibling on the same
device and component (``…_power_watts``): the counter gives energy, the sibling says what is
drawn now. The sum is "now" only when every meter of it has a fresh reading (within three
of its device's poll intervals, as a stale GPU is judged); otherwise the mean power of the
last ledger hour every meter covered is shown, and labelled as such, so a silent meter
never makes the site look lighter than it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from dcim.energy.figures import COVERED_HOUR
from dcim.energy.models import BoundaryHour, Meter, MeterKind
from dcim.energy.models.meter import FACILITY_KINDS, counted_once
from dcim.inventory.models import Site
from telemetry import freshness, store

HOUR = timedelta(hours=1)
LEDGER_FIELD = {
    MeterKind.IT_INPUT: "it_input_kwh",
    MeterKind.IT_PDU_OUTPUT: "it_pdu_kwh",
    MeterKind.IT_UPS_OUTPUT: "it_ups_kwh",
}


@dataclass(frozen=True)
class PowerNow:
    kw: float | None
    at: datetime | None  # the oldest reading in the sum, or the ledger hour's start
    source: str  # "meters", "ledger" or "none"
    meters: int  # meters in the sum (counted once)
    fresh: int  # of them, with a fresh power reading


def power_metric(meter: Meter) -> str | None:
    """The power series beside a meter: itself for power, the sibling for a counter."""
    if meter.metric.endswith("_watts"):
        return meter.metric
    if meter.metric.endswith("energy_joules_total"):
        return meter.metric.removesuffix("energy_joules_total") + "power_watts"
    return None


def facility_and_it(site: Site, it_kind: str, now: datetime) -> dict[str, PowerNow]:
    """{"facility": …, "it": …} for the site. Facility = utility and generator inputs plus
    on-site generation (what E_DC counts); IT = the meters of ``it_kind``."""
    meters = list(Meter.objects.filter(site=site, enabled=True))
    sums = {
        "facility": counted_once(
            m for m in meters if m.kind in (*FACILITY_KINDS, MeterKind.RENEWABLE)
        ),
        "it": counted_once(m for m in meters if m.kind == it_kind),
    }
    wanted = {m.pk: power_metric(m) for ms in sums.values() for m in ms}
    latest = {
        (x.device_id, x.component, x.metric): x
        for x in store.latest_many(
            sorted({w for w in wanted.values() if w}),
            sorted({m.device_id for ms in sums.values() for m in ms}),
        )
    }
    interval = freshness.intervals_by_device({m.device_id for ms in sums.values() for m in ms})
    out = {}
    for name, members in sums.items():
        found = [latest.get((m.device_id, m.component, wanted[m.pk])) for m in members]
        fresh = [x for x in found if x is not None and _fresh(x, interval, now)]
        if members and len(fresh) == len(members):
            total = sum(x.value for x in fresh) / 1000
            out[name] = PowerNow(
                total, min(x.ts for x in fresh), "meters", len(members), len(fresh)
            )
        else:
            out[name] = _from_ledger(site, name, it_kind, now, len(members), len(fresh))
    return out


def _fresh(x: store.Latest, interval: dict[int, float], now: datetime) -> bool:
    return not freshness.is_stale(x.ts, interval.get(x.device_id), now)


def _from_ledger(
    site: Site, name: str, it_kind: str, now: datetime, meters: int, fresh: int
) -> PowerNow:
    """The mean power of the last ledger hour every meter of the sum covered (kWh in one
    hour = mean kW; a partly covered hour would read low)."""
    if not meters:
        return PowerNow(None, None, "none", 0, 0)
    last = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0) - HOUR
    fields = ("facility_kwh", "renewable_kwh") if name == "facility" else (LEDGER_FIELD[it_kind],)
    covered = fields[0].removesuffix("_kwh") + "_cov"
    row = (
        BoundaryHour.objects.filter(site=site, room__isnull=True, hour__lte=last)
        .filter(**{f"{covered}__gte": COVERED_HOUR})
        .order_by("-hour")
        .values_list("hour", *fields)
        .first()
    )
    if row is None:
        return PowerNow(None, None, "none", meters, fresh)
    return PowerNow(sum(v or 0.0 for v in row[1:]), row[0], "ledger", meters, fresh)
