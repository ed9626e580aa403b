"""Backfilling meter history from a BMS or EPMS export: a CSV of readings into the store.

Columns (a header row is required): ``device, metric, component, time, value`` and an
optional ``unit``. ``device`` is an inventory device's name; ``time`` is ISO 8601, with an
offset or naive (then the device's site time; a naive time that does not exist or that
happens twice at a clock change is refused, as it cannot be placed). Without a ``unit`` the
unit follows the metric's suffix (``_watts`` → watts, ``_joules_total`` → joules,
``_liters_total`` → liters ...); a unit a BMS writes (kW, kWh, m3 ...) is converted to the
base unit the metric is stored in. A ``*_total`` metric is a cumulative register
(kWh since commissioning), not the energy of each interval.

Every row is checked before anything is written: a file with any bad row writes nothing
and ``ImportRefused`` names the rows (their line numbers, the header being line 1) and why.
Rows extend the stored series of their device, metric and component (whatever labels its
collector gave it), so a backfill joins the live history instead of starting a second
series that sums would count twice.

Values are written through ``telemetry.store.backfill`` in batches, in one transaction, so
a time of any age the store keeps is accepted: within raw retention (14 days) the samples
are stored raw; older ones become the store's 5-minute and hourly rollups (cnt, min, max,
sum, last), which is what the ledger reads beyond raw retention anyway. Only a time older
than every rollup the store keeps, or ahead of its clock, is refused (by row, nothing
written). Importing a file twice changes nothing the second time (the summary counts its
values as already stored):

* raw: the store keeps a sample once; a value that differs from a stored one at the same
  time is not replaced;
* history: each 5-minute (or hourly) bucket of a series that the file gives samples for is
  replaced by the aggregate of the file's samples in it, so a corrected export replaces
  the earlier one. A series' hour is therefore never split across two batches.

Ledger series (meters', GPU energy counters') are then marked dirty from their earliest
imported time, so the next ledger run recomputes them.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
from django.conf import settings
from django.db import transaction

from dcim.csv_safe import FileTooLarge, check_size
from dcim.energy import ledger
from dcim.energy.models import Meter
from dcim.inventory.models import Device
from telemetry import store

COLUMNS = ("device", "metric", "component", "time", "value")
OPTIONAL = ("unit",)
CHUNK_ROWS = 50_000  # rows validated per device look-up, values per ingest batch
ROWS_NAMED = 10  # row numbers named per reason; the rest are counted
US_PER_HOUR = 3_600_000_000

# Longest first where one suffix ends another.
SUFFIX_UNITS = (
    ("_liters_per_second", "liters_per_second"),
    ("_joules_total", "joules"),
    ("_liters_total", "liters"),
    ("_seconds_total", "seconds"),
    ("_voltamperes", "voltamperes"),
    ("_watts", "watts"),
    ("_joules", "joules"),
    ("_liters", "liters"),
    ("_volts", "volts"),
    ("_amperes", "amperes"),
    ("_celsius", "celsius"),
    ("_percent", "percent"),
    ("_hertz", "hertz"),
    ("_pascals", "pascals"),
    ("_bytes", "bytes"),
    ("_seconds", "seconds"),
    ("_ratio", "ratio"),
)
BASE_UNITS = {u for _, u in SUFFIX_UNITS} | {"count", "bool", "state", "bitmask"}
# A unit as exports write it -> (base unit, factor to it).
UNIT_FACTORS: dict[str, tuple[str, float]] = {
    **{u: (u, 1.0) for u in BASE_UNITS},
    "W": ("watts", 1.0),
    "kW": ("watts", 1e3),
    "MW": ("watts", 1e6),
    "J": ("joules", 1.0),
    "kJ": ("joules", 1e3),
    "MJ": ("joules", 1e6),
    "Wh": ("joules", 3600.0),
    "kWh": ("joules", 3.6e6),
    "MWh": ("joules", 3.6e9),
    "l": ("liters", 1.0),
    "L": ("liters", 1.0),
    "m3": ("liters", 1000.0),
    "l/s": ("liters_per_second", 1.0),
    "l/min": ("liters_per_second", 1 / 60),
    "m3/h": ("liters_per_second", 1000 / 3600),
    "V": ("volts", 1.0),
    "A": ("amperes", 1.0),
    "VA": ("voltamperes", 1.0),
    "kVA": ("voltamperes", 1e3),
    "Hz": ("hertz", 1.0),
    "degC": ("celsius", 1.0),
    "%": ("percent", 1.0),
    "Pa": ("pascals", 1.0),
    "kPa": ("pascals", 1e3),
    "bar": ("pascals", 1e5),
}
Key = tuple[int, str, str]  # device id, metric, component


def unit_of_metric(metric: str) -> str | None:
    """The base unit a metric's name implies, or None when its suffix says none."""
    for suffix, unit in SUFFIX_UNITS:
        if metric.endswith(suffix):
            return unit
    return None


