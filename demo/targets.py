"""Collection targets for the demo data centre (``manage.py seed_demo_targets``).

The demo inventory (``manage.py seed_demo``) describes what exists; this says how each
device is reached, so that the simulated fleet is read through the real protocol code:

- SNMP v2c for PDUs, switches, UPSes, the NetBotz rack environment monitors (profile
  ``netbotz_v2``) and the HA pairs (``keepalived``; ``if_mib`` + ``vrrp_mib``), all on one
  simulated agent on loopback. It picks a device's data file by community (as snmpsim
  does), so every device gets its own credential whose community is the device's name
  ("demo-snmp-<device>").
- Modbus TCP for CRAHs, CDUs, chillers and the site meters (power meters, PV, water):
  units 1..N of one simulator on loopback, one credential per unit id
  ("demo-modbus-<device>"). The simulator answers the meters from the building model, so
  PUE and WUE can be computed from their energy and water counters.
- NVML for every GPU server that is in the building: the address is the host's name, so its
  polls go to the queue ``nvml.<host>`` that the GPU-host agent consumes.

Idempotent: a device that already has a target of its protocol keeps it untouched (an
admin may have tuned it), a credential that exists by name is reused. Deterministic: the
same inventory gives the same targets, unit ids and first-poll phases.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from dcim.inventory.choices import CredentialKind, DeviceRole, DeviceStatus
from dcim.inventory.models import Credential, Device
from demo.inventory import catalog
from telemetry.models import CollectionTarget, Protocol
from telemetry.simulators.snmp.fleet import KINDS

DEMO_SITE_SLUG = "demo"
SIM_HOST = "127.0.0.1"
# One agent process (telemetry.simulators.snmp.agent) answers all 270 SNMP demo devices (the
# 64 NetBotz add ~11 varbinds each to the figures that follow, measured at 202; the HA pairs'
# 53 a router, 5 a load balancer). A full sweep (72 switches of 64 ports, 128 PDUs of ~36 outlets,
# 2 UPSes: ~88,000 varbinds) costs it ~0.37 s of CPU, 1-2 % of a core at 30 s, where snmpsim
# needed ~37 s, more than the interval (docs/decisions/0011-demo-snmp-agent.md). So every
# kind is polled every 30 s, and a whole sweep landing at once is answered in ~0.3 s on
# average: 2 s is ample slack.
SNMP_INTERVAL_S: dict[str, int] = {}  # kind -> seconds where it differs from the default
SNMP_DEFAULT_S = 30
SNMP_TIMEOUT_S = 2.0
MODBUS_INTERVAL_S = 15
# 252 hosts at 15 s is 17 results a second to collect, ship and ingest: measured on a
# two-core laptop, ~45 % of one core between the agent and the central worker. At 30 s the
# pages still move every refresh and the machine keeps room for the web UI.
NVML_INTERVAL_S = 30
# Not polled: ordered but not delivered, or gone. A FAILED device keeps its target (the
# demo's H2-D08-ENV): it is still installed and wired, its silence on the collector health
# is worth seeing, and once repaired it reports again without anyone re-adding a target.
# The demo's simulators keep a failed device dark (demo.fleet).
ABSENT = (DeviceStatus.PLANNED, DeviceStatus.DECOMMISSIONED)

# PDUs speak their vendor's MIB: manufacturer slug -> simulated kind (= SNMP profiles).
PDU_KIND_BY_MANUFACTURER = {
    "raritan": "raritan_pdu2",
    "apc": "apc_rpdu2",
    "schneider-electric": "apc_rpdu2",
    "servertech": "servertech_sentry4",
    "legrand": "servertech_sentry4",
}
# Rack environment monitors: the NetBotz line (APC, now Schneider Electric) speaks NETBOTZV2.
ENV_KIND_BY_MANUFACTURER = {"schneider-electric": "netbotz", "apc": "netbotz"}
SNMP_KIND_BY_ROLE = {DeviceRole.SWITCH: "leaf_switch", DeviceRole.UPS: "ups"}
# HA pairs speak their failover protocol's MIB: the keepalived load balancers KEEPALIVED-MIB,
# the edge routers VRRP-MIB (v2). Chosen by device type, before the role.
SNMP_KIND_BY_DEVICE_TYPE = {
    catalog.LOAD_BALANCER.slug: "keepalived",
    catalog.EDGE_ROUTER.slug: "vrrp_router",
}
MODBUS_MAP_BY_ROLE = {
    DeviceRole.CRAH: "crah_stulz",
    DeviceRole.CDU: "cdu_vertiv",
    DeviceRole.CHILLER: "chiller_gateway",
}
# Meters speak their model's map (no role names a water meter). They are numbered after the
# cooling units, so that those keep the unit ids a database seeded before them holds.
MODBUS_MAP_BY_DEVICE_TYPE = {
    catalog.POWER_METER.slug: "meter_pm8000",
    catalog.WATER_METER.slug: "water_mag6000",
    catalog.GENERATOR.slug: "genset_gateway",
}


def snmp_port() -> int:
    return int(getattr(settings, "DCIM_SIM_SNMP_PORT", 16100))


def modbus_port() -> int:
    return int(getattr(settings, "DCIM_SIM_MODBUS_PORT", 5020))


def snmp_kind(device: Device) -> str | None:
    """The simulated SNMP kind of a device (its profiles follow from it), or None."""
    if kind := SNMP_KIND_BY_DEVICE_TYPE.get(device.device_type.slug):
        return kind
    if device.role == DeviceRole.PDU:
        return PDU_KIND_BY_MANUFACTURER.get(device.device_type.manufacturer.slug)
    if device.role == DeviceRole.ENV_SENSOR:
        return ENV_KIND_BY_MANUFACTURER.get(device.device_type.manufacturer.slug)
    return SNMP_KIND_BY_ROLE.get(device.role)


def modbus_map(device: Device) -> str | None:
    """The register map a device speaks on the demo's Modbus simulator, or None."""
    return MODBUS_MAP_BY_ROLE.get(device.role) or MODBUS_MAP_BY_DEVICE_TYPE.get(
        device.device_type.slug
    )


