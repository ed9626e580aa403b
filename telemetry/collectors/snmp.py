"""SNMP collector: poll many agents at once and turn their answers into readings.

``poll_many(targets)`` is the entry point for the central poller (a Celery task on the
``poll.snmp`` queue calls it with a batch of due targets); ``poll(target, engine)`` is the
same for one target inside a running event loop. What to read comes from profiles (data, in
``profiles/snmp*.py``); every target also gets ``sysUpTime`` so that the store can tell an
agent restart from a counter wrap.

Per target: one GET for the scalars, then GETBULK walks of all the columns its profiles
need, side by side in the same requests, until each column ends. A bad value is skipped and
counted in ``PollResult.skipped`` (no_such_object, wrong_type, implausible ...); only a
target that does not answer, refuses our credentials or sends garbage gets ``error``.
Nothing raises out of ``poll`` or ``poll_many``.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from telemetry.collectors import snmp_ber as ber
from telemetry.collectors.profiles import snmp as profiles
from telemetry.collectors.snmp_engine import SnmpCredentials, SnmpEngine, SnmpError
from telemetry.readings import PollResult, Reading

__all__ = ["SnmpCredentials", "SnmpEngine", "SnmpTarget", "poll", "poll_many", "poll_many_async"]

log = logging.getLogger(__name__)

TOO_BIG = 1
MAX_VALUES_PER_TARGET = 200_000  # a runaway agent (non-increasing OIDs) stops here


@dataclass(frozen=True, slots=True)
class SnmpTarget:
    """One agent to poll: address, credentials, profile keys and patience.

    ``name`` is what ``PollResult.target`` carries (default "address:port").
    ``max_varbinds`` bounds the values asked for per GETBULK (columns × repetitions), which
    keeps answers under the agent's message size; ``max_repetitions`` caps rows per column.
    """

    address: str
    credentials: SnmpCredentials = field(default_factory=SnmpCredentials)
    profiles: tuple[str, ...] | str = ()
    port: int = 161
    timeout: float = 2.0
    retries: int = 1
    name: str = ""
    max_varbinds: int = 60
    max_repetitions: int = 25

    @property
    def label(self) -> str:
        return self.name or f"{self.address}:{self.port}"


# --- plan: profiles compiled to OID bytes ----------------------------------------------


@dataclass(slots=True)
class _Plan:
    scalars: list[tuple[bytes, profiles.Metric]]
    columns: list[bytes]  # OID content bytes, walked side by side
    tables: list[tuple[profiles.Table, dict[str, int]]]  # column OID -> position in columns


@lru_cache(maxsize=256)
def _plan(keys: tuple[str, ...]) -> _Plan:
    chosen = [profiles.SYSTEM, *(p for p in profiles.get(list(keys)) if p.key != "system")]
    scalars: list[tuple[bytes, profiles.Metric]] = []
    columns: list[bytes] = []
    where: dict[str, int] = {}
    tables = []
    for profile in chosen:
        scalars += [(ber.enc_oid_body(m.oid), m) for m in profile.scalars]
        for table in profile.tables:
            for oid in table.columns():
                if oid not in where:
                    where[oid] = len(columns)
                    columns.append(ber.enc_oid_body(oid))
            tables.append((table, {oid: where[oid] for oid in table.columns()}))
    return _Plan(scalars, columns, tables)


# --- talking to the agent --------------------------------------------------------------


async def _get(engine, addr, target: SnmpTarget, oids: list[bytes]) -> list[ber.Varbind]:
    """GET, split in halves while the agent says tooBig."""
    _tag, _rid, status, _index, vbs = await engine.request(
        addr, target.credentials, ber.GET, 0, 0, oids, target.timeout, target.retries
    )
    if status == TOO_BIG and len(oids) > 1:
        half = len(oids) // 2
        return await _get(engine, addr, target, oids[:half]) + await _get(
            engine, addr, target, oids[half:]
        )
    if status:
        raise SnmpError(f"{target.label} answered {_status(status)} to a GET")
    return vbs


def _status(status: int) -> str:
    return ber.ERROR_STATUS[status] if status < len(ber.ERROR_STATUS) else f"error {status}"


async def _walk(engine, addr, target: SnmpTarget, columns: list[bytes]) -> list[dict]:
    """GETBULK walk of all ``columns`` side by side: per column, {index bytes: (tag, value)}."""
    found: list[dict] = [{} for _ in columns]
    last = list(columns)
    active = list(range(len(columns)))
    budget = max(1, target.max_varbinds)
    total = 0
    while active:
        reps = max(1, min(target.max_repetitions, budget // len(active)))
        ask = active[: max(1, budget)] if budget < len(active) else active
        _tag, _rid, status, _index, vbs = await engine.request(
            addr,
            target.credentials,
            ber.GETBULK,
            0,
            reps,
            [last[i] for i in ask],
            target.timeout,
            target.retries,
        )
        if status == TOO_BIG and budget > 1:
            budget //= 2
            continue
        if status:
            raise SnmpError(f"{target.label} answered {_status(status)} to a GETBULK")
        width = len(ask)
        done: set[int] = set()
        for k, (oid, tag, value) in enumerate(vbs):
            col = ask[k % width]
            if col in done:
                continue
            prefix = columns[col]
            if tag == ber.END_OF_MIB_VIEW or not oid.startswith(prefix) or oid == last[col]:
                done.add(col)
                continue
            found[col][oid[len(prefix) :]] = (tag, value)
            last[col] = oid
        total += len(vbs)
        if not vbs:
            done.update(ask)
        if total > MAX_VALUES_PER_TARGET:
            raise SnmpError(f"{target.label} returned over {MAX_VALUES_PER_TARGET} values")
        active = [c for c in active if c not in done]
    return found


# --- values to readings ----------------------------------------------------------------


def _number(tag: int, value, text_values: bool) -> tuple[float | None, str]:
    """(number, "") or (None, reason to skip)."""
    if tag in ber.NUMBER_TAGS:
        # SMIv2 numbers fit in 64 bits; a bigger one is garbage (and would overflow float).
        if not -(2**63) <= value < 2**64:
            return None, "out_of_range"
        return value, ""
    if tag in ber.EXCEPTION_TAGS:
        return None, ber.EXCEPTION_TAGS[tag]
    if text_values and tag == ber.OCTET_STRING:
        text = value.decode("utf-8", "replace").strip()
        try:
            number = float(text)
        except ValueError:
            return None, "unavailable" if text.lower() in (
                "unavailable",
                "n/a",
                "",
            ) else "wrong_type"
        return (number, "") if math.isfinite(number) else (None, "not_finite")
    return None, "wrong_type"


def _text(cell) -> str:
    if cell is None:
        return ""
    tag, value = cell
    if tag in ber.NUMBER_TAGS:
        return str(value) if -(2**63) <= value < 2**64 else ""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace").strip("\x00 \t\r\n")
    return ""


def _emit(result: PollResult, metric: profiles.Metric, raw: float, factor: float, comp, labels):
    # Rounded to 9 decimals: 232 × 0.1 reads 23.2, not 23.200000000000003.
    value = round(raw * metric.scale * factor, 9)
    if (metric.low is not None and value < metric.low) or (
        metric.high is not None and value > metric.high
    ):
        result.skipped["implausible"] += 1
        return
    result.readings.append(Reading(metric.name, value, metric.unit, comp, labels))


def _decode_table(result: PollResult, table: profiles.Table, pos: dict, found: list) -> None:
    typed = bool(table.value)
    row_cols = [pos[table.value]] if typed else [pos[m.oid] for m in table.metrics]
    rows: dict[bytes, None] = {}
    for c in row_cols:
        rows.update(dict.fromkeys(found[c]))
    text_cols = {name: found[pos[oid]] for name, oid in table.text.items()}
    for suffix in rows:
        try:
            index = ber.index_of(suffix, 0)
        except ber.BerError:  # one garbage row is skipped, not the whole target
            result.skipped["bad_index"] += 1
            continue
        text = {name: _text(col.get(suffix)) for name, col in text_cols.items()}
        comp = profiles.render(table.component, text, index)
        if table.side:
            comp = profiles.side_component(text.get(table.side, ""), comp)
        labels = {name: text[name] for name in table.labels if text.get(name)}
        if not typed:
            for metric in table.metrics:
                cell = found[pos[metric.oid]].get(suffix)
                if cell is None:
                    result.skipped["missing"] += 1
                    continue
                raw, why = _number(cell[0], cell[1], False)
                if why:
                    result.skipped[why] += 1
                else:
                    _emit(result, metric, raw, 1.0, comp, labels)
            continue
        _decode_typed(result, table, pos, found, suffix, index, text, comp, labels)


def _row_int(found: list, pos: dict, oid: str, suffix: bytes) -> int | None:
    cell = found[pos[oid]].get(suffix) if oid else None
    return cell[1] if cell is not None and cell[0] in ber.NUMBER_TAGS else None


def _decode_typed(result, table, pos, found, suffix, index, text, comp, labels) -> None:
    skipped = result.skipped
    cell = found[pos[table.value]][suffix]
    kind = table.type_from
    if kind.startswith("index:"):
        n = int(kind[6:])
        code: int | str | None = index[n] if n < len(index) else None
    elif kind.startswith("text:"):
        code = text.get(kind[5:], "").lower()
    else:
        code = _row_int(found, pos, kind[4:], suffix)
    metric = table.types.get(code) if code is not None else None
    if metric is None:
        skipped["unknown_type"] += 1
        return
    if table.status and _row_int(found, pos, table.status, suffix) not in table.status_ok:
        skipped["sensor_not_ok"] += 1
        return
    raw, why = _number(cell[0], cell[1], table.text_values)
    if why:
        skipped[why] += 1
        return
    factor = 1.0
    if table.decimals:
        digits = _row_int(found, pos, table.decimals, suffix)
        if digits is None or not -9 <= digits <= 9:
            skipped["no_scale"] += 1
            return
        factor = 10.0**-digits
    if table.exponent:
        code_s = _row_int(found, pos, table.exponent, suffix)
        if code_s is None or not 1 <= code_s <= 17:
            skipped["no_scale"] += 1
            return
        factor *= 10.0 ** (3 * (code_s - 9))
    if table.units:
        unit_cell = found[pos[table.units]].get(suffix)
        conv = profiles.UNIT_TEXT.get(_text(unit_cell).lower()) if unit_cell else None
        if conv is not None:
            if conv[0] != metric.unit:
                skipped["unit_mismatch"] += 1
                return
            raw = raw * conv[1] + conv[2]
        elif unit_cell is not None and _text(unit_cell):
            skipped["unknown_unit"] += 1
            return
    _emit(result, metric, raw, factor, comp, labels)


def _decode(plan: _Plan, scalars: list[ber.Varbind], found: list, result: PollResult) -> None:
    for (oid, metric), (got_oid, tag, value) in zip(plan.scalars, scalars, strict=False):
        if got_oid != oid:
            result.skipped["wrong_oid"] += 1
            continue
        raw, why = _number(tag, value, False)
        if why:
            result.skipped[why] += 1
        else:
            _emit(result, metric, raw, 1.0, "", {})
    for table, pos in plan.tables:
        _decode_table(result, table, pos, found)


# --- public API ------------------------------------------------------------------------


async def poll(target: SnmpTarget, engine: SnmpEngine) -> PollResult:
    """Poll one target; any failure of the whole target lands in ``result.error``."""
    result = PollResult(target=target.label)
    started = time.perf_counter()
    try:
        keys = target.profiles
        if isinstance(keys, str):  # "if_mib,entity_sensor", as a CollectionTarget holds it
            keys = tuple(k.strip() for k in keys.split(",") if k.strip())
        plan = _plan(tuple(keys))
        addr = await engine.resolve(target.address, target.port)
        scalars: list[ber.Varbind] = []
        for i in range(0, len(plan.scalars), 32):
            chunk = [oid for oid, _ in plan.scalars[i : i + 32]]
            scalars += await _get(engine, addr, target, chunk)
        found = await _walk(engine, addr, target, plan.columns) if plan.columns else []
        _decode(plan, scalars, found, result)
    except SnmpError as exc:
        result.error = str(exc)
    except ber.BerError as exc:
        result.error = f"unreadable SNMP answer from {target.label}: {exc}"
    except KeyError as exc:  # unknown profile key
        result.error = str(exc.args[0]) if exc.args else "unknown SNMP profile"
    except Exception as exc:  # never let one target break the batch
        log.exception("SNMP poll of %s failed", target.label)
        result.error = f"SNMP poll of {target.label} failed: {type(exc).__name__}: {exc}"
    if result.error:
        result.readings.clear()
    result.latency_s = time.perf_counter() - started
    return result


async def poll_many_async(
    targets: Iterable[SnmpTarget], *, concurrency: int = 64, engine: SnmpEngine | None = None
) -> list[PollResult]:
    """Poll all targets, at most ``concurrency`` at a time, results in the targets' order."""
    own = engine is None
    engine = engine or SnmpEngine()
    gate = asyncio.Semaphore(max(1, concurrency))

    async def one(target: SnmpTarget) -> PollResult:
        async with gate:
            return await poll(target, engine)

    try:
        return list(await asyncio.gather(*(one(t) for t in targets)))
    finally:
        if own:
            engine.close()


def poll_many(targets: Iterable[SnmpTarget], *, concurrency: int = 64) -> list[PollResult]:
    """Blocking wrapper for Celery tasks and scripts: runs its own event loop and engine.

    Inside a running event loop, ``await poll_many_async(...)`` instead.
    """
    return asyncio.run(poll_many_async(list(targets), concurrency=concurrency))