class ImportRefused(Exception):
    """The file was not imported. ``problems``: [(reason, row numbers named, rows in all)];
    a problem of the whole file names no row and counts 0."""

    def __init__(self, problems: list[tuple[str, list[int], int]]) -> None:
        self.problems = problems
        lines = []
        for reason, rows, n in problems:
            if not n:
                lines.append(reason)
                continue
            named = ", ".join(str(r) for r in rows)
            more = f" and {n - len(rows):,} more" if n > len(rows) else ""
            lines.append(f"{'row' if n == 1 else 'rows'} {named}{more}: {reason}")
        super().__init__("Nothing was imported.\n" + "\n".join(lines))


@dataclass
class ImportSummary:
    rows: int = 0
    series: int = 0
    first: datetime | None = None
    last: datetime | None = None
    stored: int = 0
    already_stored: int = 0
    batch_id: str = ""  # the file's hash: the same file makes the same batches
    batches: int = 0
    ledger_series: list[int] = field(default_factory=list)
    ledger_updated: bool = False


@dataclass
class _Series:
    """One series' rows, kept compact (24 bytes a row: a million rows is 24 MB)."""

    base_unit: str
    ts_us: array = field(default_factory=lambda: array("q"))
    values: array = field(default_factory=lambda: array("d"))
    rows: array = field(default_factory=lambda: array("q"))


class _Problems:
    def __init__(self) -> None:
        self.rows: dict[str, list[int]] = defaultdict(list)
        self.count: Counter = Counter()

    def add(self, reason: str, row: int) -> None:
        if len(self.rows[reason]) < ROWS_NAMED:
            self.rows[reason].append(row)
        self.count[reason] += 1

    def raise_any(self) -> None:
        if self.count:
            first = sorted(self.count, key=lambda r: self.rows[r][0] if self.rows[r] else 0)
            raise ImportRefused([(r, self.rows[r], self.count[r]) for r in first])


def import_readings(path: str | Path, *, update_ledger: bool = False) -> ImportSummary:
    """Validate the whole CSV at ``path``, then store it; raises ``ImportRefused`` (having
    written nothing) when any row is bad."""
    digest = hashlib.sha256()
    series: dict[Key, _Series] = {}
    problems = _Problems()
    summary = ImportSummary()
    limit = getattr(settings, "READINGS_IMPORT_MAX_BYTES", 256 * 2**20)
    try:  # a few million rows is hours of one transaction: refused, with what to do
        check_size(Path(path).stat().st_size, limit, "readings file")
    except FileTooLarge as exc:
        raise ImportRefused([(f"{exc} (READINGS_IMPORT_MAX_BYTES)", [], 0)]) from None
    with open(path, "rb") as raw:
        hashed = io.BufferedReader(_Hashing(raw, digest))
        text = io.TextIOWrapper(hashed, encoding="utf-8-sig", newline="")
        try:
            for chunk in _chunks(text, problems):
                summary.rows += len(chunk)
                _validate(chunk, series, problems)
        except UnicodeDecodeError as exc:
            raise ImportRefused([(f"The file is not UTF-8 text ({exc.reason}).", [], 0)]) from None
    if not summary.rows and not problems.count:
        raise ImportRefused([("No data rows after the header.", [], 0)])
    _check_duplicates(series, problems)
    stored = _stored_series(series, problems)
    problems.raise_any()
    summary.batch_id = f"import_readings:{digest.hexdigest()[:24]}"
    _write(series, stored, summary)
    _mark_ledger(series, summary, update_ledger)
    return summary


