"""Modbus TCP collector for cooling units (CRAH/CRAC, chillers, CDUs) and meters.

What to read comes from a register map (``telemetry.collectors.registers``), never from
code here. Registers are coalesced into as few reads as possible (contiguous, or across a
small gap, at most 125 registers per read, as the protocol allows), one connection per
target, targets polled concurrently on one asyncio loop.

Failure is graded, because one bad block must not hide a good unit:

- an exception response (illegal address, device busy ...) skips that block's registers,
  counted by reason; the other blocks are still read. Only when *every* block answers
  with an exception is the target in error;
- a refused connection or a unit that does not answer is a target error with a clear text;
- "not available" sentinels and implausible values are skipped and counted.

Nothing raises out of ``poll`` / ``poll_many``: each target gets a ``PollResult``.
"""

from __future__ import annotations

import asyncio
import functools
import math
import struct
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from pymodbus.client import AsyncModbusTcpClient
from pymodbus.constants import ExcCodes
from pymodbus.exceptions import ConnectionException, ModbusIOException

from telemetry.collectors.registers import ALARM_BIT_METRIC, MAPS, Register, RegisterMap
from telemetry.readings import PollResult

MAX_READ = 125  # registers per read: the Modbus limit for functions 3 and 4
_STRUCT = {"int16": ">h", "uint16": ">H", "int32": ">i", "uint32": ">I", "float32": ">f"}
_STRUCT |= {"int64": ">q", "uint64": ">Q", "float64": ">d"}


@dataclass(frozen=True, slots=True)
class ModbusTarget:
    """One unit, a cooling unit or a meter: where it answers, its unit id, its register map.

    ``timeout`` is per request; a request is tried ``retries`` more times before the unit
    counts as not answering. ``name`` is how the result names the target (default: a URL).
    """

    host: str
    port: int
    unit_id: int
    register_map: str
    timeout: float = 2.0
    retries: int = 1
    name: str = ""

    @property
    def label(self) -> str:
        return self.name or f"modbus://{self.host}:{self.port}/{self.unit_id}"


@dataclass(frozen=True, slots=True)
class Block:
    """One read request: a function code and an address range covering some registers."""

    function: int
    address: int
    count: int
    registers: tuple[Register, ...]


@functools.cache
def plan(map_key: str) -> tuple[Block, ...]:
    """The reads for a map key; cached, as maps are immutable."""
    return blocks_for(MAPS[map_key])


def blocks_for(reg_map: RegisterMap) -> tuple[Block, ...]:
    """Coalesce a map's registers into the fewest reads of at most 125 registers."""
    blocks: list[Block] = []
    ordered = sorted(reg_map.registers, key=lambda r: (r.function, r.address))
    current: list[Register] = []
    for reg in ordered:
        if current:
            first, last_end = current[0], max(r.end for r in current)
            if (
                reg.function != first.function
                or reg.address - last_end > reg_map.max_gap
                or reg.end - first.address > MAX_READ
            ):
                blocks.append(_block(current))
                current = []
        current.append(reg)
    if current:
        blocks.append(_block(current))
    return tuple(blocks)


def _block(regs: list[Register]) -> Block:
    start = regs[0].address
    return Block(regs[0].function, start, max(r.end for r in regs) - start, tuple(regs))


def decode_raw(words: list[int], dtype: str, word_order: str) -> tuple[int, float]:
    """(raw unsigned bits, decoded value) of one register's words.

    The raw bits are what sentinels are compared with, before any sign or scale. "little"
    word order is least significant word first: CDAB for 32 bits, GHEFCDAB for 64.
    """
    if word_order == "little":
        words = words[::-1]
    raw = 0
    for word in words:
        raw = (raw << 16) | (word & 0xFFFF)
    data = raw.to_bytes(2 * len(words), "big")
    return raw, struct.unpack(_STRUCT[dtype], data)[0]


def _exception_name(code: int) -> str:
    try:
        return ExcCodes(code).name.lower()
    except ValueError:
        return f"code_{code}"


