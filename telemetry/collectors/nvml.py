"""NVML collector: one poll of the GPUs of the host it runs on.

NVML is a local library, so this runs in the Celery worker on each GPU host, which has no
database: it imports neither Django models nor the store, and reads one setting lazily.
``collect()`` returns a ``PollResult`` that travels back through the broker as JSON.

Which library: ``settings.NVML_MODULE`` (or the ``NVML_MODULE`` environment variable when
Django is not configured), default ``"pynvml"``; ``"telemetry.simulators.nvml"`` is the
stand-in. A module that simulates many hosts offers ``for_host(target)``; pynvml does not.

Per poll, per GPU: nine calls (ten with a fan) plus one ``nvmlDeviceGetFieldValues`` for
memory temperature, energy, ECC, remapped rows, PCIe replays and NVLink errors together, and
one event wait per host; ``python -m bench.collectors.nvml`` measures the CPU it costs. The
library is initialised once per process (again after GPU_IS_LOST / RESET_REQUIRED, at most
every ``REINIT_EVERY_S``); identity and thermal thresholds are read once per GPU; a call or
field that answers NOT_SUPPORTED / FUNCTION_NOT_FOUND is remembered per GPU and not asked
again, yet still counted in ``skipped["not_supported"]`` on every poll.

Readings (component ``gpu<index>``, labels uuid, serial, pci_bus_id, name; ``gpu_count``
with component ""), base units; clocks in hertz (base unit, as node_exporter's ``*_hertz``;
show MHz to people). Every metric this can emit, with its unit, kind and meaning, is
declared in ``METRICS`` below: alert rules, the device page and docs/metrics.md read it
(through ``telemetry.collectors.catalog``), and a test holds the emitted readings to it.

Events: ``{"kind": "identity" | "xid" | "gpu_lost" | "gpu_recovered", "gpu": index, ...}``.
"""

from __future__ import annotations

import ctypes
import importlib
import logging
import os
import time
import weakref
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from telemetry.collectors.metric import Metric, counter, gauge, state
from telemetry.readings import PollResult, Reading

log = logging.getLogger(__name__)

DEFAULT_MODULE = "pynvml"
EVENT_WAIT_MS = 1  # the first wait may block this long; TIMEOUT is the usual answer
MAX_EVENTS_PER_POLL = 64
REINIT_EVERY_S = 300.0  # nvmlInit is slow on a real host: don't redo it every poll
HZ_PER_MHZ = 1_000_000