class _Hashing(io.RawIOBase):
    """A binary reader that hashes what passes through: the batch id is the file's hash."""

    def __init__(self, raw: io.BufferedReader, digest) -> None:
        self._raw, self._digest = raw, digest

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        n = self._raw.readinto(b)
        if n:
            self._digest.update(memoryview(b)[:n])
        return n


def _chunks(text: io.TextIOWrapper, problems: _Problems) -> Iterator[list[tuple]]:
    """Rows as (line, device, metric, component, time, value, unit), CHUNK_ROWS at a time;
    rows with the wrong number of fields are recorded as problems."""
    reader = csv.reader(text)
    header = next(reader, None)
    if header is None:
        raise ImportRefused([("The file is empty: a header row is required.", [], 0)])
    names = [h.strip().lower() for h in header]
    missing = [c for c in COLUMNS if c not in names]
    unknown = [n for n in names if n not in COLUMNS + OPTIONAL]
    if missing or unknown or len(set(names)) != len(names):
        bits = []
        if missing:
            bits.append(f"missing column(s) {', '.join(missing)}")
        if unknown:
            bits.append(f"unknown column(s) {', '.join(repr(u) for u in unknown)}")
        if len(set(names)) != len(names):
            bits.append("a column is named twice")
        wanted = ", ".join(COLUMNS) + " [, unit]"
        raise ImportRefused([(f"header: {'; '.join(bits)} (expected {wanted})", [1], 1)])
    pos = [names.index(c) for c in COLUMNS]
    unit_pos = names.index("unit") if "unit" in names else None
    width = len(names)
    chunk: list[tuple] = []
    for fields in reader:
        line = reader.line_num
        if not fields:
            continue  # a blank line
        if len(fields) != width:
            problems.add(f"{len(fields)} fields where the header has {width}", line)
            continue
        if any("\x00" in f for f in fields):
            # PostgreSQL text cannot hold NUL: refused here, by line, not by the database.
            problems.add("a NUL byte in a cell", line)
            continue
        unit = fields[unit_pos].strip() if unit_pos is not None else ""
        chunk.append((line, *(fields[p].strip() for p in pos), unit))
        if len(chunk) >= CHUNK_ROWS:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _validate(chunk: list[tuple], series: dict[Key, _Series], problems: _Problems) -> None:
    devices = _device_lookup({r[1] for r in chunk})
    for line, device, metric, component, when, value, unit in chunk:
        dev = devices.get(device)
        if dev is None:
            problems.add(f"unknown device {device!r}" if device else "no device", line)
            continue
        key = (dev[0], metric, component)
        s = series.get(key)
        if s is None:
            base = _base_unit(metric, component, unit, problems, line)
            if base is None:
                continue
            s = series[key] = _Series(base)
        factor = _factor(metric, unit, s.base_unit, problems, line)
        t = _time(when, dev[1], problems, line)
        v = _number(value, problems, line)
        if factor is None or t is None or v is None:
            continue
        s.ts_us.append(t)
        s.values.append(v * factor)
        s.rows.append(line)


def _device_lookup(names: set[str]) -> dict[str, tuple[int, ZoneInfo]]:
    rows = Device.objects.filter(name__in=names).values_list("name", "pk", "site__timezone")
    return {name: (pk, ZoneInfo(tz)) for name, pk, tz in rows}


def _base_unit(
    metric: str, component: str, unit: str, problems: _Problems, line: int
) -> str | None:
    """The unit a series is stored in: its metric's suffix's, else its first row's."""
    try:
        store.series_key(0, component, metric, "")
    except ValueError as exc:
        problems.add(f"bad metric: {exc}", line)
        return None
    implied = unit_of_metric(metric)
    if implied:
        return implied
    if not unit:
        problems.add(f"no unit, and the metric {metric!r} does not imply one", line)
        return None
    if unit not in UNIT_FACTORS:
        problems.add(f"unknown unit {unit!r}", line)
        return None
    return UNIT_FACTORS[unit][0]


