"""Warranty and lifecycle: expiry lists, and notices through the alert channels.

Lists: devices whose warranty ended, or ends within 30 or 90 days; the same for the
end-of-life date of their device type. The notice follows energy's way (decision 0020):
a daily run writes two derived metrics per dated device through the store's public ingest
and hands them to the alert engine, so the built-in rules ("warranty ends within 30 days",
"end of life within 90 days", migration 0002) fire, route, silence and notify like every
other alert, and resolve when a date is extended.

- ``maintenance_warranty_days_remaining``: days until ``Device.warranty_end`` (negative
  once ended), component ``warranty``.
- ``maintenance_end_of_life_days_remaining``: days until the device type's ``end_of_life``,
  component ``end_of_life``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils import timezone

from dcim.alerts import engine
from dcim.inventory.choices import DeviceStatus
from dcim.inventory.models import Device
from telemetry import store
from telemetry.collectors.metric import GAUGE, Metric
from telemetry.readings import Reading

WARRANTY_METRIC = "maintenance_warranty_days_remaining"
EOL_METRIC = "maintenance_end_of_life_days_remaining"
BANDS = ("expired", "within 30 days", "within 90 days")

DERIVED_METRICS = (
    Metric(
        WARRANTY_METRIC,
        "",
        GAUGE,
        "Days until the device's warranty ends (negative once it has ended), written daily "
        "by the maintenance app. Component warranty.",
    ),
    Metric(
        EOL_METRIC,
        "",
        GAUGE,
        "Days until the end of life of the device's type (negative once passed), written "
        "daily by the maintenance app. Component end_of_life.",
    ),
)


@dataclass(frozen=True)
class Expiry:
    device: Device
    what: str  # "Warranty" or "End of life"
    on: date
    days: int


def expiry_lists(today: date) -> dict[str, list[Expiry]]:
    """Devices in service by band: expired, within 30 days, within 90 days (warranty and
    end of life together, soonest first)."""
    horizon = today + timedelta(days=90)
    devices = (
        Device.objects.exclude(status=DeviceStatus.DECOMMISSIONED)
        .filter(Q(warranty_end__lte=horizon) | Q(device_type__end_of_life__lte=horizon))
        .select_related("device_type", "device_type__manufacturer", "site")
    )
    bands: dict[str, list[Expiry]] = defaultdict(list)
    for d in devices:
        for what, on in (("Warranty", d.warranty_end), ("End of life", d.device_type.end_of_life)):
            if on is None or on > horizon:
                continue
            days = (on - today).days
            band = BANDS[0] if days <= 0 else BANDS[1] if days <= 30 else BANDS[2]
            bands[band].append(Expiry(d, what, on, days))
    return {name: sorted(bands[name], key=lambda e: e.days) for name in BANDS}


def publish(now: datetime | None = None) -> int:
    """Write the day's remaining-days readings and evaluate the rules on them; returns
    the number of readings written."""
    now = now or timezone.now()
    readings: dict[int, list[Reading]] = defaultdict(list)
    devices = (
        Device.objects.exclude(status=DeviceStatus.DECOMMISSIONED)
        .filter(Q(warranty_end__isnull=False) | Q(device_type__end_of_life__isnull=False))
        .select_related("device_type", "site")
    )
    for d in devices:
        today = now.astimezone(ZoneInfo(d.site.timezone)).date()
        if d.warranty_end:
            days = (d.warranty_end - today).days
            readings[d.pk].append(Reading(WARRANTY_METRIC, float(days), "", "warranty", ts=now))
        if d.device_type.end_of_life:
            days = (d.device_type.end_of_life - today).days
            readings[d.pk].append(Reading(EOL_METRIC, float(days), "", "end_of_life", ts=now))
    if not readings:
        return 0
    batch = store.Batch(batch_id=f"maintenance-lifecycle/{now.isoformat()}")
    for device_id, rows in readings.items():
        batch.add_readings(device_id, rows, now)
    store.ingest(batch)
    for device_id, rows in readings.items():
        engine.evaluate(device_id, rows, now)
    return sum(len(r) for r in readings.values())