# nvmlDeviceGetFieldValues: (pynvml constant, metric, unit, scale).
FIELDS: tuple[tuple[str, str, str, float], ...] = (
    ("NVML_FI_DEV_MEMORY_TEMP", "gpu_memory_temperature_celsius", "celsius", 1),
    ("NVML_FI_DEV_TOTAL_ENERGY_CONSUMPTION", "gpu_energy_joules_total", "joules", 1e-3),
    ("NVML_FI_DEV_ECC_SBE_VOL_TOTAL", "gpu_ecc_corrected_volatile_total", "count", 1),
    ("NVML_FI_DEV_ECC_DBE_VOL_TOTAL", "gpu_ecc_uncorrected_volatile_total", "count", 1),
    ("NVML_FI_DEV_ECC_SBE_AGG_TOTAL", "gpu_ecc_corrected_aggregate_total", "count", 1),
    ("NVML_FI_DEV_ECC_DBE_AGG_TOTAL", "gpu_ecc_uncorrected_aggregate_total", "count", 1),
    ("NVML_FI_DEV_REMAPPED_COR", "gpu_remapped_rows_corrected_total", "count", 1),
    ("NVML_FI_DEV_REMAPPED_UNC", "gpu_remapped_rows_uncorrected_total", "count", 1),
    ("NVML_FI_DEV_REMAPPED_PENDING", "gpu_remapped_rows_pending", "bool", 1),
    ("NVML_FI_DEV_REMAPPED_FAILURE", "gpu_remapped_rows_failure", "bool", 1),
    ("NVML_FI_DEV_PCIE_REPLAY_COUNTER", "gpu_pcie_replay_total", "count", 1),
    (
        "NVML_FI_DEV_NVLINK_CRC_FLIT_ERROR_COUNT_TOTAL",
        "gpu_nvlink_crc_flit_errors_total",
        "count",
        1,
    ),  # noqa: E501
    (
        "NVML_FI_DEV_NVLINK_CRC_DATA_ERROR_COUNT_TOTAL",
        "gpu_nvlink_crc_data_errors_total",
        "count",
        1,
    ),  # noqa: E501
    ("NVML_FI_DEV_NVLINK_REPLAY_ERROR_COUNT_TOTAL", "gpu_nvlink_replay_errors_total", "count", 1),
    (
        "NVML_FI_DEV_NVLINK_RECOVERY_ERROR_COUNT_TOTAL",
        "gpu_nvlink_recovery_errors_total",
        "count",
        1,
    ),  # noqa: E501
)
THRESHOLDS = (
    ("NVML_TEMPERATURE_THRESHOLD_SHUTDOWN", "gpu_temperature_shutdown_celsius"),
    ("NVML_TEMPERATURE_THRESHOLD_SLOWDOWN", "gpu_temperature_slowdown_celsius"),
    ("NVML_TEMPERATURE_THRESHOLD_GPU_MAX", "gpu_temperature_max_operating_celsius"),
    ("NVML_TEMPERATURE_THRESHOLD_MEM_MAX", "gpu_memory_temperature_max_operating_celsius"),
)
REASON_BITS = (
    (0x04, "gpu_clocks_event_sw_power_cap"),
    (0x08, "gpu_clocks_event_hw_slowdown"),
    (0x20, "gpu_clocks_event_sw_thermal_slowdown"),
    (0x40, "gpu_clocks_event_hw_thermal_slowdown"),
    (0x80, "gpu_clocks_event_hw_power_brake"),
)
# c_nvmlValue_t member per NVML_VALUE_TYPE_*; the all-ones value of each is "not available".
VALUE_MEMBERS = ("dVal", "uiVal", "ulVal", "ullVal", "sllVal", "siVal", "usVal")
BLANK = {2**32 - 1, 2**64 - 1, 2**63 - 1, 2**16 - 1}
PSTATE_UNKNOWN = 32

