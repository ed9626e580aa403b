"""NVML stand-in: pynvml's names and answers, from simulated H100s, for the demo and tests.

Why it looks the way it does:

- Constants and error classes are *re-exported from the installed pynvml*, not copied, so
  codes, names and the exception hierarchy cannot drift (``NVMLError(15)`` is an
  ``NVMLError_GpuIsLost`` here exactly as there). Only the functions that would reach the
  driver are replaced. Return values have pynvml's shapes: ints in NVML's units (mW, mJ, MHz),
  str for names, ``bytes`` for the PCI bus id (a ctypes char array there), and plain objects
  with the C structs' attribute names (``.gpu``/``.memory``, ``.total``/``.free``/``.used``).
- NVML is per host; one demo process simulates 256 of them. A ``SimulatedNvml`` is one
  host's library: an object with pynvml's function names. ``for_host(name)`` returns the
  host's instance, which is how the collector picks the host when ``NVML_MODULE`` names this
  module. The module-level ``nvml*`` functions act on host ``"localhost"``, so this module
  can also stand in where code calls ``pynvml.nvmlInit()`` directly.
- Time comes from an injectable clock; state advances lazily on each call, so tests jump
  ahead without sleeping and get the same numbers every run.
- Faults on demand: ``inject(host, gpu_index, fault)``; see ``inject`` for the list.

GPU identity is deterministic: ``gpu_uuid(host, index)`` is the demo inventory's scheme
(demo.inventory.layout), so the simulated fleet reconciles with the seeded inventory.
"""

from __future__ import annotations

import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import pynvml

from telemetry.simulators import building as building_model
from telemetry.simulators.building import Building
from telemetry.simulators.building import faults as building_faults
from telemetry.simulators.gpu_model import CYCLE_S, H100_SXM, GpuSpec, GpuState

_EXPORTED_PREFIXES = (
    "NVML_",
    "NVMLError",
    "nvmlEventType",
    "nvmlClocksEventReason",
    "nvmlClocksThrottleReason",
    "nvmlTemperature_v",
    "nvmlMemory_v",
)
EXPORTS: dict[str, Any] = {
    name: getattr(pynvml, name) for name in dir(pynvml) if name.startswith(_EXPORTED_PREFIXES)
}
globals().update(EXPORTS)
NVMLError = pynvml.NVMLError  # named again for readers and linters

DEFAULT_HOST = "localhost"
DRIVER_VERSION = "550.90.07"
# The demo inventory takes its GPUs' UUIDs and serials from gpu_uuid and gpu_serial.
GPU_UUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_DNS, "gpu.demo.dcim.invalid")
DGX_H100_BUS_NUMBERS = ("18", "2A", "3A", "5D", "9A", "AB", "BA", "DB")
MIN_ADVANCE_S = 0.1  # calls closer together than this see the same state (one poll)
NO_INSTANCE = 0xFFFFFFFF  # gpuInstanceId / computeInstanceId outside MIG

