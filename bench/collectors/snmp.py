"""SNMP poller benchmark: CPU per value beside net-snmp, and devices per minute of CPU.

    python -m bench.collectors.snmp [--devices 60] [--rounds 3] [--with-pysnmp]

A simulated fleet (a mix of the demo kinds: switches, APC/Raritan/ServerTech PDUs, UPS,
CRAH) is served by snmpsim on loopback. The poller's CPU is ``time.process_time()`` around
``poll_many`` (snmpsim runs in another process, so its CPU is not counted), divided by the
readings produced. net-snmp does the same walks with ``snmpbulkwalk``/``snmpget`` (Debian
package ``snmp``), one process per column as a script would; its CPU comes from
``getrusage(RUSAGE_CHILDREN)`` and includes each process's start, which is how net-snmp is
used from a poller that shells out. Targets: within 3× net-snmp's CPU per value, and at
least 10,000 devices per minute of poller CPU.

``--with-pysnmp`` also polls the fleet with pysnmp 7 (``get_cmd``/``bulk_cmd``,
``lookupMib=False``), issuing the same requests our poller does, to keep the figures behind
docs/decisions/0004-snmp-wire-codec.md reproducible. Both sides are then also divided by
values on the wire (scalars and the instances inside the walked columns) rather than by
readings, so that the two libraries are compared per the same unit of work.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from telemetry.collectors.profiles import snmp as profiles
from telemetry.collectors.snmp import SnmpCredentials, SnmpTarget, poll_many
from telemetry.collectors.snmp_ber import dec_oid_body, enc_oid_body
from telemetry.simulators.snmp import start_snmpsim
from telemetry.simulators.snmp.fleet import KINDS, SimDevice, write_snmprec


def fleet(n: int, kinds: list[str] | None = None) -> list[SimDevice]:
    kinds = kinds or list(KINDS)
    return [SimDevice(f"bench-{i:04d}", kinds[i % len(kinds)], seed=i + 1) for i in range(n)]


def _walks(device: SimDevice) -> tuple[list[str], list[str]]:
    """(scalar OIDs, column OIDs) the collector reads for this device."""
    chosen = [profiles.SYSTEM, *profiles.get(list(device.profiles))]
    scalars = [m.oid for p in chosen for m in p.scalars]
    columns = list(dict.fromkeys(c for p in chosen for t in p.tables for c in t.columns()))
    return scalars, columns


def _wire_values(device: SimDevice) -> int:
    """Values a poll of ``device`` reads off the wire: its scalars plus every instance in the
    columns it walks (net-snmp's line count also includes endOfMibView markers)."""
    scalars, columns = _walks(device)
    prefixes = tuple(f"{c}." for c in columns)
    return len(scalars) + sum(1 for oid, _, _ in device.records() if oid.startswith(prefixes))


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def netsnmp_marginal(device: SimDevice, port: int, reps: int = 25) -> float:
    """net-snmp's CPU seconds per value without its process start: one long walk of a whole
    device, less the CPU of a one-value GET. A floor for what a C poller costs per value."""
    agent = f"127.0.0.1:{port}"
    common = ["-v2c", "-On", "-Oq", "-c", device.name, agent]
    before = _children_cpu()
    for _ in range(10):
        subprocess.run(["snmpget", *common, "1.3.6.1.2.1.1.3.0"], capture_output=True)
    start_cost = (_children_cpu() - before) / 10
    before = _children_cpu()
    out = subprocess.run(["snmpbulkwalk", f"-Cr{reps}", *common, "1.3.6.1"], capture_output=True)
    walk_cpu = _children_cpu() - before
    return max(walk_cpu - start_cost, 1e-9) / max(1, len(out.stdout.splitlines()))


def netsnmp(devices: list[SimDevice], port: int, reps: int = 25) -> tuple[float, int]:
    """(CPU seconds, values) for net-snmp doing the same GETs and walks."""
    tool = shutil.which("snmpbulkwalk")
    if tool is None:
        raise RuntimeError("net-snmp tools missing: apt-get install -y snmp")
    agent = f"127.0.0.1:{port}"
    common = ["-v2c", "-On", "-Oq", "-t", "5", "-r", "1"]
    values = 0
    before = _children_cpu()
    for device in devices:
        scalars, columns = _walks(device)
        auth = ["-c", device.name]
        out = subprocess.run(["snmpget", *common, *auth, agent, *scalars], capture_output=True)
        values += len(out.stdout.splitlines())
        for column in columns:
            cmd = [tool, *common, f"-Cr{reps}", *auth, agent, column]
            out = subprocess.run(cmd, capture_output=True)
            values += len(out.stdout.splitlines())
    return _children_cpu() - before, values


def pysnmp_poll(
    devices: list[SimDevice], port: int, rounds: int, concurrency: int = 64
) -> tuple[float, int]:
    """(CPU seconds, wire values) for pysnmp 7 polling ``devices`` ``rounds`` times.

    The requests mirror ``telemetry.collectors.snmp.poll``: scalars by GET in chunks of 32,
    then a side-by-side GETBULK walk of the profile's columns with the same repetitions per
    request (``max_varbinds`` shared across the columns still open), ``concurrency`` agents
    at once on one engine. ``lookupMib=False`` so responses are not resolved against MIBs,
    the cheapest way pysnmp's high-level API is used. The engine is built and warmed before
    timing: a poller would keep one. Values are the scalars plus the varbinds inside the
    walked columns (``_wire_values``); unlike our poller, nothing is turned into readings.
    """
    # Imported here: only this optional comparison needs pysnmp in the poller's process.
    from pysnmp.hlapi.v3arch.asyncio import (
        CommunityData,
        ContextData,
        ObjectIdentity,
        ObjectType,
        SnmpEngine,
        UdpTransportTarget,
        bulk_cmd,
        get_cmd,
    )
    from pysnmp.proto.rfc1905 import EndOfMibView

    defaults = SnmpTarget("127.0.0.1")
    plans = {d.name: _walks(d) for d in devices}

    async def one(engine, gate, device: SimDevice) -> int:
        scalars, columns = plans[device.name]
        prefixes = [dec_oid_body(enc_oid_body(c)) for c in columns]
        async with gate:
            auth = CommunityData(device.name, mpModel=1)  # noqa: S508 (loopback simulator)
            target = await UdpTransportTarget.create(("127.0.0.1", port), timeout=10, retries=1)
            ctx = ContextData()
            values = 0
            for i in range(0, len(scalars), 32):
                chunk = [ObjectType(ObjectIdentity(o)) for o in scalars[i : i + 32]]
                error, status, _index, vbs = await get_cmd(
                    engine, auth, target, ctx, *chunk, lookupMib=False
                )
                if error or status:
                    raise RuntimeError(f"pysnmp GET of {device.name}: {error or status}")
                values += len(vbs)
            last: list[tuple[int, ...]] = list(prefixes)
            active = list(range(len(columns)))
            while active:
                reps = max(1, min(defaults.max_repetitions, defaults.max_varbinds // len(active)))
                asked = [ObjectType(ObjectIdentity(last[c])) for c in active]
                error, status, _index, vbs = await bulk_cmd(
                    engine, auth, target, ctx, 0, reps, *asked, lookupMib=False
                )
                if error or status:
                    raise RuntimeError(f"pysnmp GETBULK of {device.name}: {error or status}")
                done: set[int] = set()
                for k, (name, value) in enumerate(vbs):
                    col = active[k % len(active)]
                    if col in done:
                        continue
                    oid, prefix = tuple(name), prefixes[col]
                    if isinstance(value, EndOfMibView) or oid[: len(prefix)] != prefix:
                        done.add(col)
                        continue
                    last[col] = oid
                    values += 1
                if not vbs:
                    done.update(active)
                active = [c for c in active if c not in done]
            return values

    async def main() -> tuple[float, int]:
        engine = SnmpEngine()
        gate = asyncio.Semaphore(concurrency)
        await asyncio.gather(*(one(engine, gate, d) for d in devices[: len(KINDS)]))  # warm
        cpu, values = 0.0, 0
        for _ in range(rounds):
            started = time.process_time()
            counts = await asyncio.gather(*(one(engine, gate, d) for d in devices))
            cpu += time.process_time() - started
            values += sum(counts)
        engine.close_dispatcher()
        return cpu, values

    return asyncio.run(main())


def run(
    devices: int = 60,
    rounds: int = 3,
    concurrency: int = 64,
    kinds: list[str] | None = None,
    with_pysnmp: bool = False,
) -> dict:
    """Run the benchmark; returns the figures (CPU µs per value, ratio, devices/min/core)."""
    sims = fleet(devices, kinds)
    with tempfile.TemporaryDirectory(prefix="snmp-bench-") as tmp:
        for device in sims:
            write_snmprec(Path(tmp) / f"{device.name}.snmprec", device.records(moving=False))
        with start_snmpsim(tmp) as sim:
            targets = [
                SnmpTarget(
                    "127.0.0.1",
                    SnmpCredentials(community=d.name),
                    d.profiles,
                    port=sim.port,
                    name=d.name,
                    timeout=10,
                    retries=1,
                )
                for d in sims
            ]
            poll_many(targets[: len(KINDS)], concurrency=concurrency)  # warm caches
            cpu = 0.0
            values = 0
            wall = time.perf_counter()
            for _ in range(rounds):
                started = time.process_time()
                results = poll_many(targets, concurrency=concurrency)
                cpu += time.process_time() - started
                failed = [r.error for r in results if not r.ok]
                if failed:
                    raise RuntimeError(f"{len(failed)} targets failed: {failed[:3]}")
                values += sum(len(r.readings) for r in results)
            wall = time.perf_counter() - wall
            ns_cpu, ns_values = netsnmp(sims, sim.port)
            biggest = max(sims, key=lambda d: len(d.records()))
            marginal = netsnmp_marginal(biggest, sim.port) * 1e6
            if with_pysnmp:
                py_cpu, py_values = pysnmp_poll(sims, sim.port, rounds, concurrency)
    ours = cpu / values * 1e6
    theirs = ns_cpu / ns_values * 1e6
    wire = sum(_wire_values(d) for d in sims)
    extra: dict = {
        "wire_values_per_round": wire,
        "snmp_cpu_us_per_wire_value": round(cpu / (wire * rounds) * 1e6, 2),
    }
    if with_pysnmp:
        extra |= {
            "pysnmp_cpu_us_per_wire_value": round(py_cpu / py_values * 1e6, 2),
            "pysnmp_devices_per_min_per_core": round(devices * rounds / py_cpu * 60),
            "pysnmp_wire_values_per_round": py_values // rounds,
            "snmp_speedup_vs_pysnmp": round(py_cpu / cpu, 2),
        }
    return {
        "snmp_cpu_us_per_value": round(ours, 2),
        "netsnmp_cpu_us_per_value": round(theirs, 2),
        "snmp_ratio_vs_netsnmp": round(ours / theirs, 3),
        "devices_per_min_per_core": round(devices * rounds / cpu * 60),
        "netsnmp_marginal_cpu_us_per_value": round(marginal, 2),
        "snmp_ratio_vs_netsnmp_marginal": round(ours / marginal, 2),
        "devices": devices,
        "rounds": rounds,
        "values_per_round": values // rounds,
        "netsnmp_values": ns_values,
        "poll_wall_s_per_round": round(wall / rounds, 2),
        **extra,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="SNMP poller benchmark")
    parser.add_argument("--devices", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--kinds", help=f"comma-separated, of: {', '.join(KINDS)}")
    parser.add_argument(
        "--with-pysnmp", action="store_true", help="also poll the fleet with pysnmp 7 bulk_cmd"
    )
    args = parser.parse_args()
    kinds = args.kinds.split(",") if args.kinds else None
    figures = run(args.devices, args.rounds, args.concurrency, kinds, args.with_pysnmp)
    print(
        f"SNMP poller: {figures['snmp_cpu_us_per_value']} µs CPU/value; net-snmp "
        f"{figures['netsnmp_cpu_us_per_value']} µs/value; ratio "
        f"{figures['snmp_ratio_vs_netsnmp']} (target ≤ 3); "
        f"{figures['devices_per_min_per_core']} devices/min per core (target ≥ 10000)"
    )
    if args.with_pysnmp:
        print(
            f"pysnmp 7 bulk_cmd: {figures['pysnmp_cpu_us_per_wire_value']} µs CPU per wire "
            f"value vs ours {figures['snmp_cpu_us_per_wire_value']}; "
            f"{figures['pysnmp_devices_per_min_per_core']} devices/min per core"
        )
    for key, value in figures.items():
        print(f"  {key}: {value}")


if __name__ == "__main__":
    main()