# Every metric collect() can emit: per GPU (component gpu<index>) unless said otherwise.
# Names and units are the ones the probes below emit; tests hold the readings to this.
METRICS: tuple[Metric, ...] = (
    gauge(
        "gpu_utilization_percent",
        "percent",
        "Share of the last sample period (1/6 s to 1 s) in which a kernel ran on the GPU.",
    ),
    gauge(
        "gpu_memory_utilization_percent",
        "percent",
        "Share of the last sample period in which device memory was read or written.",
    ),
    gauge("gpu_memory_used_bytes", "bytes", "Device memory (framebuffer) allocated."),
    gauge("gpu_memory_free_bytes", "bytes", "Device memory (framebuffer) not allocated."),
    gauge("gpu_memory_total_bytes", "bytes", "Device memory (framebuffer) in all."),
    gauge("gpu_temperature_celsius", "celsius", "GPU die temperature."),
    gauge("gpu_memory_temperature_celsius", "celsius", "Device memory (HBM) temperature."),
    gauge(
        "gpu_temperature_shutdown_celsius",
        "celsius",
        "Threshold: the GPU shuts down at this die temperature.",
    ),
    gauge(
        "gpu_temperature_slowdown_celsius",
        "celsius",
        "Threshold: the hardware slows the clocks down from this die temperature.",
    ),
    gauge(
        "gpu_temperature_max_operating_celsius",
        "celsius",
        "Threshold: the highest die temperature for normal operation.",
    ),
    gauge(
        "gpu_memory_temperature_max_operating_celsius",
        "celsius",
        "Threshold: the highest device memory temperature for normal operation.",
    ),
    gauge("gpu_power_watts", "watts", "Power the board draws now."),
    gauge(
        "gpu_power_limit_watts",
        "watts",
        "Power limit the driver enforces now (the lowest of the limits set).",
    ),
    counter(
        "gpu_energy_joules_total",
        "joules",
        "Energy the board used since the driver was loaded (restarts at 0 on a reload).",
    ),
    gauge("gpu_sm_clock_hertz", "hertz", "Streaming multiprocessor (graphics) clock now."),
    gauge("gpu_memory_clock_hertz", "hertz", "Memory clock now."),
    gauge(
        "gpu_fan_speed_percent",
        "percent",
        "Fan speed, percent of its maximum (boards with a fan: SXM boards have none).",
    ),
    state(
        "gpu_performance_state",
        "pstate",
        "Performance state: 0 is P0, full performance; up to 15, the lowest.",
    ),
    state(
        "gpu_clocks_event_reasons",
        "bitmask",
        "Why clocks are below their maximum now: NVML's clocks event reasons bitmask.",
    ),
    state(
        "gpu_clocks_event_sw_power_cap",
        "bool",
        "1 while the driver holds clocks down to stay under the power limit (0x4).",
    ),
    state(
        "gpu_clocks_event_hw_slowdown",
        "bool",
        "1 while the hardware slows clocks: too hot, power brake or high power draw (0x8).",
    ),
    state(
        "gpu_clocks_event_sw_thermal_slowdown",
        "bool",
        "1 while the driver holds clocks down because the GPU or its memory runs hot (0x20).",
    ),
    state(
        "gpu_clocks_event_hw_thermal_slowdown",
        "bool",
        "1 while the hardware slows clocks because the GPU is too hot (0x40).",
    ),
    state(
        "gpu_clocks_event_hw_power_brake",
        "bool",
        "1 while an external power brake signal (e.g. from the chassis) slows clocks (0x80).",
    ),
    counter(
        "gpu_ecc_corrected_volatile_total",
        "count",
        "Single-bit (corrected) ECC memory errors since the driver was loaded.",
    ),
    counter(
        "gpu_ecc_uncorrected_volatile_total",
        "count",
        "Double-bit (uncorrected) ECC memory errors since the driver was loaded.",
    ),
    counter(
        "gpu_ecc_corrected_aggregate_total",
        "count",
        "Single-bit (corrected) ECC memory errors over the board's life.",
    ),
    counter(
        "gpu_ecc_uncorrected_aggregate_total",
        "count",
        "Double-bit (uncorrected) ECC memory errors over the board's life.",
    ),
    counter(
        "gpu_remapped_rows_corrected_total",
        "count",
        "Memory rows remapped after correctable errors.",
    ),
    counter(
        "gpu_remapped_rows_uncorrected_total",
        "count",
        "Memory rows remapped after uncorrectable errors.",
    ),
    state(
        "gpu_remapped_rows_pending",
        "bool",
        "1 while a row remap waits for the next GPU reset.",
    ),
    state(
        "gpu_remapped_rows_failure",
        "bool",
        "1 once a row remap failed: no spare rows left, the board needs replacing.",
    ),
    counter(
        "gpu_pcie_replay_total",
        "count",
        "PCIe packets the link had to send again (link errors).",
    ),
    counter(
        "gpu_nvlink_crc_flit_errors_total",
        "count",
        "NVLink flow-control digits received with a CRC error, all links together.",
    ),
    counter(
        "gpu_nvlink_crc_data_errors_total",
        "count",
        "NVLink data packets received with a CRC error, all links together.",
    ),
    counter(
        "gpu_nvlink_replay_errors_total",
        "count",
        "NVLink packets sent again after an error, all links together.",
    ),
    counter(
        "gpu_nvlink_recovery_errors_total",
        "count",
        "NVLink link recoveries (the link was retrained), all links together.",
    ),
    state(
        "gpu_xid_last",
        "xid",
        "Code of the last XID error seen (0: none since the collector started).",
    ),
    counter(
        "gpu_xid_events_total",
        "count",
        "XID error events seen since the collector (its worker process) started.",
    ),
    state(
        "gpu_lost",
        "bool",
        "1 while the GPU does not answer (fallen off the bus, needs a reset, unknown error).",
    ),
    gauge("gpu_count", "count", 'GPUs the host\'s driver reports (component "": the host).'),
)

Emit = Callable[[str, float, str], None]


@dataclass(eq=False)
class Gpu:
    """What this process knows about one GPU: identity, capabilities, thresholds, XIDs."""

    index: int
    handle: Any = None
    uuid: str = ""
    identity: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    thresholds: list[tuple[str, int]] | None = None  # None: not read yet
    unsupported: set[str] = field(default_factory=set)  # probe names, "field:<id>", "events"
    fields: list[tuple[int, str, str, float]] = field(default_factory=list)
    lost: str = ""  # the error while lost
    xid_last: int = 0
    xid_total: int = 0

    @property
    def component(self) -> str:
        return f"gpu{self.index}"


