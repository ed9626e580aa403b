"""A metered site for the Power & PUE page tests (client and browser), fed through the
store's public ingest as collectors would, then through the real ledger.

Site "Rhine" (Europe/Berlin), room "Hall 1" with racks R01 (10 kW budget) and R02:

- IT at PDU output (category 2): PDU-R01 draws 6 kW + 1 kW × a daily swing + 0.1 kW a day
  (it nears 80 % of its budget), PDU-R02 a flat 4 kW. Both meters' boundary is Hall 1.
- Cooling in Hall 1 (a CRAH): 15 % of IT. Facility input (the utility meter, an energy
  counter with a power sibling): 130 % of IT. So PUE is 1.30 and Hall 1's pPUE 1.15 on
  every covered hour, whatever the load.
- ``days`` of history every 10 minutes up to two seconds before ``now`` (so power now is
  fresh), a tariff of 0.20 EUR/kWh, a carbon factor of 0.4 kg/kWh, tenant "Acme AI"
  holding R01.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from dcim.energy.ledger import update_ledger
from dcim.energy.models import Allocation, CarbonFactor, Meter, MeterKind, Tariff, Tenant
from dcim.energy.tests.samples import write
from dcim.inventory.choices import DeviceRole
from dcim.inventory.tests.factories import (
    make_device,
    make_device_type,
    make_rack,
    make_room,
    make_site,
)

STEP_S = 600
PUE = 1.30
PPUE = 1.15


def it_kw(rack: str, t_s: float, start_s: float) -> float:
    """IT power of a rack's PDU at epoch second ``t_s``."""
    if rack == "R02":
        return 4.0
    days = (t_s - start_s) / 86400
    return 6.0 + math.sin(2 * math.pi * (t_s % 86400) / 86400) + 0.1 * days


def in_first_local_hour(now: datetime) -> bool:
    """Whether ``now`` falls in the first hour of Rhine's local day (23:00-24:00 UTC in
    winter): "today" then has no ended hour, so it is withheld and the daily trend has one
    day fewer. Page tests read the clock, so they expect either."""
    return now.astimezone(ZoneInfo("Europe/Berlin")).hour == 0


def seed(now: datetime, days: int = 9) -> dict:
    site = make_site(name="Rhine", slug="rhine", timezone="Europe/Berlin")
    hall = make_room(site=site, name="Hall 1")
    racks = {name: make_rack(room=hall, name=name, power_budget_kw=10) for name in ("R01", "R02")}
    pdu_type = make_device_type(u_height=0, default_role=DeviceRole.PDU)
    meter_type = make_device_type(u_height=0, default_role=DeviceRole.POWER_METER)
    crah_type = make_device_type(u_height=0, default_role=DeviceRole.CRAH)
    pdus = {n: make_device(rack=r, device_type=pdu_type, name=f"PDU-{n}") for n, r in racks.items()}
    utility = make_device(device_type=meter_type, name="Utility meter", site=site)
    crah = make_device(device_type=crah_type, name="CRAH-1", site=site, room=hall)

    def meter(name, kind, device, metric, room=None):
        return Meter.objects.create(
            name=name, kind=kind, site=site, room=room, device=device, metric=metric
        )

    meter("IT R01", MeterKind.IT_PDU_OUTPUT, pdus["R01"], "pdu_power_watts", hall)
    meter("IT R02", MeterKind.IT_PDU_OUTPUT, pdus["R02"], "pdu_power_watts", hall)
    meter("Cooling Hall 1", MeterKind.COOLING, crah, "cooling_power_watts", hall)
    meter("Utility", MeterKind.UTILITY, utility, "meter_active_energy_joules_total")

    end_s = now.timestamp() - 2
    start_s = (end_s // STEP_S) * STEP_S - days * 86400
    ts = np.r_[np.arange(start_s, end_s, STEP_S), end_s]
    when = [datetime.fromtimestamp(t, now.tzinfo) for t in ts]
    watts = {n: np.array([it_kw(n, t, start_s) * 1000 for t in ts]) for n in racks}
    it = watts["R01"] + watts["R02"]
    facility = PUE * it
    for n in racks:
        write(pdus[n], "pdu_power_watts", "watts", zip(when, watts[n], strict=True))
    write(crah, "cooling_power_watts", "watts", zip(when, (PPUE - 1) * it, strict=True))
    # The counter rises by the trapezoid of its own power samples: same energy, either way.
    joules = np.r_[0.0, np.cumsum((facility[1:] + facility[:-1]) / 2 * np.diff(ts))] + 1e9
    write(utility, "meter_active_power_watts", "watts", zip(when, facility, strict=True))
    write(utility, "meter_active_energy_joules_total", "joules", zip(when, joules, strict=True))

    long_ago = now - timedelta(days=400)
    Tariff.objects.create(site=site, name="Grid", valid_from=long_ago, price_per_kwh="0.20000")
    CarbonFactor.objects.create(site=site, valid_from=long_ago, kg_co2_per_kwh=0.4)
    acme = Tenant.objects.create(name="Acme AI")
    Allocation.objects.create(tenant=acme, rack=racks["R01"], start=long_ago)
    update_ledger(now=now)
    return {
        "site": site,
        "hall": hall,
        "racks": racks,
        "it_now_kw": float(it[-1]) / 1000,
        "facility_now_kw": float(facility[-1]) / 1000,
    }