_ECC = {  # field id -> (error type, counter type) of nvmlDeviceGetTotalEccErrors
    pynvml.NVML_FI_DEV_ECC_SBE_VOL_TOTAL: (0, 0),
    pynvml.NVML_FI_DEV_ECC_DBE_VOL_TOTAL: (1, 0),
    pynvml.NVML_FI_DEV_ECC_SBE_AGG_TOTAL: (0, 1),
    pynvml.NVML_FI_DEV_ECC_DBE_AGG_TOTAL: (1, 1),
}
_REMAP = (
    pynvml.NVML_FI_DEV_REMAPPED_COR,
    pynvml.NVML_FI_DEV_REMAPPED_UNC,
    pynvml.NVML_FI_DEV_REMAPPED_PENDING,
    pynvml.NVML_FI_DEV_REMAPPED_FAILURE,
)
_NVLINK = {  # field id -> nvmlNvLinkErrorCounter_t
    pynvml.NVML_FI_DEV_NVLINK_REPLAY_ERROR_COUNT_TOTAL: pynvml.NVML_NVLINK_ERROR_DL_REPLAY,
    pynvml.NVML_FI_DEV_NVLINK_RECOVERY_ERROR_COUNT_TOTAL: pynvml.NVML_NVLINK_ERROR_DL_RECOVERY,
    pynvml.NVML_FI_DEV_NVLINK_CRC_FLIT_ERROR_COUNT_TOTAL: pynvml.NVML_NVLINK_ERROR_DL_CRC_FLIT,
    pynvml.NVML_FI_DEV_NVLINK_CRC_DATA_ERROR_COUNT_TOTAL: pynvml.NVML_NVLINK_ERROR_DL_CRC_DATA,
}
NVLINKS = 18  # H100 SXM5
# Short names for inject("not_supported:<name>"): functions (str) and field ids (int).
FEATURES: dict[str, tuple[str | int, ...]] = {
    "fan": ("nvmlDeviceGetFanSpeed",),
    "power": ("nvmlDeviceGetPowerUsage",),
    "power_limit": ("nvmlDeviceGetEnforcedPowerLimit",),
    "pstate": ("nvmlDeviceGetPerformanceState",),
    "temperature_v": ("nvmlDeviceGetTemperatureV",),
    "field_values": ("nvmlDeviceGetFieldValues",),
    "events": ("nvmlDeviceRegisterEvents",),
    "energy": ("nvmlDeviceGetTotalEnergyConsumption", pynvml.NVML_FI_DEV_TOTAL_ENERGY_CONSUMPTION),
    "memory_temperature": (pynvml.NVML_FI_DEV_MEMORY_TEMP,),
    "ecc": ("nvmlDeviceGetTotalEccErrors", *_ECC),
    "remapped_rows": ("nvmlDeviceGetRemappedRows", *_REMAP),
    "pcie_replay": ("nvmlDeviceGetPcieReplayCounter", pynvml.NVML_FI_DEV_PCIE_REPLAY_COUNTER),
    "nvlink": ("nvmlDeviceGetNvLinkErrorCounter", *_NVLINK),
}


def gpu_uuid(host: str, index: int) -> str:
    """The NVML UUID of GPU ``index`` of ``host``: the demo inventory uses the same scheme."""
    return f"GPU-{uuid.uuid5(GPU_UUID_NAMESPACE, f'{host}/{index}')}"


def gpu_serial(host: str, index: int) -> str:
    """A 13-digit board serial derived from host and index (H100 boards start with 1654)."""
    n = uuid.uuid5(GPU_UUID_NAMESPACE, f"{host}/{index}/serial").int % 10**9
    return f"1654{n:09d}"


def gpu_bus_id(index: int) -> str:
    """NVML's ``busId`` form; a DGX H100's real bus numbers for the first eight GPUs."""
    bus = DGX_H100_BUS_NUMBERS[index] if index < 8 else f"{0xE0 + index - 8:02X}"
    return f"00000000:{bus}:00.0"


# Struct-likes with the attribute names of pynvml's C structs.


@dataclass(slots=True)
class Utilization:
    gpu: int
    memory: int


@dataclass(slots=True)
class Memory:
    total: int
    free: int
    used: int


@dataclass(slots=True)
class PciInfo:
    busIdLegacy: bytes  # pynvml's (C) names
    domain: int
    bus: int
    device: int
    pciDeviceId: int
    pciSubSystemId: int
    busId: bytes


@dataclass(slots=True)
class EventData:
    device: Any
    eventType: int
    eventData: int
    gpuInstanceId: int = NO_INSTANCE
    computeInstanceId: int = NO_INSTANCE


class Value:
    """c_nvmlValue_t: a union; only the member named by the field's valueType is set."""

    __slots__ = ("dVal", "uiVal", "ulVal", "ullVal", "sllVal", "siVal", "usVal")


@dataclass(slots=True)
class FieldValue:
    fieldId: int
    scopeId: int
    timestamp: int  # microseconds since the epoch
    latencyUsec: int
    valueType: int
    nvmlReturn: int
    value: Value