class Session:
    """NVML state for one library in one process: initialised once, GPUs remembered by UUID."""

    def __init__(self, nvml: Any) -> None:
        self.nvml = nvml
        self.initialized = False  # nvmlInit succeeded and we hold its reference
        self.reinit_wanted = False
        self.reinit_every_s = REINIT_EVERY_S
        self.last_reinit = -float("inf")
        self.gpus: list[Gpu] = []
        self.by_uuid: dict[str, Gpu] = {}
        self.by_handle: dict[int, Gpu] = {}
        self.event_set: Any = None
        self.error = nvml.NVMLError
        self.missing = (nvml.NVMLError_NotSupported, nvml.NVMLError_FunctionNotFound)
        self.lost = (nvml.NVMLError_GpuIsLost, nvml.NVMLError_ResetRequired, nvml.NVMLError_Unknown)
        self.reinit_errors = (nvml.NVMLError_GpuIsLost, nvml.NVMLError_ResetRequired)
        self.timeout = nvml.NVMLError_Timeout
        self.success = nvml.NVML_SUCCESS
        self.field_missing = {
            nvml.NVML_ERROR_NOT_SUPPORTED,
            nvml.NVML_ERROR_INVALID_ARGUMENT,
            nvml.NVML_ERROR_FUNCTION_NOT_FOUND,
        }
        self.fields = [(getattr(nvml, c), m, u, k) for c, m, u, k in FIELDS if hasattr(nvml, c)]
        self.temperature_gpu = nvml.NVML_TEMPERATURE_GPU
        self.clock_sm, self.clock_mem = nvml.NVML_CLOCK_SM, nvml.NVML_CLOCK_MEM
        self.xid_event = nvml.nvmlEventTypeXidCriticalError
        corrected, uncorrected = (
            nvml.NVML_MEMORY_ERROR_TYPE_CORRECTED,
            nvml.NVML_MEMORY_ERROR_TYPE_UNCORRECTED,
        )
        volatile, aggregate = nvml.NVML_VOLATILE_ECC, nvml.NVML_AGGREGATE_ECC
        self.ecc_counters = (  # for old drivers without field values
            (corrected, volatile, "gpu_ecc_corrected_volatile_total"),
            (uncorrected, volatile, "gpu_ecc_uncorrected_volatile_total"),
            (corrected, aggregate, "gpu_ecc_corrected_aggregate_total"),
            (uncorrected, aggregate, "gpu_ecc_uncorrected_aggregate_total"),
        )

    def due(self) -> bool:
        """Whether this poll must (re-)initialise: first use, or a GPU lost, not too often."""
        if not self.initialized:
            return True
        return self.reinit_wanted and time.monotonic() - self.last_reinit >= self.reinit_every_s

    def start(self) -> None:
        """nvmlInit, then the GPUs: identity, thresholds, XID event registration.

        Again after GPU_IS_LOST / RESET_REQUIRED: what was learnt per UUID (capabilities,
        thresholds, XID counts) is kept.
        """
        nv = self.nvml
        if self.initialized:
            self.last_reinit = time.monotonic()
            self.stop()
        self.reinit_wanted = False
        nv.nvmlInit()
        self.initialized = True
        try:
            previous = self.gpus
            self.gpus, self.by_handle = [], {}
            self.event_set = _try(nv.nvmlEventSetCreate, self.error)
            for index in range(nv.nvmlDeviceGetCount()):
                before = previous[index] if index < len(previous) else None
                self.gpus.append(self._open(index, before))
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Free the event set and release our nvmlInit reference."""
        if self.event_set is not None:
            _try(lambda: self.nvml.nvmlEventSetFree(self.event_set), self.error)
            self.event_set = None
        if self.initialized:
            _try(self.nvml.nvmlShutdown, self.error)
            self.initialized = False

    def _open(self, index: int, before: Gpu | None) -> Gpu:
        """The GPU at ``index``, known by UUID; one that fails here stays lost until re-init."""
        nv = self.nvml
        try:
            handle = nv.nvmlDeviceGetHandleByIndex(index)
            uuid = nv.nvmlDeviceGetUUID(handle)
            gpu = self.by_uuid.get(uuid) or Gpu(index, uuid=uuid, fields=list(self.fields))
            if not gpu.identity:
                self._identify(gpu, handle)
            if gpu.thresholds is None:
                gpu.thresholds = [
                    (metric, value)
                    for constant, metric in THRESHOLDS
                    if (value := self._threshold(handle, constant)) is not None
                ]
            if self.event_set is not None and "events" not in gpu.unsupported:
                try:
                    nv.nvmlDeviceRegisterEvents(handle, self.xid_event, self.event_set)
                except self.missing:
                    gpu.unsupported.add("events")
        except self.error as exc:  # lost (or worse) before we could get to know it
            gpu = before or Gpu(index)
            gpu.handle, gpu.lost = None, gpu.lost or str(exc)
            self.reinit_wanted = True  # the next re-init tries again
            return gpu
        gpu.index, gpu.handle = index, handle
        self.by_uuid[uuid] = gpu
        self.by_handle[_handle_key(handle)] = gpu
        return gpu

    def _identify(self, gpu: Gpu, handle: Any) -> None:
        nv = self.nvml
        serial = _try(lambda: nv.nvmlDeviceGetSerial(handle), self.missing) or ""
        pci = _try(lambda: nv.nvmlDeviceGetPciInfo(handle), self.missing)
        name = _try(lambda: nv.nvmlDeviceGetName(handle), self.missing) or ""
        bus_id = _text(pci.busId) if pci is not None else ""
        gpu.identity = {"uuid": gpu.uuid, "serial": serial, "pci_bus_id": bus_id, "name": name}
        gpu.labels = {k: v for k, v in gpu.identity.items() if v}

    def _threshold(self, handle: Any, constant: str) -> int | None:
        if not hasattr(self.nvml, constant):
            return None
        kind = getattr(self.nvml, constant)
        return _try(lambda: self.nvml.nvmlDeviceGetTemperatureThreshold(handle, kind), self.missing)


def _try(call: Callable[[], Any], errors: type[BaseException] | tuple) -> Any:
    """The call's answer, or None for the given (expected) NVML errors."""
    try:
        return call()
    except errors:
        return None


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _handle_key(handle: Any) -> int:
    """pynvml handles are ctypes pointers: equal GPUs have equal addresses, not identities."""
    try:
        return ctypes.cast(handle, ctypes.c_void_p).value or 0
    except ctypes.ArgumentError:
        return id(handle)


