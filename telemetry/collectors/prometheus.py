"""Scrape dcgm-exporter (Prometheus text format) and map DCGM fields to our GPU metrics.

Where a cluster already runs NVIDIA's dcgm-exporter, this reads GPUs without an agent of
ours. The readings must be indistinguishable from the NVML collector's, so every field is
mapped in one table, ``DCGM_FIELDS``, to the same metric name and base unit NVML uses
(MiB -> bytes, mJ -> joules, MHz -> hertz, ratios -> percent).

- GPUs are identified by UUID: component ``gpu<N>`` from the exporter's ``gpu`` label, the
  UUID as label ``uuid``. Each GPU's identity (UUID, PCI bus id, model, host) is also
  reported once per scrape as an ``identity`` event, shaped like the NVML collector's.
- DCGM's "blank" values (no data, not supported, not permitted) come out as huge sentinel
  numbers; they are stored as nothing and counted as ``skipped["blank"]``.
- The text parser is small and strict, like Prometheus itself: a malformed line fails the
  scrape with its line number rather than yielding half a page of guesses.

``poll`` / ``poll_many`` never raise: HTTP errors, timeouts and parse errors are target
errors in the ``PollResult``.
"""

from __future__ import annotations

import re
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from telemetry.collectors import nvml
from telemetry.collectors.metric import Metric, gauge, state
from telemetry.collectors.nvml import REASON_BITS
from telemetry.readings import PollResult

MIB = 1024**2
MAX_BODY = 32 * MIB  # a dcgm-exporter page is tens of kB; refuse to buffer a runaway one
_NVLINK = "DCGM_FI_DEV_NVLINK_"

# DCGM field -> (our metric, unit, factor to it). Names and units are the NVML collector's
# (telemetry.collectors.nvml), since unit is part of a series' identity; a test checks
# both collectors agree. Fields not listed here are counted as skipped["unmapped"].
DCGM_FIELDS: dict[str, tuple[str, str, float]] = {
    "DCGM_FI_DEV_GPU_UTIL": ("gpu_utilization_percent", "percent", 1),
    "DCGM_FI_DEV_MEM_COPY_UTIL": ("gpu_memory_utilization_percent", "percent", 1),
    "DCGM_FI_DEV_FB_USED": ("gpu_memory_used_bytes", "bytes", MIB),
    "DCGM_FI_DEV_FB_FREE": ("gpu_memory_free_bytes", "bytes", MIB),
    "DCGM_FI_DEV_FB_TOTAL": ("gpu_memory_total_bytes", "bytes", MIB),
    "DCGM_FI_DEV_GPU_TEMP": ("gpu_temperature_celsius", "celsius", 1),
    "DCGM_FI_DEV_MEMORY_TEMP": ("gpu_memory_temperature_celsius", "celsius", 1),
    "DCGM_FI_DEV_SHUTDOWN_TEMP": ("gpu_temperature_shutdown_celsius", "celsius", 1),
    "DCGM_FI_DEV_SLOWDOWN_TEMP": ("gpu_temperature_slowdown_celsius", "celsius", 1),
    "DCGM_FI_DEV_GPU_MAX_OP_TEMP": ("gpu_temperature_max_operating_celsius", "celsius", 1),
    "DCGM_FI_DEV_MEM_MAX_OP_TEMP": ("gpu_memory_temperature_max_operating_celsius", "celsius", 1),
    "DCGM_FI_DEV_POWER_USAGE": ("gpu_power_watts", "watts", 1),
    "DCGM_FI_DEV_ENFORCED_POWER_LIMIT": ("gpu_power_limit_watts", "watts", 1),
    "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION": ("gpu_energy_joules_total", "joules", 1e-3),
    "DCGM_FI_DEV_SM_CLOCK": ("gpu_sm_clock_hertz", "hertz", 1e6),
    "DCGM_FI_DEV_MEM_CLOCK": ("gpu_memory_clock_hertz", "hertz", 1e6),
    "DCGM_FI_DEV_FAN_SPEED": ("gpu_fan_speed_percent", "percent", 1),
    "DCGM_FI_DEV_PSTATE": ("gpu_performance_state", "pstate", 1),
    "DCGM_FI_DEV_CLOCK_THROTTLE_REASONS": ("gpu_clocks_event_reasons", "bitmask", 1),
    "DCGM_FI_DEV_CLOCKS_EVENT_REASONS": ("gpu_clocks_event_reasons", "bitmask", 1),
    "DCGM_FI_DEV_PCIE_REPLAY_COUNTER": ("gpu_pcie_replay_total", "count", 1),
    "DCGM_FI_DEV_XID_ERRORS": ("gpu_xid_last", "xid", 1),
    "DCGM_FI_DEV_ECC_SBE_VOL_TOTAL": ("gpu_ecc_corrected_volatile_total", "count", 1),
    "DCGM_FI_DEV_ECC_DBE_VOL_TOTAL": ("gpu_ecc_uncorrected_volatile_total", "count", 1),
    "DCGM_FI_DEV_ECC_SBE_AGG_TOTAL": ("gpu_ecc_corrected_aggregate_total", "count", 1),
    "DCGM_FI_DEV_ECC_DBE_AGG_TOTAL": ("gpu_ecc_uncorrected_aggregate_total", "count", 1),
    "DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS": ("gpu_remapped_rows_corrected_total", "count", 1),
    "DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS": ("gpu_remapped_rows_uncorrected_total", "count", 1),
    "DCGM_FI_DEV_ROW_REMAP_PENDING": ("gpu_remapped_rows_pending", "bool", 1),
    "DCGM_FI_DEV_ROW_REMAP_FAILURE": ("gpu_remapped_rows_failure", "bool", 1),
    f"{_NVLINK}CRC_FLIT_ERROR_COUNT_TOTAL": ("gpu_nvlink_crc_flit_errors_total", "count", 1),
    f"{_NVLINK}CRC_DATA_ERROR_COUNT_TOTAL": ("gpu_nvlink_crc_data_errors_total", "count", 1),
    f"{_NVLINK}REPLAY_ERROR_COUNT_TOTAL": ("gpu_nvlink_replay_errors_total", "count", 1),
    f"{_NVLINK}RECOVERY_ERROR_COUNT_TOTAL": ("gpu_nvlink_recovery_errors_total", "count", 1),
    # DCGM only (no NVML call gives them): profiling ratios 0–1, stored as percent.
    "DCGM_FI_PROF_GR_ENGINE_ACTIVE": ("gpu_graphics_engine_active_percent", "percent", 100),
    "DCGM_FI_PROF_PIPE_TENSOR_ACTIVE": ("gpu_tensor_pipe_active_percent", "percent", 100),
    "DCGM_FI_PROF_DRAM_ACTIVE": ("gpu_dram_active_percent", "percent", 100),
}