class Device:
    """One simulated board as NVML sees it (the opaque handle): identity, faults, physics."""

    __slots__ = ("index", "uuid", "serial", "bus_id", "state", "error", "unsupported", "blank")

    def __init__(self, index: int, uuid_: str, serial: str, state: GpuState) -> None:
        self.index = index
        self.uuid = uuid_
        self.serial = serial
        self.bus_id = gpu_bus_id(index)
        self.state = state
        self.error = 0  # an NVML error code every call on this GPU raises (lost, unknown)
        self.unsupported: dict[str | int, int] = {}  # function name or field id -> error code
        self.blank: set[int] = set()  # field ids answered with NVML's "not available" value

    def __repr__(self) -> str:
        return f"<simulated nvmlDevice {self.index} {self.uuid}>"


class EventSet:
    __slots__ = ("registered", "pending")

    def __init__(self) -> None:
        self.registered: dict[Device, int] = {}  # device -> event type mask
        self.pending: deque[EventData] = deque()


class SimulatedNvml:
    """The NVML library of one simulated host. Method names and signatures are pynvml's."""

    def __init__(
        self,
        host: str = DEFAULT_HOST,
        *,
        gpus: int = 8,
        clock: Callable[[], float] = time.time,
        spec: GpuSpec = H100_SXM,
        serials: Iterable[str] | None = None,
        fan: bool = False,
        building: Building | None = None,
    ) -> None:
        self.host = host
        self.clock = clock
        self.init_error = 0  # nvmlInit raises this code (LIBRARY_NOT_FOUND, ...) when set
        self.init_count = 0  # how many times nvmlInit ran: the collector should init once
        self._refs = 0
        self._event_sets: list[EventSet] = []
        seed = uuid.uuid5(GPU_UUID_NAMESPACE, host).int
        phase = float(seed % int(CYCLE_S))  # hosts do not all checkpoint at once
        self._t = clock()
        serial_list = list(serials) if serials is not None else []
        # In the demo building, a host's load, power and air come from the shared model
        # (the PDUs' agent computes the same watts) and its faults from the model's schedule.
        self.building = building if building and host in building.by_name else None
        spread = self.building.gpu_scale.get(host, []) if self.building else []
        self.devices = [
            Device(
                i,
                gpu_uuid(host, i),
                serial_list[i] if i < len(serial_list) else gpu_serial(host, i),
                self._state(i, phase, spec, spread[i] if i < len(spread) else None),
            )
            for i in range(gpus)
        ]
        for dev in self.devices:
            # The driver was loaded days ago (a reload resets this); some boards have history.
            dev.state.energy_mj = (3 + (seed >> 8) % 30) * 86_400 * 350.0 * 1000
            corrected = (pynvml.NVML_MEMORY_ERROR_TYPE_CORRECTED, pynvml.NVML_AGGREGATE_ECC)
            dev.state.ecc[corrected] = (seed >> (dev.index + 16)) % 3
            if not fan:  # SXM boards are passively cooled: NVML says NOT_SUPPORTED
                dev.unsupported["nvmlDeviceGetFanSpeed"] = pynvml.NVML_ERROR_NOT_SUPPORTED
        if self.building is not None:
            if self.building.by_name[host].dark:
                # A failed host is dark. A powered-off host would not answer at all; the
                # nearest a library can say is that no driver is there.
                self.init_error = pynvml.NVML_ERROR_DRIVER_NOT_LOADED
            if self.building.bad_board and self.building.bad_board[0] == host:
                self.devices[self.building.bad_board[1]].state.remapped[3] = 1

    def _state(self, i: int, phase: float, spec: GpuSpec, spread: tuple | None) -> GpuState:
        if self.building is None or spread is None:
            return GpuState(i, phase, self._t, spec)
        _, offset, c_per_w = spread
        building, host = self.building, self.host
        return GpuState(
            i,
            phase,
            self._t,
            spec,
            source=lambda t: building.gpu(host, i, t),
            temp_offset=offset,
            c_per_w=c_per_w,
        )

    def __getattr__(self, name: str) -> Any:
        """Constants and error classes, as on the pynvml module."""
        try:
            return EXPORTS[name]
        except KeyError:
            raise AttributeError(name) from None

    def __repr__(self) -> str:
        return f"<SimulatedNvml {self.host}: {len(self.devices)} GPUs>"

    # The guard every device call goes through: initialised, time advanced, faults applied.

    def _dev(self, handle: Device, function: str) -> GpuState:
        if not self._refs:
            raise NVMLError(pynvml.NVML_ERROR_UNINITIALIZED)
        now = self.clock()
        if now - self._t >= MIN_ADVANCE_S:
            self.advance(now)
        if handle.error:
            raise NVMLError(handle.error)
        code = handle.unsupported.get(function)
        if code:
            raise NVMLError(code)
        return handle.state

    def advance(self, now: float | None = None) -> None:
        """Bring every GPU's model up to ``now`` (the clock's time by default)."""
        before, self._t = self._t, self.clock() if now is None else now
        for dev in self.devices:
            dev.state.advance(self._t)
        if self.building is not None:
            self._scheduled_faults(before, self._t)

    def _scheduled_faults(self, before: float, now: float) -> None:
        """The model's faults on this host: events once as they start, lost GPUs back
        (reset) when their fault ends."""
        plan = self.building.plan
        for fault in building_faults.started_between(plan, before, now):
            if fault.target != self.host or fault.kind not in SCHEDULED:
                continue
            _inject_gpu(self, self.devices[fault.index], SCHEDULED[fault.kind])
        lost = {
            f.index
            for f in building_faults.active(plan, now)
            if f.kind == "gpu_lost" and f.target == self.host
        }
        for dev in self.devices:
            if dev.error == pynvml.NVML_ERROR_GPU_IS_LOST and dev.index not in lost:
                dev.error = 0  # the node was drained and the GPU reset

    def _emit(self, dev: Device, xid: int) -> None:
        xid_type = pynvml.nvmlEventTypeXidCriticalError
        for event_set in self._event_sets:
            if event_set.registered.get(dev, 0) & xid_type:
                event_set.pending.append(EventData(dev, xid_type, xid))

    # Library

    def nvmlInit(self) -> None:  # pynvml's names, camelCase and all
        self.init_count += 1
        if self.init_error:
            raise NVMLError(self.init_error)
        self._refs += 1

    def nvmlInitWithFlags(self, flags: int) -> None:
        self.nvmlInit()

    def nvmlShutdown(self) -> None:
        if not self._refs:
            raise NVMLError(pynvml.NVML_ERROR_UNINITIALIZED)
        self._refs -= 1

    def nvmlErrorString(self, result: int) -> str:
        return str(NVMLError(result))  # pynvml's own wording

    def nvmlSystemGetDriverVersion(self) -> str:
        return DRIVER_VERSION

    def nvmlDeviceGetCount(self) -> int:
        if not self._refs:
            raise NVMLError(pynvml.NVML_ERROR_UNINITIALIZED)
        return len(self.devices)

    def nvmlDeviceGetHandleByIndex(self, index: int) -> Device:
        if not self._refs:
            raise NVMLError(pynvml.NVML_ERROR_UNINITIALIZED)
        if not 0 <= index < len(self.devices):
            raise NVMLError(pynvml.NVML_ERROR_INVALID_ARGUMENT)
        return self.devices[index]

    # Identity

    def nvmlDeviceGetIndex(self, handle: Device) -> int:
        self._dev(handle, "nvmlDeviceGetIndex")
        return handle.index

    def nvmlDeviceGetUUID(self, handle: Device) -> str:
        self._dev(handle, "nvmlDeviceGetUUID")
        return handle.uuid

    def nvmlDeviceGetSerial(self, handle: Device) -> str:
        self._dev(handle, "nvmlDeviceGetSerial")
        return handle.serial

    def nvmlDeviceGetName(self, handle: Device) -> str:
        return self._dev(handle, "nvmlDeviceGetName").spec.name

    def nvmlDeviceGetPciInfo(self, handle: Device) -> PciInfo:
        self._dev(handle, "nvmlDeviceGetPciInfo")
        bus = int(handle.bus_id.split(":")[1], 16)
        return PciInfo(
            handle.bus_id[4:].encode(), 0, bus, 0, 0x233010DE, 0x16C110DE, handle.bus_id.encode()
        )

    # Load, memory, power, clocks

    def nvmlDeviceGetUtilizationRates(self, handle: Device) -> Utilization:
        s = self._dev(handle, "nvmlDeviceGetUtilizationRates")
        return Utilization(round(s.util), round(s.util * 0.55))

    def nvmlDeviceGetMemoryInfo(self, handle: Device, version: int | None = None) -> Memory:
        s = self._dev(handle, "nvmlDeviceGetMemoryInfo")
        used = s.memory_used()
        return Memory(s.spec.memory_total, s.spec.memory_total - used, used)

    def nvmlDeviceGetPowerUsage(self, handle: Device) -> int:
        return round(self._dev(handle, "nvmlDeviceGetPowerUsage").power_w * 1000)

    def nvmlDeviceGetEnforcedPowerLimit(self, handle: Device) -> int:
        return round(self._dev(handle, "nvmlDeviceGetEnforcedPowerLimit").spec.power_limit_w * 1000)

    def nvmlDeviceGetTotalEnergyConsumption(self, handle: Device) -> int:
        return int(self._dev(handle, "nvmlDeviceGetTotalEnergyConsumption").energy_mj)

    def nvmlDeviceGetClockInfo(self, handle: Device, type: int) -> int:
        s = self._dev(handle, "nvmlDeviceGetClockInfo")
        if type in (pynvml.NVML_CLOCK_SM, pynvml.NVML_CLOCK_GRAPHICS):
            return s.sm_clock_mhz()
        if type == pynvml.NVML_CLOCK_MEM:
            return s.spec.mem_clock_mhz
        raise NVMLError(pynvml.NVML_ERROR_NOT_SUPPORTED)

    def nvmlDeviceGetFanSpeed(self, handle: Device) -> int:
        s = self._dev(handle, "nvmlDeviceGetFanSpeed")
        return round(30 + 0.5 * max(0.0, s.temp_c - 30))

    def nvmlDeviceGetPerformanceState(self, handle: Device) -> int:
        self._dev(handle, "nvmlDeviceGetPerformanceState")
        return 0  # data-centre boards stay in P0, idle or not

    def nvmlDeviceGetCurrentClocksEventReasons(self, handle: Device) -> int:
        return self._dev(handle, "nvmlDeviceGetCurrentClocksEventReasons").reasons

    nvmlDeviceGetCurrentClocksThrottleReasons = nvmlDeviceGetCurrentClocksEventReasons  # old name

    # Temperatures

    def nvmlDeviceGetTemperatureV(
        self, handle: Device, sensor: int, version: int = pynvml.nvmlTemperature_v1
    ) -> int:
        s = self._dev(handle, "nvmlDeviceGetTemperatureV")
        if sensor != pynvml.NVML_TEMPERATURE_GPU:
            raise NVMLError(pynvml.NVML_ERROR_NOT_SUPPORTED)
        return round(s.temp_c)

    def nvmlDeviceGetTemperature(self, handle: Device, sensor: int) -> int:
        s = self._dev(handle, "nvmlDeviceGetTemperature")
        if sensor != pynvml.NVML_TEMPERATURE_GPU:
            raise NVMLError(pynvml.NVML_ERROR_NOT_SUPPORTED)
        return round(s.temp_c)

    def nvmlDeviceGetTemperatureThreshold(self, handle: Device, threshold: int) -> int:
        spec = self._dev(handle, "nvmlDeviceGetTemperatureThreshold").spec
        values = {0: spec.shutdown_c, 1: spec.slowdown_c, 2: spec.mem_max_c, 3: spec.gpu_max_c}
        if threshold not in values:
            raise NVMLError(pynvml.NVML_ERROR_NOT_SUPPORTED)
        return values[threshold]

    # Errors and health counters

    def nvmlDeviceGetTotalEccErrors(self, handle: Device, errorType: int, counterType: int) -> int:
        return self._dev(handle, "nvmlDeviceGetTotalEccErrors").ecc.get((errorType, counterType), 0)

    def nvmlDeviceGetRemappedRows(self, device: Device) -> tuple[int, int, int, int]:
        return tuple(self._dev(device, "nvmlDeviceGetRemappedRows").remapped)

    def nvmlDeviceGetPcieReplayCounter(self, handle: Device) -> int:
        return self._dev(handle, "nvmlDeviceGetPcieReplayCounter").pcie_replay

    def nvmlDeviceGetNvLinkErrorCounter(self, device: Device, link: int, counter: int) -> int:
        s = self._dev(device, "nvmlDeviceGetNvLinkErrorCounter")
        if not 0 <= link < NVLINKS:
            raise NVMLError(pynvml.NVML_ERROR_INVALID_ARGUMENT)
        return s.nvlink_errors[counter] if link == 0 else 0  # errors live on link 0

    def nvmlDeviceGetFieldValues(self, handle: Device, fieldIds: list) -> list[FieldValue]:
        s = self._dev(handle, "nvmlDeviceGetFieldValues")
        now_us = int(self.clock() * 1e6)
        out = []
        for item in fieldIds:
            field_id, scope = item if isinstance(item, tuple) else (item, 0)
            value = Value()
            code = handle.unsupported.get(field_id, pynvml.NVML_SUCCESS)
            kind = pynvml.NVML_VALUE_TYPE_UNSIGNED_LONG_LONG
            if code == pynvml.NVML_SUCCESS:
                number = _field(s, field_id)
                if field_id in handle.blank and number is not None:
                    number = 2**64 - 1 if field_id != pynvml.NVML_FI_DEV_MEMORY_TEMP else 2**32 - 1
                if number is None:
                    code = pynvml.NVML_ERROR_NOT_SUPPORTED
                elif field_id == pynvml.NVML_FI_DEV_MEMORY_TEMP:
                    kind, value.uiVal = pynvml.NVML_VALUE_TYPE_UNSIGNED_INT, number
                else:
                    value.ullVal = number
            out.append(FieldValue(field_id, scope, now_us, 0, kind, code, value))
        return out

    # Events

    def nvmlEventSetCreate(self) -> EventSet:
        if not self._refs:
            raise NVMLError(pynvml.NVML_ERROR_UNINITIALIZED)
        event_set = EventSet()
        self._event_sets.append(event_set)
        return event_set

    def nvmlDeviceRegisterEvents(self, handle: Device, eventTypes: int, eventSet: EventSet) -> None:
        self._dev(handle, "nvmlDeviceRegisterEvents")
        eventSet.registered[handle] = eventSet.registered.get(handle, 0) | eventTypes

    def nvmlEventSetWait(self, eventSet: EventSet, timeoutms: int) -> EventData:
        """Never sleeps: simulated time does not pass while waiting.

        The GPUs are brought up to the clock first, as the driver queues an XID when it
        happens, not when a GPU is next asked about: a scheduled XID 79 that only surfaced
        at the next device call came after the collector's drain, and its re-init freed the
        event set with the XID still in it.
        """
        if not self._refs:
            raise NVMLError(pynvml.NVML_ERROR_UNINITIALIZED)
        now = self.clock()
        if now - self._t >= MIN_ADVANCE_S:
            self.advance(now)
        if not eventSet.pending:
            raise NVMLError(pynvml.NVML_ERROR_TIMEOUT)
        return eventSet.pending.popleft()

    def nvmlEventSetFree(self, eventSet: EventSet) -> None:
        if eventSet in self._event_sets:
            self._event_sets.remove(eventSet)