_sessions: weakref.WeakKeyDictionary[Any, Session] = weakref.WeakKeyDictionary()


def session_for(nvml: Any) -> Session:
    """The process's session for this NVML module or simulated host."""
    session = _sessions.get(nvml)
    if session is None:
        session = _sessions[nvml] = Session(nvml)
    return session


def nvml_module(target: str = "localhost") -> Any:
    """The configured NVML library; a simulator's view of ``target`` if it simulates hosts."""
    name = os.environ.get("NVML_MODULE", DEFAULT_MODULE)
    try:
        # Optional: a GPU-host agent may run without Django installed or configured.
        from django.conf import settings

        if settings.configured or os.environ.get("DJANGO_SETTINGS_MODULE"):
            name = getattr(settings, "NVML_MODULE", name)
    except ImportError:
        pass
    module = importlib.import_module(name)
    for_host = getattr(module, "for_host", None)
    return for_host(target) if callable(for_host) else module


# Probes: one metric group each, so a NOT_SUPPORTED answer switches off exactly that group.


def _utilization(s: Session, g: Gpu, emit: Emit) -> None:
    u = s.nvml.nvmlDeviceGetUtilizationRates(g.handle)
    emit("gpu_utilization_percent", u.gpu, "percent")
    emit("gpu_memory_utilization_percent", u.memory, "percent")


def _memory(s: Session, g: Gpu, emit: Emit) -> None:
    m = s.nvml.nvmlDeviceGetMemoryInfo(g.handle)
    emit("gpu_memory_used_bytes", m.used, "bytes")
    emit("gpu_memory_free_bytes", m.free, "bytes")
    emit("gpu_memory_total_bytes", m.total, "bytes")