# What only DCGM gives, and what DCGM says differently from NVML; the rest means what the
# NVML collector's metric of the same name means (nvml.METRICS).
_DCGM_OWN = {
    m.name: m
    for m in (
        gauge(
            "gpu_graphics_engine_active_percent",
            "percent",
            "Share of time the graphics or compute engine was busy (DCGM profiling).",
        ),
        gauge(
            "gpu_tensor_pipe_active_percent",
            "percent",
            "Share of cycles the tensor cores were busy (DCGM profiling).",
        ),
        gauge(
            "gpu_dram_active_percent",
            "percent",
            "Share of cycles device memory was read or written: memory bandwidth in use "
            "(DCGM profiling).",
        ),
        state("gpu_xid_last", "xid", "Code of the last XID error DCGM saw (0: none)."),
    )
}


def _catalog() -> tuple[Metric, ...]:
    """Every metric ``dcgm_readings`` can emit, in the units ``DCGM_FIELDS`` gives them."""
    known = {m.name: m for m in nvml.METRICS} | _DCGM_OWN
    fields: dict[str, list[str]] = {}
    units: dict[str, str] = {}
    for field, (metric, unit, _factor) in DCGM_FIELDS.items():
        fields.setdefault(metric, []).append(field)
        units.setdefault(metric, unit)
    out = [
        Metric(
            name,
            units[name],
            known[name].kind,
            f"{known[name].meaning} From {' or '.join(names)}.",
        )
        for name, names in fields.items()
    ]
    out += [known[metric] for _bit, metric in REASON_BITS]  # split from the reasons bitmask
    out.append(known["gpu_count"])
    return tuple(out)


# Every metric a dcgm-exporter scrape can produce, with its unit, kind and meaning.
METRICS: tuple[Metric, ...] = _catalog()

# DCGM's blank values: a base plus a small code (blank, not found, not supported, no
# permission, ...). dcgm-exporter prints int fields with %d and float fields with %f.
_INT32_BLANK, _INT64_BLANK, _FP64_BLANK = 0x7FFFFFF0, 0x7FFFFFFFFFFFFFF0, 2.0**47


def is_dcgm_blank(text: str) -> bool:
    """True when a sample's value text is one of DCGM's blank sentinels."""
    try:
        number = int(text)
    except ValueError:
        try:
            value = float(text)
        except ValueError:
            return False
        return _FP64_BLANK <= value < _FP64_BLANK + 16 or value >= float(_INT64_BLANK)
    return _INT32_BLANK <= number < _INT32_BLANK + 16 or number >= _INT64_BLANK


class ExpositionError(ValueError):
    """The text is not valid Prometheus exposition format."""