def _modbus_order(device: Device) -> tuple:
    """Cooling units by role, then meters, then the generator (added later: the units
    before it keep their ids); by name within each group."""
    if device.role in MODBUS_MAP_BY_ROLE:
        return (0, list(MODBUS_MAP_BY_ROLE).index(device.role), device.name)
    return (2 if device.role == DeviceRole.GENERATOR else 1, 0, device.name)


def kind_for_profile(profile: str) -> str | None:
    """The inverse of ``snmp_kind`` via the profiles: which simulated kind serves them."""
    wanted = tuple(p.strip() for p in profile.split(",") if p.strip())
    return next((kind for kind, (_, profiles) in KINDS.items() if profiles == wanted), None)


@dataclass
class SeedReport:
    created: Counter = field(default_factory=Counter)  # protocol -> targets created
    existing: Counter = field(default_factory=Counter)  # protocol -> targets already there
    credentials_created: int = 0

    def lines(self) -> list[str]:
        protocols = sorted(set(self.created) | set(self.existing))
        return [
            f"{p}: {self.created[p]} created, {self.existing[p]} already there" for p in protocols
        ] + [f"credentials created: {self.credentials_created}"]


@dataclass(frozen=True)
class _Plan:
    device: Device
    protocol: str
    profile: str
    port: int | None
    interval_s: int
    address: str = SIM_HOST
    credential: dict | None = None  # Credential fields, "name" included
    timeout_s: float = 2.0


def demo_devices():
    """The demo site's devices that can be polled (not planned, not decommissioned)."""
    return (
        Device.objects.filter(site__slug=DEMO_SITE_SLUG)
        .exclude(status__in=ABSENT)
        .select_related("device_type__manufacturer")
        .annotate(n_interfaces=Count("interfaces", distinct=True))
        .annotate(n_outlets=Count("power_outlets", distinct=True))
        .order_by("name")
    )