def _temperature(s: Session, g: Gpu, emit: Emit) -> None:
    nv = s.nvml
    if "temperature_v" in g.unsupported or not hasattr(nv, "nvmlDeviceGetTemperatureV"):
        value = nv.nvmlDeviceGetTemperature(g.handle, s.temperature_gpu)  # older drivers
    else:
        try:
            value = nv.nvmlDeviceGetTemperatureV(g.handle, s.temperature_gpu)
        except s.missing:
            g.unsupported.add("temperature_v")
            value = nv.nvmlDeviceGetTemperature(g.handle, s.temperature_gpu)
    emit("gpu_temperature_celsius", value, "celsius")


def _power(s: Session, g: Gpu, emit: Emit) -> None:
    emit("gpu_power_watts", s.nvml.nvmlDeviceGetPowerUsage(g.handle) / 1000, "watts")


def _power_limit(s: Session, g: Gpu, emit: Emit) -> None:
    emit("gpu_power_limit_watts", s.nvml.nvmlDeviceGetEnforcedPowerLimit(g.handle) / 1000, "watts")


def _sm_clock(s: Session, g: Gpu, emit: Emit) -> None:
    mhz = s.nvml.nvmlDeviceGetClockInfo(g.handle, s.clock_sm)
    emit("gpu_sm_clock_hertz", mhz * HZ_PER_MHZ, "hertz")


def _memory_clock(s: Session, g: Gpu, emit: Emit) -> None:
    mhz = s.nvml.nvmlDeviceGetClockInfo(g.handle, s.clock_mem)
    emit("gpu_memory_clock_hertz", mhz * HZ_PER_MHZ, "hertz")


def _fan(s: Session, g: Gpu, emit: Emit) -> None:
    emit("gpu_fan_speed_percent", s.nvml.nvmlDeviceGetFanSpeed(g.handle), "percent")


def _pstate(s: Session, g: Gpu, emit: Emit) -> None:
    state = s.nvml.nvmlDeviceGetPerformanceState(g.handle)
    if state != PSTATE_UNKNOWN:
        emit("gpu_performance_state", state, "pstate")


def _clocks_event_reasons(s: Session, g: Gpu, emit: Emit) -> None:
    nv = s.nvml
    read = getattr(nv, "nvmlDeviceGetCurrentClocksEventReasons", None)
    mask = (read or nv.nvmlDeviceGetCurrentClocksThrottleReasons)(g.handle)  # pre-12.535 name
    emit("gpu_clocks_event_reasons", mask, "bitmask")
    for bit, metric in REASON_BITS:
        emit(metric, 1 if mask & bit else 0, "bool")


def _fields(s: Session, g: Gpu, emit: Emit) -> None:
    if not g.fields:
        return
    answers = s.nvml.nvmlDeviceGetFieldValues(g.handle, [f[0] for f in g.fields])
    gone = []
    for (field_id, metric, unit, scale), fv in zip(g.fields, answers, strict=True):
        if fv.nvmlReturn != s.success:
            if fv.nvmlReturn in s.field_missing:
                gone.append(field_id)
            continue
        value = getattr(fv.value, VALUE_MEMBERS[fv.valueType])
        if value not in BLANK:
            emit(metric, value * scale, unit)
    if gone:
        g.fields = [f for f in g.fields if f[0] not in gone]
        g.unsupported.update(f"field:{field_id}" for field_id in gone)


# Without nvmlDeviceGetFieldValues (old drivers): the same counters, one call each.


def _energy(s: Session, g: Gpu, emit: Emit) -> None:
    mj = s.nvml.nvmlDeviceGetTotalEnergyConsumption(g.handle)
    emit("gpu_energy_joules_total", mj / 1000, "joules")


def _ecc(s: Session, g: Gpu, emit: Emit) -> None:
    for error_type, counter_type, metric in s.ecc_counters:
        emit(
            metric, s.nvml.nvmlDeviceGetTotalEccErrors(g.handle, error_type, counter_type), "count"
        )


def _remapped_rows(s: Session, g: Gpu, emit: Emit) -> None:
    corrected, uncorrected, pending, failure = s.nvml.nvmlDeviceGetRemappedRows(g.handle)
    emit("gpu_remapped_rows_corrected_total", corrected, "count")
    emit("gpu_remapped_rows_uncorrected_total", uncorrected, "count")
    emit("gpu_remapped_rows_pending", pending, "bool")
    emit("gpu_remapped_rows_failure", failure, "bool")