def _store(result: PollResult, reg: Register, words: list[int]) -> None:
    """Decode one register into readings, or count why it is skipped."""
    raw, value = decode_raw(words, reg.dtype, reg.word_order)
    if raw in reg.sentinels:
        result.skip("not_available")
        return
    if reg.dtype.startswith("float") and not math.isfinite(value):
        result.skip("not_available")  # NaN is how float maps say "no value"
        return
    value *= reg.scale
    if reg.valid and not reg.valid[0] <= value <= reg.valid[1]:
        result.skip("out_of_range")
        return
    if reg.bits:
        result.add(reg.metric, raw, reg.unit, reg.component)
        for bit, name in sorted(reg.bits.items()):
            result.add(ALARM_BIT_METRIC, (raw >> bit) & 1, "bool", f"alarm:{name}")
        return
    result.add(reg.metric, value * reg.factor, reg.unit, reg.component)


async def _read_blocks(
    client: AsyncModbusTcpClient, target: ModbusTarget, result: PollResult
) -> list[str]:
    """Read every block; returns the exception reasons of blocks that answered with one."""
    failed: list[str] = []
    for block in plan(target.register_map):
        read = client.read_holding_registers if block.function == 3 else client.read_input_registers
        response = await read(block.address, count=block.count, device_id=target.unit_id)
        if response.isError():
            code = getattr(response, "exception_code", 0)
            reason = _exception_name(code)
            result.skip(f"modbus_exception:{reason}", len(block.registers))
            failed.append(f"{reason.replace('_', ' ')} (code {code})")
            continue
        regs = list(response.registers)
        if len(regs) < block.count:
            result.skip("short_response", len(block.registers))
            failed.append("short response")
            continue
        for reg in block.registers:
            offset = reg.address - block.address
            _store(result, reg, regs[offset : offset + reg.count])
    return failed


async def apoll(target: ModbusTarget) -> PollResult:
    """Poll one target on the running loop; never raises."""
    result = PollResult(target=target.label)
    started = time.perf_counter()
    where = f"{target.host}:{target.port}"
    try:
        if target.register_map not in MAPS:
            result.error = f"unknown register map {target.register_map!r}"
            return result
        client = AsyncModbusTcpClient(
            target.host,
            port=target.port,
            timeout=target.timeout,
            retries=target.retries,
            reconnect_delay=0,  # one poll, one connection: no background reconnects
        )
        try:
            if not await client.connect():
                waited = time.perf_counter() - started
                result.error = (
                    f"no TCP connection to {where} within {target.timeout:g} s"
                    if waited >= target.timeout * 0.9
                    else f"connection to {where} refused or unreachable"
                )
                return result
            blocks = plan(target.register_map)
            failed = await _read_blocks(client, target, result)
            if failed and len(failed) == len(blocks):
                result.error = (
                    f"unit {target.unit_id} at {where} answered every read with a Modbus "
                    f"exception: {', '.join(sorted(set(failed)))}"
                )
        finally:
            client.close()
    except (ModbusIOException, TimeoutError):
        tries = target.retries + 1
        result.error = (
            f"unit {target.unit_id} at {where} did not answer within {target.timeout:g} s "
            f"({tries} {'try' if tries == 1 else 'tries'})"
        )
    except (ConnectionException, OSError) as exc:
        result.error = f"connection to {where} lost during the poll: {exc}"
    except Exception as exc:  # one target must never break a poll cycle
        result.error = (
            f"error polling unit {target.unit_id} at {where}: {type(exc).__name__}: {exc}"
        )
    finally:
        result.latency_s = time.perf_counter() - started
    return result


async def apoll_many(targets: list[ModbusTarget], *, concurrency: int = 32) -> list[PollResult]:
    """Poll targets concurrently on the running loop; results in the targets' order."""
    gate = asyncio.Semaphore(max(1, concurrency))

    async def one(target: ModbusTarget) -> PollResult:
        async with gate:
            return await apoll(target)

    return list(await asyncio.gather(*(one(t) for t in targets)))


def poll_many(targets: list[ModbusTarget], *, concurrency: int = 32) -> list[PollResult]:
    """Poll many units at once (from sync code such as a Celery task)."""
    if not targets:
        return []
    run = functools.partial(asyncio.run, apoll_many(list(targets), concurrency=concurrency))
    try:
        asyncio.get_running_loop()
    except RuntimeError:  # the usual case (a Celery task): no loop in this thread
        return run()
    with ThreadPoolExecutor(max_workers=1) as pool:  # called from async code: own loop
        return pool.submit(run).result()


def poll(target: ModbusTarget) -> PollResult:
    """Poll one unit (from sync code)."""
    return poll_many([target])[0]