def _factor(metric: str, unit: str, base: str, problems: _Problems, line: int) -> float | None:
    """What turns this row's value into the series' unit; None (and a problem) if nothing."""
    if not unit:
        return 1.0
    if unit not in UNIT_FACTORS:
        problems.add(f"unknown unit {unit!r}", line)
        return None
    to, factor = UNIT_FACTORS[unit]
    if to != base:
        problems.add(f"unit {unit!r} does not fit {metric!r} (stored in {base})", line)
        return None
    return factor


def _time(text: str, zone: ZoneInfo, problems: _Problems, line: int) -> int | None:
    """Unix microseconds, or None (and a problem)."""
    try:
        t = datetime.fromisoformat(text)
    except ValueError:
        problems.add("time is not ISO 8601 (e.g. 2026-03-01T06:00:00+01:00)", line)
        return None
    if t.tzinfo is None:
        early, late = t.replace(tzinfo=zone), t.replace(tzinfo=zone, fold=1)
        if early.utcoffset() != late.utcoffset():
            back = early.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
            what = "does not exist" if back != t else "happens twice"
            problems.add(f"local time {what} at a clock change in {zone.key}: give an offset", line)
            return None
        t = early
    delta = t - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _number(text: str, problems: _Problems, line: int) -> float | None:
    try:
        v = float(text)
    except ValueError:
        problems.add(f"value {text[:40]!r} is not a number", line)
        return None
    if not math.isfinite(v):
        problems.add("value is not finite", line)
        return None
    return v


def _check_duplicates(series: dict[Key, _Series], problems: _Problems) -> None:
    """Two rows for one series and time must agree: the store would keep the first."""
    for s in series.values():
        ts = np.frombuffer(s.ts_us, dtype=np.int64)
        order = np.argsort(ts, kind="stable")
        same = np.flatnonzero(np.diff(ts[order]) == 0)
        if not len(same):
            continue
        values = np.frombuffer(s.values, dtype=np.float64)[order]
        rows = np.frombuffer(s.rows, dtype=np.int64)[order]
        for i in same[values[same] != values[same + 1]].tolist():
            unit = s.base_unit or "its unit"
            problems.add(
                f"the same device, metric, component and time as row {rows[i]} with another "
                f"value ({values[i + 1]:g} here, {values[i]:g} there, in {unit})",
                int(rows[i + 1]),
            )


def _stored_series(series: dict[Key, _Series], problems: _Problems) -> dict[Key, dict]:
    """The stored series each key extends (absent: a new one is made): one look-up per
    metric. A key whose stored series is in another unit, or that matches several stored
    series (labels differ), cannot be placed."""
    found: dict[Key, list[dict]] = defaultdict(list)
    for metric in {k[1] for k in series}:
        for s in store.find_series(metric=metric):
            found[(s["device_id"], metric, s["component"])].append(s)
    out = {}
    for key, s in series.items():
        matches = found.get(key, [])
        line = int(s.rows[0]) if len(s.rows) else 0
        if len(matches) > 1:
            problems.add(
                f"{len(matches)} stored series of this device, metric and component (their "
                "labels differ): cannot tell which one to extend",
                line,
            )
        elif matches and s.base_unit and matches[0]["unit"] != s.base_unit:
            problems.add(f"the stored series is in {matches[0]['unit']!r}, not {s.base_unit}", line)
        elif matches:
            out[key] = matches[0]
    return out