def _field(s: GpuState, field_id: int) -> int | None:
    """A field value from the model, in NVML's units; None when this board has no such field."""
    if field_id == pynvml.NVML_FI_DEV_MEMORY_TEMP:
        return s.memory_temp_c()
    if field_id == pynvml.NVML_FI_DEV_TOTAL_ENERGY_CONSUMPTION:
        return int(s.energy_mj)
    if field_id in _ECC:
        return s.ecc.get(_ECC[field_id], 0)
    if field_id in _REMAP:
        return s.remapped[_REMAP.index(field_id)]
    if field_id == pynvml.NVML_FI_DEV_PCIE_REPLAY_COUNTER:
        return s.pcie_replay
    if field_id in _NVLINK:
        return s.nvlink_errors[_NVLINK[field_id]]
    return None


# The fleet: one SimulatedNvml per host name, made on first use.

_hosts: dict[str, SimulatedNvml] = {}
# The model's scheduled GPU faults, as inject() names them.
# "xid" is a critical XID standing alone (XID 31, an application's page fault, was here:
# rightly no critical-XID rule lists it, so the demo showed no critical XID of its own).
SCHEDULED = {"xid": "nvlink_error", "gpu_lost": "xid79", "ecc": "ecc_uncorrected"}


def for_host(host: str) -> SimulatedNvml:
    """The simulated NVML of ``host`` (8 H100s on the wall clock unless ``add_host`` said)."""
    sim = _hosts.get(host)
    if sim is None:
        sim = _hosts[host] = SimulatedNvml(host, building=building_model.from_env())
    return sim


