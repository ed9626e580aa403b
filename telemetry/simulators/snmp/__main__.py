"""Serve the simulated fleet's SNMP agents until interrupted.

    python -m telemetry.simulators.snmp [--port 16100] [--data-dir var/snmpsim]

Each device of ``fleet.DEMO_FLEET`` answers on 127.0.0.1:<port> with its name as the v2c
community (and v3 context, user ``demo-ops``, SHA/AES).
"""

from __future__ import annotations

import argparse
import signal
import sys
import time

from telemetry.simulators.snmp import start_snmpsim
from telemetry.simulators.snmp.fleet import DEMO_FLEET, write_fleet


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=16100)
    parser.add_argument("--data-dir", default="var/snmpsim/data")
    args = parser.parse_args()
    write_fleet(args.data_dir, DEMO_FLEET)
    sim = start_snmpsim(args.data_dir, args.port)
    # `make run` stops its children with SIGTERM: leave no orphaned responder behind.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"snmpsim on 127.0.0.1:{sim.port}: " + ", ".join(d.name for d in DEMO_FLEET))
    try:
        while sim.process.poll() is None:
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        sim.stop()


if __name__ == "__main__":
    main()
