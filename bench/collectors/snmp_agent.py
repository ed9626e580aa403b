"""CPU of the SNMP responder process for one sweep of a demo-sized fleet: snmpsim vs ours.

.venv/bin/python -m bench.collectors.snmp_agent [--sweeps 2] [--frozen]
"""

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import psutil

from telemetry.collectors.snmp import SnmpCredentials, SnmpEngine, SnmpTarget, poll_many_async
from telemetry.simulators.snmp import start_snmpsim
from telemetry.simulators.snmp.agent import start_agent
from telemetry.simulators.snmp.fleet import SimDevice, write_snmprec


def demo_fleet() -> list[SimDevice]:
    out = [SimDevice(f"leaf-{i:02d}", "leaf_switch", 64, seed=100 + i) for i in range(72)]
    pdus = ("raritan_pdu2", "apc_rpdu2", "servertech_sentry4")
    out += [SimDevice(f"pdu-{i:03d}", pdus[i % 3], 36, seed=200 + i) for i in range(128)]
    out += [SimDevice(f"ups-{i}", "ups", 3, seed=400 + i) for i in range(2)]
    return out


class Counting(SnmpEngine):
    varbinds = requests = 0

    async def request(self, *args, **kw):
        pdu = await super().request(*args, **kw)
        self.varbinds += len(pdu[4])
        self.requests += 1
        return pdu


def cpu(proc: psutil.Process) -> float:
    t = proc.cpu_times()
    total = t.user + t.system
    for child in proc.children(recursive=True):
        c = child.cpu_times()
        total += c.user + c.system
    return total


async def sweep(devices, port):
    engine = Counting()
    targets = [
        SnmpTarget(
            "127.0.0.1",
            SnmpCredentials(community=d.name),
            d.profiles,
            port=port,
            name=d.name,
            timeout=60.0,
            retries=0,
        )
        for d in devices
    ]
    started, cpu0 = time.perf_counter(), time.process_time()
    results = await poll_many_async(targets, concurrency=64, engine=engine)
    wall = time.perf_counter() - started
    engine.poller_cpu = time.process_time() - cpu0
    engine.close()
    bad = [r.error for r in results if not r.ok]
    lat = statistics.mean(r.latency_s for r in results), max(r.latency_s for r in results)
    return engine.varbinds, engine.requests, wall, lat, bad, engine.poller_cpu


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sweeps", type=int, default=2)
    ap.add_argument("--frozen", action="store_true")
    args = ap.parse_args()
    devices = demo_fleet()
    with tempfile.TemporaryDirectory(prefix="agent-bench-") as tmp:
        for d in devices:
            write_snmprec(Path(tmp) / f"{d.name}.snmprec", d.records(moving=not args.frozen))
        records = sum(len(p.read_text().splitlines()) for p in Path(tmp).glob("*.snmprec"))
        print(f"{len(devices)} devices, {records} records, moving={not args.frozen}")
        handles = {"snmpsim": start_snmpsim(tmp), "ours": start_agent(tmp)}
        try:
            for h in handles.values():  # warm-up: first opens, indexes, imports
                asyncio.run(sweep(devices, h.port))
            rows = {name: [] for name in handles}
            for _ in range(args.sweeps):
                for name, h in handles.items():
                    proc = psutil.Process(h.process.pid)
                    before = cpu(proc)
                    vbs, reqs, wall, lat, bad, pcpu = asyncio.run(sweep(devices, h.port))
                    used = cpu(proc) - before
                    rows[name].append(used)
                    print(
                        f"{name:8s} cpu {used:7.3f} s  varbinds {vbs}  requests {reqs}  "
                        f"{used / vbs * 1e6:7.1f} us/varbind  wall {wall:6.2f} s  "
                        f"latency mean/max {lat[0]:.3f}/{lat[1]:.3f} s  poller cpu {pcpu:.2f} s  "
                        f"errors {len(bad)} {bad[:1]}"
                    )
        finally:
            for h in handles.values():
                h.stop()
        for name, cpus in rows.items():
            print(f"{name}: median {statistics.median(cpus):.3f} s CPU per sweep")


if __name__ == "__main__":
    main()
