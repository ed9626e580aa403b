"""A small HA site for the availability tests: a site in Europe/Berlin, a 2N UPS pair, a
keepalived pair and helpers to write member state rows and maintenance windows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from dcim.availability.models import (
    DrillSchedule,
    DRPlan,
    DRStep,
    GroupKind,
    Member,
    MemberRole,
    MemberStateChange,
    RedundancyGroup,
)
from dcim.inventory.choices import DeviceRole
from dcim.inventory.models import Device, Rack, Site
from dcim.inventory.tests.factories import (
    make_device,
    make_device_type,
    make_pdu,
    make_power_feed,
    make_power_panel,
    make_power_port,
    make_rack,
    make_room,
    make_site,
)
from dcim.maintenance.models import MaintenanceWindow
from telemetry import store
from telemetry.readings import Reading

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture(autouse=True)
def _fresh_caches(fresh_rule_caches):
    """Every test here evaluates rules (see the root conftest)."""


@dataclass
class HA:
    site: Site
    ups: RedundancyGroup
    ups_a: Member
    ups_b: Member
    lb: RedundancyGroup
    lb_1: Member
    lb_2: Member


def _device(site: Site, name: str, role: str) -> Device:
    return make_device(site=site, name=name, role=role, device_type=make_device_type())


@pytest.fixture
def ha(db) -> HA:
    site = make_site(name="HA test site", slug="ha-test", timezone="Europe/Berlin")
    ups = RedundancyGroup.objects.create(
        name="UPS pair", slug="ups-pair", site=site, kind=GroupKind.TWO_N, may_fail=1,
        rto=timedelta(minutes=0), rpo=timedelta(0),
    )  # fmt: skip
    lb = RedundancyGroup.objects.create(
        name="Load balancers", slug="lb", site=site, kind=GroupKind.ACTIVE_STANDBY,
        may_fail=1, rto=timedelta(minutes=5), rpo=timedelta(seconds=30),
    )  # fmt: skip
    members = {}
    for group, name, role, dev_role in (
        (ups, "UPS-A", MemberRole.SIDE_A, DeviceRole.UPS),
        (ups, "UPS-B", MemberRole.SIDE_B, DeviceRole.UPS),
        (lb, "LB-01", MemberRole.ACTIVE, DeviceRole.OTHER),
        (lb, "LB-02", MemberRole.STANDBY, DeviceRole.OTHER),
    ):
        members[name] = Member.objects.create(
            group=group, device=_device(site, name, dev_role), role=role
        )
    return HA(site, ups, members["UPS-A"], members["UPS-B"], lb, members["LB-01"],
              members["LB-02"])  # fmt: skip


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


def flip(member: Member, at: datetime, state: str, source: str = "test") -> MemberStateChange:
    return MemberStateChange.objects.create(member=member, at=at, state=state, source=source)


def window(site: Site, devices: list[Device], start: datetime, end: datetime) -> MaintenanceWindow:
    w = MaintenanceWindow.objects.create(site=site, title="planned", starts_at=start, ends_at=end)
    w.devices.set(devices)
    return w


def write_power(device: Device, watts: float, at: datetime, component: str = "inlet:1") -> None:
    """A PDU's power reading through the store's public ingest, as a collector would."""
    batch = store.Batch(batch_id=f"ha-test-{device.pk}-{at.isoformat()}-{component}")
    batch.add_readings(device.pk, [Reading("pdu_power_watts", watts, "watts", component)], at)
    store.ingest(batch)


@dataclass
class Rack2N:
    rack: Rack
    pdu_a: Device
    pdu_b: Device


@pytest.fixture
def rack_2n(ha) -> Rack2N:
    """A rack with a 230 V / 32 A feed on each side at 80 %: 230 × 32 × 0.8 = 5,888 W
    available per side, and a PDU on each feed."""
    room = make_room(site=ha.site, name="Hall 1")
    rack = make_rack(room=room, name="R01")
    pdus = []
    for side in ("A", "B"):
        feed = make_power_feed(
            panel=make_power_panel(site=ha.site, name=f"PP-{side}"), rack=rack, side=side,
            name=f"R01-{side}",
        )  # fmt: skip
        pdu = make_pdu(rack=rack, name=f"R01-PDU-{side}")
        make_power_port(device=pdu, feed=feed, name="inlet")
        pdus.append(pdu)
    return Rack2N(rack, *pdus)


@pytest.fixture
def plan(ha) -> DRPlan:
    """A DR plan for the load balancers: two steps, drilled every 3 months from 1 Jan
    2026 07:00 Berlin, with a week's grace."""
    p = DRPlan.objects.create(
        name="API failover", site=ha.site, scope="The API behind LB-01/LB-02.",
        rto=timedelta(minutes=15), rpo=timedelta(minutes=1),
    )  # fmt: skip
    p.groups.add(ha.lb)
    DRStep.objects.create(plan=p, order=1, title="Fail LB-01", owner="NOC")
    DRStep.objects.create(plan=p, order=2, title="Check traffic on LB-02", owner="SRE")
    DrillSchedule.objects.create(
        plan=p, rrule="FREQ=MONTHLY;INTERVAL=3", dtstart=berlin(2026, 1, 1, 7),
        grace=timedelta(days=7),
    )  # fmt: skip
    return p