def add_host(host: str, **options: Any) -> SimulatedNvml:
    """Create (or replace) a host with ``SimulatedNvml`` options: gpus, clock, serials, fan."""
    sim = _hosts[host] = SimulatedNvml(host, **options)
    return sim


def reset() -> None:
    """Forget every simulated host."""
    _hosts.clear()


def set_load(host: str | SimulatedNvml, gpu: int | None, util: float | None) -> None:
    """Pin GPU utilization (%) of one GPU, or of all with ``gpu=None``; None follows the job."""
    sim = for_host(host) if isinstance(host, str) else host
    for dev in sim.devices if gpu is None else [sim.devices[gpu]]:
        dev.state.util_override = util


def inject(host: str | SimulatedNvml, gpu: int | None, fault: str) -> None:
    """Make something go wrong (or right again) on a simulated host, from now on.

    Per GPU: ``"xid<N>"`` delivers XID N to registered event sets (``"xid79"``: the GPU has
    also fallen off the bus, so every call on it raises NVMLError_GpuIsLost); ``"gpu_lost"``,
    ``"unknown"``, ``"reset_required"``: every call on it raises that error;
    ``"ecc_uncorrected"``: DBE counters +1, a row remap pending, XID 48; ``"ecc_corrected"``:
    SBE counters +1; ``"nvlink_error"``: a link retrains (XID 74, NVLink replay and recovery
    counters up); ``"thermal_slowdown"``: cooling lost, the die heats past slowdown with its
    usual inertia; ``"power_brake"``: HW power brake asserted (clocks drop at once);
    ``"remap_failure"``: a row remap failed (the GPU needs replacing);
    ``"not_supported:<feature>"`` / ``"function_not_found:<feature>"`` (a FEATURES key, a
    function name or a field id); ``"not_available:<feature>"``: its field
    values come back as NVML's all-ones "not available" sentinel; ``"recover"``.
    Per host (``gpu=None``): ``"library_not_found"``, ``"driver_not_loaded"`` (nvmlInit fails);
    ``"driver_reload"`` (energy and volatile ECC restart at 0, errors cleared); ``"recover"``.
    """
    sim = for_host(host) if isinstance(host, str) else host
    sim.advance()  # the fault starts now, not at the last call
    if gpu is None:
        _inject_host(sim, fault)
    else:
        _inject_gpu(sim, sim.devices[gpu], fault)


