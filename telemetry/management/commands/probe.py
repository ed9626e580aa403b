"""Poll one device once, without the database, and print what it answers.

The command an operator runs before adding a target: it speaks the same collector code as
the pollers, prints one JSON line per reading (metric, component, value, unit, labels),
then a summary line; or the error, with exit status 1.

    manage.py probe snmp 127.0.0.1 --port 16100 --community demo --profile if_mib
    manage.py probe snmp 10.0.0.5 --v3-user mon --auth sha --auth-key … --priv aes128 \\
        --priv-key … --profile apc_rpdu2
    manage.py probe modbus 127.0.0.1 --port 5020 --unit 1 --profile crah_stulz
    manage.py probe prometheus 127.0.0.1 --port 9400
    manage.py probe nvml            # the local GPUs (or the stand-in when configured)
"""

import json
import os

from django.core.management.base import BaseCommand, CommandError

from telemetry.collectors import modbus, nvml, prometheus, snmp
from telemetry.collectors.registers import MAPS
from telemetry.collectors.snmp_engine import SnmpCredentials
from telemetry.readings import PollResult


class Command(BaseCommand):
    help = "Poll one target once and print each reading as a JSON line (no database)."
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("protocol", choices=["snmp", "modbus", "prometheus", "nvml"])
        parser.add_argument("address", nargs="?", default="localhost")
        parser.add_argument("--port", type=int)
        parser.add_argument("--profile", default="", help="SNMP profiles (a,b) or register map")
        parser.add_argument("--timeout", type=float, default=2.0)
        parser.add_argument("--retries", type=int, default=1)
        snmp_args = parser.add_argument_group("SNMP")
        snmp_args.add_argument("--community", help="v2c community (or env SNMP_COMMUNITY)")
        snmp_args.add_argument("--v3-user")
        snmp_args.add_argument("--auth", default="none", help="md5, sha, sha224 … sha512")
        snmp_args.add_argument("--auth-key", help="or env SNMP_AUTH_KEY")
        snmp_args.add_argument("--priv", default="none", help="des, aes128, aes192, aes256")
        snmp_args.add_argument("--priv-key", help="or env SNMP_PRIV_KEY")
        parser.add_argument("--unit", type=int, default=1, help="Modbus unit id")
        parser.add_argument("--path", default="/metrics", help="Prometheus path")

    def handle(self, *args, **o):
        result = self._poll(o)
        for reading in result.readings:
            data = reading.to_json()
            data.pop("ts")
            self.stdout.write(json.dumps(data, sort_keys=True))
        for event in result.events:
            if event.get("kind") != "identity":
                self.stdout.write(json.dumps({"event": event}, sort_keys=True, default=str))
        summary = {
            "target": result.target,
            "ok": result.ok,
            "values": len(result.readings),
            "latency_ms": round(result.latency_s * 1000, 1),
            "skipped": dict(result.skipped),
        }
        if not result.ok:
            summary["error"] = result.error
        self.stdout.write(json.dumps({"summary": summary}, sort_keys=True))
        if not result.ok:
            raise CommandError(result.error)

    def _poll(self, o) -> PollResult:
        protocol, address = o["protocol"], o["address"]
        if protocol == "snmp":
            if o["v3_user"]:
                creds = SnmpCredentials(
                    version="3",
                    user=o["v3_user"],
                    auth_protocol=o["auth"],
                    auth_key=o["auth_key"] or os.environ.get("SNMP_AUTH_KEY", ""),
                    priv_protocol=o["priv"],
                    priv_key=o["priv_key"] or os.environ.get("SNMP_PRIV_KEY", ""),
                )
            else:
                community = o["community"] or os.environ.get("SNMP_COMMUNITY", "public")
                creds = SnmpCredentials(version="2c", community=community)
            try:
                target = snmp.SnmpTarget(
                    address,
                    creds,
                    o["profile"] or "if_mib",
                    port=o["port"] or 161,
                    timeout=o["timeout"],
                    retries=o["retries"],
                )
                return snmp.poll_many([target])[0]
            except (KeyError, ValueError) as exc:
                raise CommandError(str(exc)) from exc
        if protocol == "modbus":
            if o["profile"] not in MAPS:
                raise CommandError(f"--profile must be a register map: {', '.join(sorted(MAPS))}")
            return modbus.poll(
                modbus.ModbusTarget(
                    address,
                    o["port"] or 502,
                    o["unit"],
                    o["profile"],
                    timeout=o["timeout"],
                    retries=o["retries"],
                )
            )
        if protocol == "prometheus":
            url = f"http://{address}:{o['port'] or 9400}{o['path']}"
            return prometheus.poll(prometheus.ScrapeTarget(url, timeout=o["timeout"]))
        return nvml.collect(target=address)
