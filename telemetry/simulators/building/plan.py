"""What the simulated building holds: racks, servers, switches, PDUs, UPSes, sensors, cooling,
site meters.

A plain description, no Django: the demo writes it from the inventory
(``demo.building_plan``), and each simulator process (SNMP agent, Modbus simulator, GPU-host
agent) reads the same JSON file, so that all of them compute the same building. A device
that is planned or decommissioned is left out of the plan: it draws nothing and reports
nothing. A failed device stays in, marked failed: it is dark (draws nothing, answers
nothing useful).
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

FAILED = "failed"
MAINTENANCE = "maintenance"


@dataclass(frozen=True)
class Plug:
    """One PSU of a device in one outlet (1-based) of a PDU."""

    pdu: str
    outlet: int


@dataclass(frozen=True)
class RackSpec:
    name: str
    hall: str
    row: str
    position: int  # 1 = first rack of the row
    row_length: int


@dataclass(frozen=True)
class DeviceSpec:
    """A device that draws power from rack PDUs: a GPU server or a switch."""

    name: str
    rack: str
    kind: str  # "gpu_server" or "switch"
    status: str = "active"
    position_u: int = 0
    gpus: int = 0
    ports: int = 0
    fabric: str = ""  # "infiniband" or "ethernet", for switches
    plugs: tuple[Plug, ...] = ()

    @property
    def dark(self) -> bool:
        return self.status == FAILED


@dataclass(frozen=True)
class PduSpec:
    name: str
    rack: str
    side: str  # "A" or "B"
    ups: str  # the UPS whose output feeds it (through its panel), "" when unknown
    outlets: int = 36
    voltage: float = 415.0  # line to line
    status: str = "active"
    # The available power of the feed it hangs on (V × A × 80 % (× √3)), 0 when unknown: the
    # feed_loss fault trips the A side of the rack whose B feed can carry the least.
    feed_available_w: float = 0.0


@dataclass(frozen=True)
class PlantSpec:
    """A UPS, CRAH, CDU, chiller, environment sensor or site meter."""

    name: str
    kind: str  # "ups", "crah", "cdu", "chiller", "env_sensor", "meter"
    hall: str = ""
    rack: str = ""
    status: str = "active"
    rated_w: float = 0.0
    # A meter's metering point: "grid" (utility incomer), "ups_output:<UPS>", "mechanical"
    # (the mechanical board), "pv" (rooftop array) or "water" (the site's water supply).
    measures: str = ""


@dataclass(frozen=True)
class HaPairSpec:
    """A pair of devices sharing one virtual router (a keepalived instance, a VRRP group).

    ``members`` are those in the building and working, in order of priority: the first is
    master until a failover (scheduled or injected, see ``ha``) swaps them. ``protocol`` is
    "keepalived" or "vrrp"; the name is what ``manage.py demo_inject failover`` takes.
    """

    name: str
    protocol: str
    members: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)  # hashed by identity: caches key on the plan object
class Plan:
    seed: int = 1
    timezone: str = "UTC"
    racks: tuple[RackSpec, ...] = ()
    devices: tuple[DeviceSpec, ...] = ()
    pdus: tuple[PduSpec, ...] = ()
    plant: tuple[PlantSpec, ...] = ()
    # Scheduled faults (``faults``) on or off: history written at 15-minute steps (the
    # demo's meter backfill) would alias the hourly faults, so it is written without them.
    faults: bool = True
    ha_pairs: tuple[HaPairSpec, ...] = ()
    # A JSON file of faults injected on demand (``ha.inject``), read while the simulators
    # run: how ``manage.py demo_inject`` reaches the agent's process. "" for none.
    injections: str = ""

    def plant_of(self, kind: str) -> list[PlantSpec]:
        return [p for p in self.plant if p.kind == kind]

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Plan:
        raw = json.loads(text)
        devices = tuple(
            DeviceSpec(**{**d, "plugs": tuple(Plug(**p) for p in d["plugs"])})
            for d in raw.get("devices", [])
        )
        return cls(
            seed=raw.get("seed", 1),
            timezone=raw.get("timezone", "UTC"),
            racks=tuple(RackSpec(**r) for r in raw.get("racks", [])),
            devices=devices,
            pdus=tuple(PduSpec(**p) for p in raw.get("pdus", [])),
            plant=tuple(PlantSpec(**p) for p in raw.get("plant", [])),
            faults=raw.get("faults", True),
            ha_pairs=tuple(
                HaPairSpec(**{**h, "members": tuple(h["members"])}) for h in raw.get("ha_pairs", [])
            ),
            injections=raw.get("injections", ""),
        )

    def save(self, path: str | os.PathLike) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(self.to_json())
        os.replace(tmp, path)
        return path

    @classmethod
    def load(cls, path: str | os.PathLike) -> Plan:
        return cls.from_json(Path(path).read_text())