_DEVICE_ERRORS = {
    "gpu_lost": pynvml.NVML_ERROR_GPU_IS_LOST,
    "unknown": pynvml.NVML_ERROR_UNKNOWN,
    "reset_required": pynvml.NVML_ERROR_RESET_REQUIRED,
}
_INIT_ERRORS = {
    "library_not_found": pynvml.NVML_ERROR_LIBRARY_NOT_FOUND,
    "driver_not_loaded": pynvml.NVML_ERROR_DRIVER_NOT_LOADED,
}
_MISSING = {
    "not_supported": pynvml.NVML_ERROR_NOT_SUPPORTED,
    "function_not_found": pynvml.NVML_ERROR_FUNCTION_NOT_FOUND,
}


def _inject_gpu(sim: SimulatedNvml, dev: Device, fault: str) -> None:
    s = dev.state
    kind, _, what = fault.partition(":")
    if kind.startswith("xid") and kind[3:].isdigit():
        sim._emit(dev, int(kind[3:]))
        if kind == "xid79":
            dev.error = pynvml.NVML_ERROR_GPU_IS_LOST
    elif kind in _DEVICE_ERRORS:
        dev.error = _DEVICE_ERRORS[kind]
    elif kind in ("ecc_uncorrected", "ecc_corrected"):
        error_type = 1 if kind == "ecc_uncorrected" else 0
        for counter in (pynvml.NVML_VOLATILE_ECC, pynvml.NVML_AGGREGATE_ECC):
            s.ecc[(error_type, counter)] = s.ecc.get((error_type, counter), 0) + 1
        if error_type:
            s.remapped[1] += 1  # the bad row is remapped ...
            s.remapped[2] = 1  # ... at the next GPU reset: pending
            sim._emit(dev, 48)
    elif kind == "nvlink_error":
        s.nvlink_errors[pynvml.NVML_NVLINK_ERROR_DL_REPLAY] += 24  # packets resent ...
        s.nvlink_errors[pynvml.NVML_NVLINK_ERROR_DL_RECOVERY] += 1  # ... then the link retrained
        sim._emit(dev, 74)
    elif kind == "thermal_slowdown":
        s.thermal_fault = True
    elif kind == "power_brake":
        s.power_brake = True
        s.reasons = s._reasons()  # asserted now, not at the next integration step
    elif kind == "remap_failure":
        s.remapped[3] = 1
    elif kind in _MISSING:
        for key in FEATURES.get(what) or (int(what) if what.isdigit() else what,):
            dev.unsupported[key] = _MISSING[kind]
    elif kind == "not_available":
        dev.blank.update(k for k in FEATURES.get(what) or (int(what),) if isinstance(k, int))
    elif kind == "recover":
        dev.error = 0
        s.thermal_fault = s.power_brake = False
    else:
        raise ValueError(f"unknown GPU fault {fault!r}")


def _inject_host(sim: SimulatedNvml, fault: str) -> None:
    if fault in _INIT_ERRORS:
        sim.init_error = _INIT_ERRORS[fault]
    elif fault in ("driver_reload", "recover"):
        sim.init_error = 0
        for dev in sim.devices:
            dev.error = 0
            dev.state.thermal_fault = dev.state.power_brake = False
            if fault == "driver_reload":
                dev.state.energy_mj = 0.0
                for key in [k for k in dev.state.ecc if k[1] == pynvml.NVML_VOLATILE_ECC]:
                    dev.state.ecc[key] = 0
    else:
        raise ValueError(f"unknown host fault {fault!r}")


# Module-level pynvml functions, acting on the default host.

API: tuple[str, ...] = tuple(name for name in vars(SimulatedNvml) if name.startswith("nvml"))


def _on_default_host(name: str) -> Callable[..., Any]:
    def call(*args: Any, **kwargs: Any) -> Any:
        return getattr(for_host(DEFAULT_HOST), name)(*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    call.__doc__ = f"pynvml.{name} on simulated host {DEFAULT_HOST!r}."
    return call


globals().update({name: _on_default_host(name) for name in API})
