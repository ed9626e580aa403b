"""The demo's energy set-up: meters on the demo's power chain, a tariff, carbon factors,
renewable certificates and tenants (``manage.py seed_demo_energy``).

Meters follow the building's one-line diagram, so the hierarchy counts nothing twice:

    MTR-UTILITY (utility incomer, E_DC with the rooftop PV)
    ├── MTR-UPS-A-OUT, MTR-UPS-B-OUT (IT at UPS output: category 1)
    │     └── every working rack PDU on that side (IT at PDU output: category 2)
    └── MTR-MECH (cooling)
          └── each hall's CDUs (cooling inside the hall: its pPUE)
    MTR-PV-ROOF (on-site generation)   MTR-WATER (site water)

Idempotent: what exists by name is kept as an admin may have changed it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction

from dcim.energy.models import (
    Allocation,
    CarbonFactor,
    Meter,
    MeterKind,
    RenewableCertificate,
    Tariff,
    TariffBand,
    Tenant,
)
from dcim.inventory.choices import DeviceRole, DeviceStatus
from dcim.inventory.models import Device, Rack, Site

DEMO_SITE_SLUG = "demo"
ENERGY = "meter_active_energy_joules_total"
WATER = "water_volume_liters_total"
PDU_ENERGY, PDU_COMPONENT = "pdu_energy_joules_total", "inlet:1"
CDU_POWER = "cdu_power_watts"
# (meter, kind, parent, metric, counter bits)
SITE_METERS = (
    ("MTR-UTILITY", MeterKind.UTILITY, None, ENERGY, 64),
    ("MTR-UPS-A-OUT", MeterKind.IT_UPS_OUTPUT, "MTR-UTILITY", ENERGY, 64),
    ("MTR-UPS-B-OUT", MeterKind.IT_UPS_OUTPUT, "MTR-UTILITY", ENERGY, 64),
    ("MTR-MECH", MeterKind.COOLING, "MTR-UTILITY", ENERGY, 64),
    ("MTR-PV-ROOF", MeterKind.RENEWABLE, None, ENERGY, 64),
    ("MTR-WATER", MeterKind.WATER, None, WATER, None),
)
# Tenants and the racks they hold (by name prefix); the third changes hands mid-month.
TENANTS = (
    ("Aurora Labs", "Foundation-model training, hall 1 rows A-B.", ("H1-A", "H1-B")),
    ("Borealis AI", "Training and fine-tuning, hall 2.", ("H2-",)),
    ("Cirrus Inference", "Inference serving, hall 1 rows C-D.", ("H1-C", "H1-D")),
)


def seed_energy(log: Callable[[str], None] = lambda line: None) -> int:
    """Create whatever part of the demo's energy set-up is missing; returns rows created."""
    site = Site.objects.filter(slug=DEMO_SITE_SLUG).first()
    if site is None:
        return 0
    created = 0
    with transaction.atomic():
        created += _meters(site)
        created += _factors(site)
        created += _tenants(site)
    log(f"energy: {created} rows created")
    return created


def _meter(site: Site, name: str, **fields) -> int:
    if Meter.objects.filter(name=name).exists():
        return 0
    Meter.objects.create(name=name, site=site, **fields)
    return 1


def _meters(site: Site) -> int:
    devices = {d.name: d for d in Device.objects.filter(site=site)}
    n = 0
    for name, kind, parent, metric, bits in SITE_METERS:
        if name not in devices:
            continue
        n += _meter(
            site,
            name,
            kind=kind,
            device=devices[name],
            metric=metric,
            counter_bits=bits,
            parent=Meter.objects.filter(name=parent).first() if parent else None,
            description=devices[name].comments[:200],
        )
    ups_out = {side: Meter.objects.filter(name=f"MTR-UPS-{side}-OUT").first() for side in "AB"}
    for pdu in _working(site, DeviceRole.PDU):
        # User-resettable, and stored in joules: a decrease is a reset (no counter width).
        n += _meter(
            site,
            pdu.name,
            kind=MeterKind.IT_PDU_OUTPUT,
            room=pdu.room,
            device=pdu,
            metric=PDU_ENERGY,
            component=PDU_COMPONENT,
            parent=ups_out.get(pdu.name[-1]),
        )
    mech = Meter.objects.filter(name="MTR-MECH").first()
    for cdu in _working(site, DeviceRole.CDU):
        n += _meter(
            site, cdu.name, kind=MeterKind.COOLING, room=cdu.room, device=cdu, metric=CDU_POWER,
            parent=mech,
        )  # fmt: skip
    return n


def _working(site: Site, role: str):
    """The site's active devices of a role, by name, with their room."""
    devices = Device.objects.filter(site=site, role=role, status=DeviceStatus.ACTIVE)
    return devices.select_related("room").order_by("name")


def _month_start(months_ago: int) -> datetime:
    today = datetime.now(UTC).date().replace(day=1)
    for _ in range(months_ago):
        today = (today - timedelta(days=1)).replace(day=1)
    return datetime.combine(today, time.min, UTC)


def _factors(site: Site) -> int:
    n = 0
    if not Tariff.objects.filter(site=site).exists():
        tariff = Tariff.objects.create(
            site=site,
            name="Demo grid supply 2026",
            valid_from=_month_start(14),
            currency="EUR",
            price_per_kwh=Decimal("0.1650"),
        )
        TariffBand.objects.create(
            tariff=tariff,
            name="peak",
            weekdays="12345",
            start=time(8),
            end=time(20),
            price_per_kwh=Decimal("0.2240"),
        )
        TariffBand.objects.create(
            tariff=tariff,
            name="night",
            weekdays="1234567",
            start=time(23),
            end=time(6),
            price_per_kwh=Decimal("0.1180"),
        )
        n += 3
    if not CarbonFactor.objects.filter(site=site).exists():
        # A grid factor revised at the start of this month (the figure splits there).
        CarbonFactor.objects.create(
            site=site, valid_from=_month_start(14), kg_co2_per_kwh=0.328, source="Grid 2025"
        )
        CarbonFactor.objects.create(
            site=site, valid_from=_month_start(0), kg_co2_per_kwh=0.291, source="Grid 2026 rev."
        )
        n += 2
    if not RenewableCertificate.objects.filter(site=site).exists():
        start = _month_start(1).date()
        end = _month_start(0).date() - timedelta(days=1)
        RenewableCertificate.objects.create(
            site=site, start=start, end=end, kwh=400_000, reference="GO demo wind PPA"
        )
        n += 1
    return n


def _tenants(site: Site) -> int:
    n = 0
    since = _month_start(3)
    racks = list(Rack.objects.filter(room__site=site).order_by("name"))
    for name, description, prefixes in TENANTS:
        tenant, made = Tenant.objects.get_or_create(
            name=name, defaults={"description": description}
        )
        if not made:
            continue
        n += 1
        held = [r for r in racks if r.name.startswith(prefixes)]
        if name == "Cirrus Inference":
            # Rows C-D passed from Aurora to Cirrus a fortnight ago: both are charged.
            handover = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
            handover -= timedelta(days=14)
            aurora = Tenant.objects.get(name="Aurora Labs")
            Allocation.objects.bulk_create(
                Allocation(tenant=aurora, rack=r, start=since, end=handover) for r in held
            )
            Allocation.objects.bulk_create(
                Allocation(tenant=tenant, rack=r, start=handover) for r in held
            )
            n += 2 * len(held)
        else:
            Allocation.objects.bulk_create(
                Allocation(tenant=tenant, rack=r, start=since) for r in held
            )
            n += len(held)
    return n
