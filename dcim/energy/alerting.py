"""Energy alerts through the ordinary alert engine: derived readings, judged by rules.

The alert engine judges readings of a device as they are stored (a threshold, held for a
duration, with hysteresis). Rather than teach it ledgers and periods, each ledger run
turns what the ledger knows into two derived metrics, writes them through the store's
public ingest like any collector's readings, and hands them to the engine's own
evaluation (``dcim.alerts.engine.evaluate``): a rule on them is an ordinary metric rule,
scoped, silenced, routed and shown like every other, and the values are charted too.

- ``energy_meter_coverage_ratio``: per enabled meter, the share of the trailing 24
  complete hours its ledger hours cover (from its first ledger hour, for a younger one),
  on the meter's device, component ``meter:<name>``.
- ``energy_pue_ratio``: per site, PUE over the trailing 24 complete hours
  (``dcim.energy.figures``: E_DC / E_IT over the hours both covered), on the device of the
  site's facility meter, component ``site:<slug>``. A figure withheld for low coverage is
  not written: a PUE from a fraction of the day is not a PUE (the coverage rule speaks).

The metrics are declared to the alerts catalog (``DERIVED_METRICS``, from
``EnergyConfig.ready``) so that rules on them validate before their first value exists.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db.models import F, Max, Min, Q, Sum
from django.utils import timezone

from dcim.alerts import engine
from dcim.energy.figures import compute
from dcim.energy.models import EnergyHour, Meter
from dcim.energy.models.meter import FACILITY_KINDS
from dcim.energy.periods import Period
from dcim.inventory.models import Site
from telemetry import store
from telemetry.collectors.metric import GAUGE, Metric
from telemetry.readings import Reading

PUE_METRIC = "energy_pue_ratio"
COVERAGE_METRIC = "energy_meter_coverage_ratio"
WINDOW = timedelta(hours=24)
HOUR = timedelta(hours=1)

DERIVED_METRICS = (
    Metric(
        PUE_METRIC,
        "",
        GAUGE,
        "A site's PUE (E_DC / E_IT, both energy) over the trailing 24 complete hours, from "
        "the energy ledger; not written while the figure is withheld for low coverage. "
        "Component site:<slug>, on the device of the site's facility meter.",
    ),
    Metric(
        COVERAGE_METRIC,
        "",
        GAUGE,
        "The share (0–1) of the trailing 24 complete hours an energy meter's data covers "
        "(from its first ledger hour, for a younger meter). Component meter:<name>, on "
        "the meter's device.",
    ),
)


@dataclass(frozen=True)
class SeriesStatus:
    """Where one series' ledger stands: its first and last hour, and the share of the
    trailing 24 complete hours it covers (None before its first complete hour)."""

    first_hour: datetime
    last_hour: datetime
    coverage_24h: float | None


@dataclass
class AlertingReport:
    coverage_readings: int = 0
    pue_readings: int = 0
    opened: int = 0
    fired: int = 0
    resolved: int = 0


def window_end(now: datetime) -> datetime:
    """The end of the trailing window: the start of ``now``'s hour (complete hours only)."""
    return now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def series_status(series_ids: list[int], now: datetime) -> dict[int, SeriesStatus]:
    """The ledger status of these series, in one query (lists show a page of meters)."""
    hi = window_end(now)
    lo = hi - WINDOW
    rows = (
        EnergyHour.objects.filter(series_id__in=series_ids)
        .values("series_id")
        .annotate(
            first=Min("hour"),
            last=Max("hour"),
            covered=Sum("covered_s", filter=Q(hour__gte=lo, hour__lt=hi)),
        )
    )
    out = {}
    for row in rows:
        span = (hi - max(lo, row["first"])).total_seconds()
        coverage = min(1.0, (row["covered"] or 0.0) / span) if span > 0 else None
        out[row["series_id"]] = SeriesStatus(row["first"], row["last"], coverage)
    return out


def publish(now: datetime | None = None) -> AlertingReport:
    """Write this run's derived readings to the store and evaluate the rules on them."""
    now = now or timezone.now()
    report = AlertingReport()
    by_device: dict[int, list[Reading]] = defaultdict(list)
    for device_id, reading in coverage_readings(now):
        by_device[device_id].append(reading)
        report.coverage_readings += 1
    for device_id, reading in pue_readings(now):
        by_device[device_id].append(reading)
        report.pue_readings += 1
    if not by_device:
        return report
    batch = store.Batch(batch_id=f"energy-alerting/{now.isoformat()}")
    for device_id, readings in by_device.items():
        batch.add_readings(device_id, readings, now)
    store.ingest(batch)
    for device_id, readings in by_device.items():
        result = engine.evaluate(device_id, readings, now)
        report.opened += result.opened
        report.fired += result.fired
        report.resolved += result.resolved
    return report


def coverage_readings(now: datetime) -> list[tuple[int, Reading]]:
    """Per enabled meter with ledger hours: its trailing 24-hour coverage. A meter whose
    series was never found has no reading (the admin and the ledger report name it)."""
    meters = list(
        Meter.objects.filter(enabled=True, series_id__isnull=False).only(
            "name", "device_id", "series_id"
        )
    )
    status = series_status([m.series_id for m in meters], now)
    out = []
    for m in meters:
        s = status.get(m.series_id)
        if s is None or s.coverage_24h is None:
            continue
        out.append(
            (m.device_id, Reading(COVERAGE_METRIC, s.coverage_24h, "", f"meter:{m.name}", ts=now))
        )
    return out


def pue_readings(now: datetime) -> list[tuple[int, Reading]]:
    """Per site with a facility meter: its PUE over the trailing 24 complete hours."""
    hi = window_end(now)
    period = Period(hi - WINDOW, hi, "last 24 h")
    facility = (
        Meter.objects.filter(kind__in=FACILITY_KINDS, enabled=True, series_id__isnull=False)
        .order_by("site_id", F("room").asc(nulls_first=True), "name")
        .values_list("site_id", "device_id")
    )
    device_of: dict[int, int] = {}
    for site_id, device_id in facility:
        device_of.setdefault(site_id, device_id)  # site-level meters first, then by name
    out = []
    for site in Site.objects.filter(pk__in=device_of):
        f = compute(site, period, now=now)
        if f.pue is None or f.withheld:
            continue
        out.append(
            (device_of[site.pk], Reading(PUE_METRIC, f.pue, "", f"site:{site.slug}", ts=now))
        )
    return out
