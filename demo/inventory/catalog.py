"""The hardware the demo is built from: manufacturers, device types and credentials, as data.

Figures are vendor figures where we have them (DGX H100: 8U, 10.2 kW maximum, six 3.3 kW
PSUs in 4+2, 8 × H100 SXM 80 GB at 700 W; see /work/shared/REFERENCE.md) and round,
plausible numbers where a vendor figure would be false precision (UPS, CRAH, chiller sizes
are described in the model name rather than in a field the capacity pages would add up).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from dcim.inventory.choices import (
    Airflow,
    CredentialKind,
    DeviceRole,
    SnmpAuthProtocol,
    SnmpPrivProtocol,
)

MANUFACTURERS: dict[str, str] = {
    "Dell": "dell",
    "Demo Gensets": "demo-gensets",
    "Juniper Networks": "juniper",
    "NVIDIA": "nvidia",
    "Raritan": "raritan",
    "Schneider Electric": "schneider-electric",
    "Siemens": "siemens",
    "Vertiv": "vertiv",
}


@dataclass(frozen=True)
class DeviceTypeSpec:
    """A DeviceType row plus what the seed needs to make devices of it.

    ``psus`` / ``psu_max_w`` describe the power supplies (one PowerPort each); ``serial_prefix``
    and ``warranty_years`` make deterministic serials and warranty ends.
    """

    manufacturer: str
    model: str
    slug: str
    role: str
    u_height: int
    serial_prefix: str
    warranty_years: int
    full_depth: bool = True
    airflow: str = Airflow.FRONT_TO_REAR
    rated_power_w: int | None = None
    typical_power_w: int | None = None
    weight_kg: Decimal | None = None
    gpu_model: str = ""
    gpu_count: int = 0
    gpu_memory_gb: int | None = None
    gpu_tdp_w: int | None = None
    psus: int = 0
    psu_max_w: int | None = None

    def model_fields(self) -> dict:
        """The DeviceType columns (manufacturer left out: it is a foreign key)."""
        return {
            "model": self.model,
            "slug": self.slug,
            "u_height": self.u_height,
            "full_depth": self.full_depth,
            "rated_power_w": self.rated_power_w,
            "typical_power_w": self.typical_power_w,
            "weight_kg": self.weight_kg,
            "airflow": self.airflow,
            "default_role": self.role,
            "gpu_model": self.gpu_model,
            "gpu_count": self.gpu_count,
            "gpu_memory_gb": self.gpu_memory_gb,
            "gpu_tdp_w": self.gpu_tdp_w,
        }


DGX_H100 = DeviceTypeSpec(
    "NVIDIA",
    "DGX H100",
    "nvidia-dgx-h100",
    DeviceRole.GPU_SERVER,
    u_height=8,
    serial_prefix="1563223",
    warranty_years=3,
    rated_power_w=10_200,
    typical_power_w=8_500,
    weight_kg=Decimal("130.5"),
    gpu_model="NVIDIA H100 80GB HBM3",
    gpu_count=8,
    gpu_memory_gb=80,
    gpu_tdp_w=700,
    psus=6,
    psu_max_w=3_300,
)
# Quantum-2 NDR InfiniBand switch: 32 OSFP cages, 64 × 400 Gb/s ports, two PSUs (1+1).
QM9700 = DeviceTypeSpec(
    "NVIDIA",
    "QM9700",
    "nvidia-qm9700",
    DeviceRole.SWITCH,
    u_height=1,
    serial_prefix="MT2331X",
    warranty_years=3,
    rated_power_w=1_720,
    typical_power_w=640,
    psus=2,
    psu_max_w=1_720,
)
RACK_PDU = DeviceTypeSpec(
    "Raritan",
    "PX3 zero-U rPDU, 415 V 3-phase, 36 outlets",
    "raritan-px3-415v-36",
    DeviceRole.PDU,
    u_height=0,
    serial_prefix="PX3R",
    warranty_years=3,
    full_depth=False,
    airflow=Airflow.PASSIVE,
)
RACK_SENSOR = DeviceTypeSpec(
    "Schneider Electric",
    "NetBotz Rack Monitor 250",
    "netbotz-rack-monitor-250",
    DeviceRole.ENV_SENSOR,
    u_height=0,
    serial_prefix="ZA2319",
    warranty_years=2,
    full_depth=False,
    airflow=Airflow.PASSIVE,
)
# One UPS per side must carry the whole IT load (2N): about 2.8 MW of rated server power.
UPS = DeviceTypeSpec(
    "Schneider Electric",
    "Galaxy VX 3 MW (2 × 1500 kW parallel)",
    "galaxy-vx-3mw",
    DeviceRole.UPS,
    u_height=0,
    serial_prefix="GVX22",
    warranty_years=5,
    airflow=Airflow.FRONT_TO_REAR,
)
CRAH = DeviceTypeSpec(
    "Vertiv",
    "Liebert CW chilled-water CRAH, 200 kW",
    "liebert-cw-200",
    DeviceRole.CRAH,
    u_height=0,
    serial_prefix="CW22",
    warranty_years=5,
)
CDU = DeviceTypeSpec(
    "Vertiv",
    "Liebert XDU1350",
    "liebert-xdu1350",
    DeviceRole.CDU,
    u_height=0,
    serial_prefix="XDU23",
    warranty_years=5,
    airflow=Airflow.LIQUID,
)
CHILLER = DeviceTypeSpec(
    "Vertiv",
    "Liebert AFC free-cooling chiller, 1500 kW",
    "liebert-afc-1500",
    DeviceRole.CHILLER,
    u_height=0,
    serial_prefix="AFC22",
    warranty_years=5,
    airflow=Airflow.LIQUID,
)
POWER_METER = DeviceTypeSpec(
    "Schneider Electric",
    "PowerLogic PM8240",
    "powerlogic-pm8240",
    DeviceRole.POWER_METER,
    u_height=0,
    serial_prefix="PM82",
    warranty_years=5,
    full_depth=False,
    airflow=Airflow.PASSIVE,
)
# The site's water meter: an electromagnetic flow transmitter on a water sensor, read over
# its Modbus RTU module. No device role names a water meter: it is "other".
WATER_METER = DeviceTypeSpec(
    "Siemens",
    "SITRANS F M MAG 6000 on MAG 5100 W, DN80",
    "sitrans-mag6000-mag5100w",
    DeviceRole.OTHER,
    u_height=0,
    serial_prefix="7ME69",
    warranty_years=2,
    full_depth=False,
    airflow=Airflow.PASSIVE,
)

# The HA pairs (layout.HA_PAIRS): HAProxy behind keepalived on two 1U servers, and two edge
# routers sharing a VRRP gateway. Round figures for two 1+1 PSUs each.
LOAD_BALANCER = DeviceTypeSpec(
    "Dell",
    "PowerEdge R660xs (HAProxy + keepalived)",
    "dell-r660xs-lb",
    DeviceRole.CPU_SERVER,
    u_height=1,
    serial_prefix="DLB",
    warranty_years=5,
    rated_power_w=700,
    typical_power_w=320,
    psus=2,
    psu_max_w=700,
)
EDGE_ROUTER = DeviceTypeSpec(
    "Juniper Networks",
    "MX204",
    "juniper-mx204",
    DeviceRole.ROUTER,
    u_height=1,
    serial_prefix="MX204",
    warranty_years=5,
    rated_power_w=650,
    typical_power_w=360,
    psus=2,
    psu_max_w=650,
)

# The standby generator, outside any rack; its controller is read over a Modbus gateway
# (the genset gateway map). The type's name is the one the maintenance seed gave it first.
GENERATOR = DeviceTypeSpec(
    "Demo Gensets",
    "Genset 2000 kVA",
    "demo-genset-2000",
    DeviceRole.GENERATOR,
    u_height=0,
    serial_prefix="GS2000",
    warranty_years=10,
    full_depth=False,
    airflow=Airflow.PASSIVE,
)

DEVICE_TYPES: tuple[DeviceTypeSpec, ...] = (
    DGX_H100,
    QM9700,
    RACK_PDU,
    RACK_SENSOR,
    UPS,
    CRAH,
    CDU,
    CHILLER,
    POWER_METER,
    WATER_METER,
    LOAD_BALANCER,
    EDGE_ROUTER,
    GENERATOR,
)

# The eight compute (InfiniBand) ports of a DGX H100, in GPU order: the port next to GPU n
# on the PCIe tree is rail n. Names as the DGX OS names them.
DGX_H100_COMPUTE_PORTS: tuple[str, ...] = (
    "ibp24s0",
    "ibp64s0",
    "ibp79s0",
    "ibp94s0",
    "ibp154s0",
    "ibp192s0",
    "ibp206s0",
    "ibp220s0",
)
# PCI bus ids of the eight H100s in a DGX H100, GPU 0 to 7, as nvidia-smi shows them.
DGX_H100_GPU_BUS_IDS: tuple[str, ...] = tuple(
    f"00000000:{bus}:00.0" for bus in ("18", "2A", "3A", "5D", "9A", "AB", "BA", "DB")
)
NDR_GBPS = Decimal("400")
PDU_OUTLETS = 36


def qm9700_ports() -> list[str]:
    """The 64 port names of a QM9700: 32 OSFP cages split into two NDR ports each."""
    return [f"IB1/{cage}/{lane}" for cage in range(1, 33) for lane in (1, 2)]


def pdu_outlet_name(number: int) -> str:
    """Outlet names zero-padded so that they sort in outlet order."""
    return f"Outlet {number:02d}"


# The simulated fleet answers with these on loopback; none of them protects anything real.
CREDENTIALS: tuple[dict, ...] = (
    {
        "name": "demo-snmp-v2c",
        "kind": CredentialKind.SNMP_V2C,
        "snmp_community": "demo-public",
        "description": "Read-only community of the simulated PDUs, switches and sensors.",
    },
    {
        "name": "demo-snmp-v3",
        "kind": CredentialKind.SNMP_V3,
        "snmp_user": "demo-ops",
        "auth_protocol": SnmpAuthProtocol.SHA,
        "auth_key": "demo-auth-key",
        "priv_protocol": SnmpPrivProtocol.AES128,
        "priv_key": "demo-priv-key",
        "description": "SNMP v3 authPriv user of the simulated fleet.",
    },
    {
        "name": "demo-modbus",
        "kind": CredentialKind.MODBUS,
        "modbus_unit_id": 1,
        "description": "Modbus TCP unit of the simulated CRAHs, CDUs and chillers.",
    },
)