@dataclass(frozen=True, slots=True)
class Sample:
    name: str
    labels: dict[str, str]
    value: float
    text: str  # the value as written: sentinels are recognised before float rounding
    timestamp_ms: int | None = None


# The parser runs in linear time on any input: names and numbers are matched by patterns
# with no nested or adjacent repeats that could trade characters (the old number pattern
# ``\d+\.?\d*`` tried every split of a run of digits: a 24 kB line held a worker 11 s),
# labels are scanned left to right, and no line may be longer than MAX_LINE.
MAX_LINE = 16 * 1024  # dcgm-exporter's longest lines are under 1 kB
_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[+-]?Inf|NaN")
_TIMESTAMP = re.compile(r"-?\d{1,19}")
_TYPES = {"counter", "gauge", "histogram", "summary", "untyped", "unknown"}
_ESCAPES = {"\\\\": "\\", '\\"': '"', "\\n": "\n"}


# One label: name = "value", then "," or nothing. No two repeats can trade characters
# (the value is the unrolled form of (?:[^"\\]|\\.)*), so a failed match costs its length.
_LABEL_PAIR = re.compile(
    r'[ \t]*([a-zA-Z_][a-zA-Z0-9_]*)[ \t]*=[ \t]*"([^"\\\n]*(?:\\.[^"\\\n]*)*)"[ \t]*(,?)'
)
_BLANKS = " \t"


def _labels(line: str, pos: int, line_no: int) -> tuple[dict[str, str], int]:
    """The label set opening at ``line[pos] == "{"``; (labels, position after "}")."""
    labels: dict[str, str] = {}
    pos += 1
    comma = True
    while True:
        match = _LABEL_PAIR.match(line, pos)
        if match is None:
            while pos < len(line) and line[pos] in _BLANKS:
                pos += 1
            if line[pos : pos + 1] == "}":
                return labels, pos + 1
            raise ExpositionError(f"line {line_no}: malformed labels near {line[pos:][:40]!r}")
        if not comma:
            raise ExpositionError(f"line {line_no}: expected ',' between labels")
        name, raw, comma = match.group(1), match.group(2), bool(match.group(3))
        if name in labels:
            raise ExpositionError(f"line {line_no}: label {name[:40]!r} given twice")
        if "\\" in raw:
            raw = re.sub(r"\\.", lambda m: _ESCAPES.get(m.group(0), m.group(0)), raw)
        labels[name] = raw
        pos = match.end()


def _sample(line: str, line_no: int) -> Sample:
    name_match = _NAME.match(line)
    if not name_match:
        raise ExpositionError(f"line {line_no}: not a sample: {line[:80]!r}")
    pos = name_match.end()
    labels: dict[str, str] = {}
    if line[pos : pos + 1] == "{":
        labels, pos = _labels(line, pos, line_no)
    if line[pos : pos + 1] not in ("", " ", "\t") or pos == len(line):
        raise ExpositionError(f"line {line_no}: not a sample: {line[:80]!r}")
    fields = line[pos:].replace("\t", " ").split(" ")
    fields = [f for f in fields if f]
    if not 1 <= len(fields) <= 2:
        raise ExpositionError(f"line {line_no}: not a sample: {line[:80]!r}")
    value_text = fields[0]
    if not _NUMBER.fullmatch(value_text):
        raise ExpositionError(f"line {line_no}: {value_text[:40]!r} is not a number")
    ts = None
    if len(fields) == 2:
        if not _TIMESTAMP.fullmatch(fields[1]):
            raise ExpositionError(f"line {line_no}: {fields[1][:40]!r} is not a timestamp")
        ts = int(fields[1])
    return Sample(name_match.group(), labels, float(value_text), value_text, ts)


def parse_text(text: str) -> list[Sample]:
    """Parse Prometheus text exposition format (0.0.4); raises ExpositionError.

    Linear in the size of ``text``; a line over ``MAX_LINE`` characters is an error.
    """
    samples: list[Sample] = []
    for line_no, line in enumerate(text.splitlines(), 1):
        if len(line) > MAX_LINE:
            raise ExpositionError(f"line {line_no}: longer than {MAX_LINE} characters")
        line = line.rstrip("\r")
        if not line.strip():
            continue
        if line.startswith("#"):
            parts = line.split(None, 3)
            is_type = len(parts) >= 2 and parts[1] == "TYPE"
            if is_type and (len(parts) != 4 or parts[3].strip() not in _TYPES):
                raise ExpositionError(f"line {line_no}: malformed TYPE line")
            continue  # HELP and other comments carry nothing we store
        samples.append(_sample(line, line_no))
    return samples


