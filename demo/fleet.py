"""The demo's simulated fleet, built from the collection targets in the database.

The targets (``manage.py seed_demo_targets``) say which agent answers where; the fleet is
derived from them, never from a second list, so that every target has a peer:

- one ``.snmprec`` file per SNMP target on the simulator's port, named by the target's
  community (the agent picks the data file by community, as snmpsim does), its kind from
  the target's profiles and its size from the device (ports of a switch, outlets of a PDU),
  seeded by device name;
- one Modbus unit per Modbus target on the simulator's port: {unit id: register map}.

GPU hosts need nothing started: the GPU-host agent runs with
``NVML_MODULE=telemetry.simulators.nvml``, whose ``for_host(name)`` simulates each host.

    python -m demo.fleet      # until SIGTERM / Ctrl-C

writes the files under ``<var>/snmpsim/data``, starts our SNMP agent
(``telemetry.simulators.snmp.agent``; snmpsim cost most of a core at the demo's polling
rate, docs/decisions/0011-demo-snmp-agent.md) and the Modbus simulator on 127.0.0.1,
writes ``<var>/snmpsim/ready`` once both answer (``make run`` waits for it), and stops both
on SIGTERM.
"""

from __future__ import annotations

import os
import signal
import sys
import time
import zlib
from collections.abc import Iterable
from pathlib import Path

import django
from django.db import connections
from django.db.models import Count, Q

from dcim.inventory.choices import DeviceStatus
from devstack.services import EmbeddedServices
from telemetry.simulators.building import PLAN_ENV, Building, Plan
from telemetry.simulators.modbus import ModbusSimulator
from telemetry.simulators.snmp import modelled
from telemetry.simulators.snmp.agent import start_agent
from telemetry.simulators.snmp.fleet import SimDevice, write_snmprec

SIM_HOST = "127.0.0.1"
# Kinds whose size (ports, outlets) comes from the device; others keep the kind's default.
SIZED = ("leaf_switch", "raritan_pdu2", "apc_rpdu2", "servertech_sentry4")
RACKED = ("netbotz",)  # kinds told the rack they stand in (its air is what they read)
MODBUS_TICK_S = 2.0  # the model's step: polls come every 15 s, finer steps only cost CPU


def snmp_devices(port: int | None = None) -> list[SimDevice]:
    """One simulated agent per enabled v2c SNMP target on the simulator's loopback port.

    A failed device is dark: it gets no data file, so the agent stays silent for it and its
    target times out, as a dead PDU or sensor does.
    """
    # Models need Django set up: `python -m demo.fleet` imports this module before main().
    from demo.targets import kind_for_profile, snmp_port
    from telemetry.models import CollectionTarget, Protocol

    port = port or snmp_port()
    targets = (
        CollectionTarget.objects.filter(
            protocol=Protocol.SNMP,
            address=SIM_HOST,
            port=port,
            enabled=True,
            credential__kind="snmp_v2c",
        )
        .exclude(device__status=DeviceStatus.FAILED)
        .select_related("device__rack", "credential")
        .annotate(n_ports=Count("device__interfaces", distinct=True))
        .annotate(n_outlets=Count("device__power_outlets", distinct=True))
        .annotate(
            n_linked=Count(
                "device__interfaces",
                filter=Q(device__interfaces__link_as_a__isnull=False)
                | Q(device__interfaces__link_as_b__isnull=False),
                distinct=True,
            )
        )
        .order_by("device__name")
    )
    devices = []
    for target in targets:
        kind = kind_for_profile(target.profile)
        if kind is None:
            continue  # profiles no simulated kind serves: the target will report the timeout
        size = target.n_ports if kind == "leaf_switch" else target.n_outlets
        devices.append(
            SimDevice(
                target.credential.snmp_community,
                kind,
                size if kind in SIZED else None,
                # The device's own numbers, the same on every database that names it the same.
                seed=zlib.crc32(target.device.name.encode()),
                modelled=kind in modelled.MODELLED,
                fabric=target.device.fabric,
                cabled=target.n_linked if kind == "leaf_switch" else None,
                rack=target.device.rack.name if kind in RACKED and target.device.rack else "",
            )
        )
    return devices