def _pcie_replay(s: Session, g: Gpu, emit: Emit) -> None:
    emit("gpu_pcie_replay_total", s.nvml.nvmlDeviceGetPcieReplayCounter(g.handle), "count")


Probe = Callable[[Session, Gpu, Emit], None]
PROBES: tuple[tuple[str, Probe], ...] = (
    ("utilization", _utilization),
    ("memory", _memory),
    ("temperature", _temperature),
    ("power", _power),
    ("power_limit", _power_limit),
    ("sm_clock", _sm_clock),
    ("memory_clock", _memory_clock),
    ("fan", _fan),
    ("performance_state", _pstate),
    ("clocks_event_reasons", _clocks_event_reasons),
    ("fields", _fields),
)
PROBES_WITHOUT_FIELDS = PROBES[:-1] + (
    ("energy", _energy),
    ("ecc", _ecc),
    ("remapped_rows", _remapped_rows),
    ("pcie_replay", _pcie_replay),
)


def _poll_gpu(s: Session, g: Gpu, result: PollResult) -> None:
    """Read one GPU; a lost GPU gives ``gpu_lost`` 1 and an event, never a failed poll."""
    out: list[Reading] = []
    component, labels = g.component, g.labels

    def emit(metric: str, value: float, unit: str) -> None:
        out.append(Reading(metric, float(value), unit, component, labels))

    error = None
    if g.handle is None:
        error = g.lost or "GPU is lost"
        s.reinit_wanted = True
    else:
        for name, probe in PROBES if "fields" not in g.unsupported else PROBES_WITHOUT_FIELDS:
            if name in g.unsupported:
                continue
            try:
                probe(s, g, emit)
            except s.missing:
                g.unsupported.add(name)
            except s.lost as exc:
                error = str(exc)
                s.reinit_wanted |= isinstance(exc, s.reinit_errors)
                break
            except s.error as exc:
                result.skip(f"nvml_error:{exc}")
    if error is None:
        if g.lost:
            result.events.append(_event("gpu_recovered", g))
        g.lost = ""
        result.readings.extend(out)
        if g.unsupported:
            result.skip("not_supported", len(g.unsupported))
    else:
        if not g.lost:
            result.events.append({**_event("gpu_lost", g), "error": error})
        g.lost = error
    emit_after = result.readings.append
    for metric, value, unit in (
        ("gpu_lost", 1 if error else 0, "bool"),
        ("gpu_xid_last", g.xid_last, "xid"),
        ("gpu_xid_events_total", g.xid_total, "count"),
        *((metric, value, "celsius") for metric, value in g.thresholds or ()),
    ):
        emit_after(Reading(metric, float(value), unit, component, labels))


def _event(kind: str, g: Gpu, **extra: Any) -> dict:
    return {"kind": kind, "gpu": g.index, "component": g.component, "uuid": g.uuid, **extra}


def _drain_events(s: Session, result: PollResult, wait_ms: int) -> None:
    """Take every pending XID event; TIMEOUT is the normal end."""
    if s.event_set is None:
        return
    for _ in range(MAX_EVENTS_PER_POLL):
        try:
            data = s.nvml.nvmlEventSetWait(s.event_set, wait_ms)
        except s.timeout:
            return
        except s.error as exc:
            result.skip(f"nvml_error:{exc}")
            return
        gpu = s.by_handle.get(_handle_key(data.device))
        xid = int(data.eventData)
        if gpu is None:
            result.events.append({"kind": "xid", "gpu": None, "xid": xid, "ts": _now()})
            continue
        gpu.xid_last, gpu.xid_total = xid, gpu.xid_total + 1
        result.events.append(_event("xid", gpu, xid=xid, ts=_now()))


def _now() -> str:
    return datetime.now(UTC).isoformat()