def dcgm_readings(samples: list[Sample], result: PollResult) -> None:
    """Add the readings of dcgm-exporter samples to ``result``, skipping what can't be used.

    Like the NVML collector: component ``gpu<N>``, labels uuid / pci_bus_id / name (no
    serial: the exporter has none), the clock-event bits as bools, ``gpu_count``, and one
    ``identity`` event per GPU (with the exporter's host name added).
    """
    seen: set[tuple[str, str, str]] = set()
    identities: dict[str, dict] = {}
    for sample in samples:
        field = DCGM_FIELDS.get(sample.name)
        if field is None:
            result.skip("unmapped")
            continue
        uuid, gpu = sample.labels.get("UUID", ""), sample.labels.get("gpu", "")
        if not uuid or not gpu.isdigit():
            result.skip("no_gpu_identity")
            continue
        instance = sample.labels.get("GPU_I_ID", "")  # a MIG instance of that GPU
        if not _small_index(gpu) or (instance and not _small_index(instance)):
            # "²".isdigit() is True but int("²") raises: one odd label skips one sample.
            result.skip("bad_label")
            continue
        component = f"gpu{gpu}" + (f":mig{instance}" if instance else "")
        metric, unit, factor = field
        if is_dcgm_blank(sample.text):
            result.skip("blank")
            continue
        if (metric, component, uuid) in seen:
            result.skip("duplicate")  # e.g. both the old and new clock-event field
            continue
        seen.add((metric, component, uuid))
        identity = identities.setdefault(uuid, _identity(sample.labels))
        labels = {k: identity[k] for k in ("uuid", "pci_bus_id", "name") if identity[k]}
        result.add(metric, sample.value * factor, unit, component, labels)
        if metric == "gpu_clocks_event_reasons" and sample.value.is_integer():
            for bit, bit_metric in REASON_BITS:
                result.add(
                    bit_metric, 1 if int(sample.value) & bit else 0, "bool", component, labels
                )
    result.events.extend(identities.values())
    if identities:
        result.add("gpu_count", len(identities), "count")


def _small_index(text: str) -> bool:
    """A GPU or MIG index as exporters write it: 1 to 4 ASCII digits."""
    return 0 < len(text) <= 4 and text.isascii() and text.isdigit()


def _identity(labels: dict[str, str]) -> dict:
    gpu = int(labels["gpu"])
    return {
        "kind": "identity",
        "gpu": gpu,
        "component": f"gpu{gpu}",
        "uuid": labels["UUID"],
        "pci_bus_id": labels.get("pci_bus_id", ""),
        "name": labels.get("modelName", ""),
        "hostname": labels.get("hostname") or labels.get("Hostname", ""),
    }


@dataclass(frozen=True, slots=True)
class ScrapeTarget:
    """A dcgm-exporter endpoint, e.g. http://gpu-node-7:9400/metrics."""

    url: str
    timeout: float = 5.0
    name: str = ""

    @property
    def label(self) -> str:
        return self.name or self.url


# Scrapes go straight to the exporter: proxy settings in the environment are ignored.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def fetch(target: ScrapeTarget) -> str:
    """GET the exposition text; raises OSError (URLError, TimeoutError) or ExpositionError."""
    if not target.url.startswith(("http://", "https://")):
        raise ExpositionError(f"not an http(s) URL: {target.url!r}")
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        target.url, headers={"Accept": "text/plain;version=0.0.4", "User-Agent": "dcim/0.1"}
    )
    with _OPENER.open(request, timeout=target.timeout) as response:
        body = response.read(MAX_BODY + 1)
    if len(body) > MAX_BODY:
        raise ExpositionError(f"response larger than {MAX_BODY // MIB} MiB")
    return body.decode("utf-8")


def poll(target: ScrapeTarget) -> PollResult:
    """Scrape one exporter; never raises."""
    result = PollResult(target=target.label)
    started = time.perf_counter()
    try:
        dcgm_readings(parse_text(fetch(target)), result)
    except urllib.error.HTTPError as exc:
        result.error = f"HTTP {exc.code} {exc.reason} from {target.url}"
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError):
            result.error = f"no answer from {target.url} within {target.timeout:g} s"
        else:
            result.error = f"cannot reach {target.url}: {reason}"
    except TimeoutError:
        result.error = f"no answer from {target.url} within {target.timeout:g} s"
    except (ExpositionError, UnicodeDecodeError) as exc:
        result.error = f"bad exposition text from {target.url}: {exc}"
    except Exception as exc:  # one exporter must never break a poll cycle
        result.error = f"scrape of {target.url} failed: {type(exc).__name__}: {exc}"
    result.latency_s = time.perf_counter() - started
    return result


def poll_many(targets: list[ScrapeTarget], *, concurrency: int = 16) -> list[PollResult]:
    """Scrape exporters in parallel threads; results in the targets' order."""
    if not targets:
        return []
    with ThreadPoolExecutor(max_workers=max(1, min(concurrency, len(targets)))) as pool:
        return list(pool.map(poll, targets))