def modbus_units(port: int | None = None) -> dict[int, str]:
    """{unit id: register map} of the enabled Modbus targets on the simulator's port."""
    # Models need Django set up: `python -m demo.fleet` imports this module before main().
    from demo.targets import modbus_port
    from telemetry.models import CollectionTarget, Protocol

    port = port or modbus_port()
    rows = CollectionTarget.objects.filter(
        protocol=Protocol.MODBUS,
        address=SIM_HOST,
        port=port,
        enabled=True,
        credential__modbus_unit_id__isnull=False,
    ).values_list("credential__modbus_unit_id", "profile")
    return dict(sorted(rows))


def failed_modbus_units(port: int | None = None) -> list[int]:
    """Units whose device is failed: the simulator keeps them silent (dark)."""
    # Models need Django set up: `python -m demo.fleet` imports this module before main().
    from demo.targets import modbus_port
    from telemetry.models import CollectionTarget, Protocol

    return list(
        CollectionTarget.objects.filter(
            protocol=Protocol.MODBUS,
            port=port or modbus_port(),
            device__status=DeviceStatus.FAILED,
            credential__modbus_unit_id__isnull=False,
        ).values_list("credential__modbus_unit_id", flat=True)
    )


def modbus_unit_devices(port: int | None = None) -> dict[int, str]:
    """{unit id: device name}: which building-model unit each Modbus unit answers for."""
    # Models need Django set up: `python -m demo.fleet` imports this module before main().
    from demo.targets import modbus_port
    from telemetry.models import CollectionTarget, Protocol

    rows = CollectionTarget.objects.filter(
        protocol=Protocol.MODBUS,
        address=SIM_HOST,
        port=port or modbus_port(),
        enabled=True,
        credential__modbus_unit_id__isnull=False,
    ).values_list("credential__modbus_unit_id", "device__name")
    return dict(sorted(rows))


def write_snmp_fleet(data_dir: str | os.PathLike, devices: Iterable[SimDevice]) -> Path:
    """Write one data file per device; remove data files of devices no longer in the fleet."""
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    names = set()
    for device in devices:
        names.add(f"{device.name}.snmprec")
        write_snmprec(data_dir / f"{device.name}.snmprec", modelled.records(device))
    for stale in data_dir.glob("*.snmprec"):
        if stale.name not in names:
            stale.unlink()
    return data_dir


def sim_dir() -> Path:
    return EmbeddedServices.from_env().var_dir / "snmpsim"


def plan_file() -> Path:
    """The building plan every simulator reads (``DCIM_BUILDING_PLAN`` names it for the
    GPU-host agent, which has no database)."""
    return Path(os.environ.get(PLAN_ENV) or sim_dir() / "building.json")


def ready_file() -> Path:
    """Exists while the fleet answers; ``make run`` waits for it before polling starts."""
    return sim_dir() / "ready"


def serve() -> None:
    """Start both simulators from the database's targets and serve until SIGTERM / Ctrl-C."""
    # Models need Django set up: `python -m demo.fleet` imports this module before main().
    from demo import building_plan
    from demo.targets import modbus_port, snmp_port

    ready = ready_file()
    ready.unlink(missing_ok=True)
    plan = building_plan.write(plan_file())
    devices, units = snmp_devices(), modbus_units()
    connections.close_all()  # nothing more to read; don't hold a connection for hours
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    snmp = modbus = None
    try:
        if devices:
            data = write_snmp_fleet(sim_dir() / "data", devices)
            snmp = start_agent(data, snmp_port(), log_path=sim_dir() / "agent.log", building=plan)
        if units:
            modbus = ModbusSimulator(
                units,
                port=modbus_port(),
                interval=MODBUS_TICK_S,
                building=Building(Plan.load(plan)),
                unit_devices=modbus_unit_devices(),
            ).start()
            for unit_id in failed_modbus_units():
                modbus.fault_silent(unit_id)
        ready.write_text(str(os.getpid()))
        print(
            f"simulated fleet: {len(devices)} SNMP agents on {SIM_HOST}:{snmp_port()}/udp, "
            f"{len(units)} Modbus units on {SIM_HOST}:{modbus_port()}/tcp",
            flush=True,
        )
        while snmp is None or snmp.process.poll() is None:
            time.sleep(1)
        print(f"simulated fleet: the SNMP agent exited, see {snmp.log_path}", file=sys.stderr)
    except KeyboardInterrupt:
        pass
    finally:
        ready.unlink(missing_ok=True)
        if modbus:
            modbus.stop()
        if snmp:
            snmp.stop()


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dcim.settings")
    django.setup()
    serve()


if __name__ == "__main__":
    main()