def _write(series: dict[Key, _Series], stored: dict[Key, dict], summary: ImportSummary) -> None:
    """Ingest in batches of about CHUNK_ROWS values, all or nothing."""
    refused: Counter = Counter()
    batch = store.Batch(batch_id=f"{summary.batch_id}:0")
    with transaction.atomic():
        for key, s in series.items():
            if not len(s.ts_us):
                continue
            old = stored.get(key)
            unit, labels = (old["unit"], old["labels"]) if old else (s.base_unit, None)
            ts = np.frombuffer(s.ts_us, dtype=np.int64)
            order = np.argsort(ts, kind="stable")
            ts, values = ts[order], np.frombuffer(s.values, dtype=np.float64)[order]
            for part in _hour_chunks(ts):
                schema = batch.add_schema([(key[0], key[2], key[1], unit, labels)])
                batch.add_frame(schema, ts[part].astype("datetime64[us]"), values[part])
                if batch.value_count >= CHUNK_ROWS:
                    _ingest(batch, summary, refused)
                    batch = store.Batch(batch_id=f"{summary.batch_id}:{summary.batches}")
            summary.series += 1
            first, last = _us(int(ts.min())), _us(int(ts.max()))
            summary.first = min(summary.first or first, first)
            summary.last = max(summary.last or last, last)
        if batch.frames:
            _ingest(batch, summary, refused)
        if refused:
            raise _refused_by_store(series, refused)


def _hour_chunks(ts: np.ndarray) -> list[slice]:
    """Slices of about CHUNK_ROWS of the time-sorted ``ts`` that end on an hour: the store
    replaces a history bucket by what one call gives for it, so none may span two calls."""
    hours = ts // US_PER_HOUR
    out, i = [], 0
    while i < len(ts):
        j = min(i + CHUNK_ROWS, len(ts))
        if j < len(ts):
            j = int(np.searchsorted(hours, hours[j - 1], side="right"))
        out.append(slice(i, j))
        i = j
    return out


def _ingest(batch: store.Batch, summary: ImportSummary, refused: Counter) -> None:
    result = store.backfill(batch)
    summary.batches += 1
    summary.stored += result.stored
    summary.already_stored += result.duplicate
    refused.update(result.refused)


def _refused_by_store(series: dict[Key, _Series], refused: Counter) -> ImportRefused:
    """The store refuses times outside what it keeps (older than every rollup it keeps, or
    ahead of its clock): those are the oldest, or newest, values of the file."""
    ts = np.concatenate([np.frombuffer(s.ts_us, dtype=np.int64) for s in series.values()])
    rows = np.concatenate([np.frombuffer(s.rows, dtype=np.int64) for s in series.values()])
    order = np.argsort(ts, kind="stable")
    problems = _Problems()
    words = {
        "older_than_retention": "older than the store keeps any history",
        "too_far_in_future": "later than now",
    }
    for reason, n in refused.items():
        if reason == "older_than_retention":
            named = rows[order[:n]]
        elif reason == "too_far_in_future":
            named = rows[order[len(order) - n :]]
        else:
            named = np.array([], dtype=np.int64)
        for r in sorted(named.tolist()):
            problems.add(f"time {words[reason]}", r)
        if not len(named):
            problems.count[f"refused by the store ({reason})"] += n
    try:
        problems.raise_any()
    except ImportRefused as exc:
        return exc
    raise AssertionError("unreachable: refused values were counted")


def _us(us: int) -> datetime:
    return datetime.fromtimestamp(us / 1e6, UTC)


def _mark_ledger(series: dict[Key, _Series], summary: ImportSummary, run: bool) -> None:
    """Mark the ledger series among the imported ones dirty from their earliest time."""
    meters = set(
        Meter.objects.filter(
            enabled=True, device_id__in={k[0] for k in series}, metric__in={k[1] for k in series}
        ).values_list("device_id", "metric", "component")
    )
    for key, s in series.items():
        if not len(s.ts_us) or (key not in meters and key[1] != ledger.GPU_ENERGY):
            continue
        for found in store.find_series(device_id=key[0], component=key[2], metric=key[1]):
            ledger.mark_dirty([found["id"]], _us(min(s.ts_us)))
            summary.ledger_series.append(found["id"])
    if run and summary.ledger_series:
        ledger.update_ledger(only=summary.ledger_series)
        summary.ledger_updated = True
