"""`make bench-collectors`: poller CPU per value beside net-snmp, NVML CPU per GPU.

Writes var/bench/collectors.json. Every figure is a ratio or a cost measured in this run
(net-snmp's snmpbulkwalk over the same simulated agents; the NVML stand-in's own calls
replayed without the collector), never a timed assertion.
"""

import json
import shutil
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from bench.collectors import nvml, snmp


class Command(BaseCommand):
    help = "Benchmark the SNMP and NVML collectors; write var/bench/collectors.json."

    def add_arguments(self, parser):
        parser.add_argument("--devices", type=int, default=60, help="simulated SNMP agents")
        parser.add_argument("--rounds", type=int, default=3)

    def handle(self, *args, **options):
        if not shutil.which("snmpbulkwalk"):
            raise CommandError(
                "net-snmp's snmpbulkwalk is needed for the baseline: apt-get install snmp"
            )

        self.stdout.write("SNMP: polling simulated agents, then the same walks by net-snmp ...")
        snmp_figures = snmp.run(options["devices"], options["rounds"])
        self.stdout.write("NVML: collector over the stand-in, minus the stand-in's own cost ...")
        nvml_figures = nvml.bench()
        figures = {
            "snmp_cpu_us_per_value": snmp_figures["snmp_cpu_us_per_value"],
            "netsnmp_cpu_us_per_value": snmp_figures["netsnmp_cpu_us_per_value"],
            "snmp_ratio_vs_netsnmp": snmp_figures["snmp_ratio_vs_netsnmp"],
            "nvml_cpu_ms_per_gpu": nvml_figures["nvml_cpu_ms_per_gpu"],
            "devices_per_min_per_core": snmp_figures["devices_per_min_per_core"],
            "details": {"snmp": snmp_figures, "nvml": nvml_figures},
        }
        rows = [
            ("SNMP poller CPU per value (µs)", figures["snmp_cpu_us_per_value"], ""),
            ("net-snmp snmpbulkwalk CPU per value (µs)", figures["netsnmp_cpu_us_per_value"], ""),
            ("ratio ours / net-snmp", figures["snmp_ratio_vs_netsnmp"], "target ≤ 3"),
            (
                "  per value inside one long walk (µs)",
                snmp_figures["netsnmp_marginal_cpu_us_per_value"],
                "net-snmp, start-up excluded",
            ),
            (
                "simulated devices per CPU-minute",
                figures["devices_per_min_per_core"],
                "target ≥ 10,000",
            ),
            ("NVML collector CPU per GPU (ms)", figures["nvml_cpu_ms_per_gpu"], "target ≤ 0.1"),
        ]
        width = max(len(r[0]) for r in rows)
        for name, value, note in rows:
            self.stdout.write(f"{name:<{width}}  {value:>12}  {note}")
        out = Path(settings.BASE_DIR) / "var" / "bench" / "collectors.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(figures, indent=2) + "\n")
        self.stdout.write(f"wrote {out}")