def collect(
    nvml: Any = None, *, target: str = "localhost", event_wait_ms: int = EVENT_WAIT_MS
) -> PollResult:
    """Poll every GPU of this host once. Never raises for NVML trouble: see PollResult.error.

    ``nvml`` is the library to use (pynvml, or a simulated host); None means the configured
    one (``nvml_module``). ``target`` names the host in the result (and, for a simulator,
    picks the simulated host).
    """
    started = time.perf_counter()
    result = PollResult(target=target)
    try:
        nv = nvml_module(target) if nvml is None else _for_target(nvml, target)
        s = session_for(nv)
        if s.due():
            if s.initialized:  # freeing the event set drops what it holds: XID 79 above all
                _drain_events(s, result, 0)
            s.start()
    except ImportError as exc:
        result.error = f"NVML library not importable: {exc}"
    except Exception as exc:  # an NVMLError (or a broken module): the whole target failed
        result.error = f"NVML init failed: {exc}"
    if result.error:
        result.latency_s = time.perf_counter() - started
        return result
    _drain_events(s, result, event_wait_ms)
    for gpu in s.gpus:
        try:
            _poll_gpu(s, gpu, result)
        except Exception as exc:  # a bug or a surprise from the library: lose a GPU, not the poll
            log.exception("NVML poll of %s gpu%s failed", target, gpu.index)
            result.skip(f"collector_error:{type(exc).__name__}")
        if gpu.identity:  # every poll: the central side reconciles without asking back
            result.events.append(_event("identity", gpu, **gpu.identity))
    result.add("gpu_count", len(s.gpus), "count")
    result.latency_s = time.perf_counter() - started
    return result


def _for_target(nvml: Any, target: str) -> Any:
    for_host = getattr(nvml, "for_host", None)
    return for_host(target) if callable(for_host) else nvml


def identify(nvml: Any = None, *, target: str = "localhost") -> list[dict[str, Any]]:
    """The GPUs present, as ``{"index", "uuid", "serial", "pci_bus_id", "name"}``.

    Raises NVMLError when the library cannot be initialised: the caller decides what that
    means for reconciliation (usually: skip this host, don't declare its GPUs missing).
    """
    nv = nvml_module(target) if nvml is None else _for_target(nvml, target)
    s = session_for(nv)
    if not s.initialized:
        s.start()
    return [{"index": g.index, **g.identity} for g in s.gpus if g.identity]


def _norm_uuid(value: Any) -> str:
    text = str(value or "").strip().lower()
    return text[4:] if text.startswith("gpu-") else text


def _norm_serial(value: Any) -> str:
    text = str(value or "").strip()
    return "" if text.upper() in ("", "N/A", "[N/A]", "0") else text


def reconcile(
    identities: Iterable[Mapping[str, Any]], inventory_gpus: Iterable[Mapping[str, Any]]
) -> dict[str, Any]:
    """Compare the GPUs NVML reports with the inventory's GPUs of the same host.

    Match by UUID, else by serial (a board whose UUID was recorded wrongly, or not yet).
    Nothing is added or changed here: ``unknown`` (present, not in inventory) and ``missing``
    (in inventory, not present) are for a person or a later step to act on. Each match says
    how it matched and which recorded fields differ (``{"field": (inventory, present)}``).
    """
    present = list(identities)
    pending = list(inventory_gpus)
    matched: list[dict[str, Any]] = []
    unmatched: list[Mapping[str, Any]] = []
    for key, norm in (("uuid", _norm_uuid), ("serial", _norm_serial)):
        recorded: dict[str, Mapping[str, Any]] = {}
        for inv in pending:
            if norm(inv.get(key)):
                recorded.setdefault(norm(inv.get(key)), inv)
        unmatched = []
        for gpu in present:
            inv = recorded.pop(norm(gpu.get(key)), None) if norm(gpu.get(key)) else None
            if inv is None:
                unmatched.append(gpu)
                continue
            pending = [p for p in pending if p is not inv]
            changes = {
                f: (inv.get(f), gpu.get(f))
                for f in ("uuid", "serial", "pci_bus_id", "index")
                if f in inv and f in gpu and _differs(f, inv.get(f), gpu.get(f))
            }
            matched.append({"present": gpu, "inventory": inv, "by": key, "changes": changes})
        present = unmatched
    return {
        "matched": matched,
        "unknown": present,
        "missing": pending,
        "ok": not present and not pending and not any(m["changes"] for m in matched),
    }


def _differs(name: str, recorded: Any, present: Any) -> bool:
    if name == "uuid":
        return _norm_uuid(recorded) != _norm_uuid(present)
    if name == "serial":
        return _norm_serial(recorded) != _norm_serial(present)
    return str(recorded or "").strip().lower() != str(present or "").strip().lower()