def plan(devices) -> list[_Plan]:
    """What each device should have, in a stable order (unit ids follow it)."""
    plans: list[_Plan] = []
    modbus = sorted((d for d in devices if modbus_map(d)), key=_modbus_order)
    if len(modbus) > 247:
        raise ValueError("more than 247 Modbus units: one simulator cannot address them")
    for unit_id, device in enumerate(modbus, start=1):
        plans.append(
            _Plan(
                device,
                Protocol.MODBUS,
                modbus_map(device),
                modbus_port(),
                MODBUS_INTERVAL_S,
                credential={
                    "name": f"demo-modbus-{device.name}",
                    "kind": CredentialKind.MODBUS,
                    "modbus_unit_id": unit_id,
                    "description": "Unit id of this device on the demo's Modbus simulator.",
                },
            )
        )
    for device in devices:
        if kind := snmp_kind(device):
            plans.append(
                _Plan(
                    device,
                    Protocol.SNMP,
                    ",".join(KINDS[kind][1]),
                    snmp_port(),
                    SNMP_INTERVAL_S.get(kind, SNMP_DEFAULT_S),
                    timeout_s=SNMP_TIMEOUT_S,
                    credential={
                        "name": f"demo-snmp-{device.name}",
                        "kind": CredentialKind.SNMP_V2C,
                        "snmp_community": device.name,
                        "description": "The demo's SNMP agent serves this device under its name.",
                    },
                )
            )
        elif device.role == DeviceRole.GPU_SERVER:
            plans.append(
                _Plan(device, Protocol.NVML, "", None, NVML_INTERVAL_S, address=device.name)
            )
    return plans


def _phases(plans: list[_Plan], now: datetime) -> list[datetime]:
    """First polls spread evenly over the interval of each (protocol, interval) group, so
    that 252 hosts do not all fire in the same second (claim_due keeps the phase)."""
    groups: dict[tuple[str, int], list[int]] = {}
    for i, p in enumerate(plans):
        groups.setdefault((p.protocol, p.interval_s), []).append(i)
    out = [now] * len(plans)
    for (_, interval_s), members in groups.items():
        for n, i in enumerate(members):
            out[i] = now + timedelta(seconds=interval_s * n / len(members))
    return out


@transaction.atomic
def seed_demo_targets(now: datetime | None = None) -> SeedReport:
    """Create the demo's missing credentials and targets; return what was done."""
    now = now or timezone.now()
    report = SeedReport()
    plans = plan(list(demo_devices()))
    have = set(
        CollectionTarget.objects.filter(device__site__slug=DEMO_SITE_SLUG).values_list(
            "device_id", "protocol"
        )
    )
    missing = []
    for p in plans:
        if (p.device.pk, p.protocol) in have:
            report.existing[p.protocol] += 1
        else:
            missing.append(p)
    wanted = {p.credential["name"]: p.credential for p in missing if p.credential}
    known = set(Credential.objects.filter(name__in=wanted).values_list("name", flat=True))
    # bulk_create encrypts too (EncryptedTextField.get_prep_value); the change history of
    # generated demo credentials is not worth 400 history rows.
    new = [Credential(**fields) for name, fields in wanted.items() if name not in known]
    Credential.objects.bulk_create(new)
    report.credentials_created = len(new)
    cred_ids = dict(Credential.objects.filter(name__in=wanted).values_list("name", "pk"))
    CollectionTarget.objects.bulk_create(
        [
            CollectionTarget(
                device=p.device,
                protocol=p.protocol,
                address=p.address,
                port=p.port,
                credential_id=cred_ids[p.credential["name"]] if p.credential else None,
                profile=p.profile,
                interval_s=p.interval_s,
                timeout_s=p.timeout_s,
                next_poll_at=first_poll,
            )
            for p, first_poll in zip(plans, _phases(plans, now), strict=True)
            if (p.device.pk, p.protocol) not in have
        ]
    )
    report.created.update(p.protocol for p in missing)
    return report
