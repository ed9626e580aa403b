"""``manage.py demo_inject failover LB|EDGE``: fail an HA pair of the running demo over.

The demo's SNMP agent runs in its own process (``demo.fleet``); this command reaches it
through the injections file the building plan names (``telemetry.simulators.building.ha``):
it appends the failover's time, and the agent, which checks the file on every request for a
pair member's state, answers with master and backup swapped from then on. The next poll of
the pair (every 30 s) stores the new states; the swap stays until the next failover, also
across restarts of ``make run``.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.fleet import plan_file
from telemetry.simulators.building import Plan, ha


class Command(BaseCommand):
    help = (
        "Inject a fault into the running demo: 'failover LB' swaps master and backup of the "
        "keepalived load-balancer pair, 'failover EDGE' of the VRRP edge routers. The next "
        "poll sees it; the new master keeps the role."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("fault", choices=["failover"], help="What to inject.")
        parser.add_argument("pair", help="The HA pair: LB or EDGE.")

    def handle(self, *args, fault: str, pair: str, **options) -> None:
        path = plan_file()
        if not path.exists():
            raise CommandError(
                f"No building plan at {path}: the demo's simulators are not running "
                "(start them with `make run`). Nothing was injected."
            )
        try:
            plan = Plan.load(path)
        except (OSError, ValueError, TypeError, KeyError) as exc:
            raise CommandError(
                f"Cannot read the building plan at {path} ({exc}): it was written by another "
                "version of the demo. Restart `make run` and try again."
            ) from exc
        spec = ha.pair(plan, pair)
        if spec is None:
            known = ", ".join(p.name for p in plan.ha_pairs) or "none"
            raise CommandError(f"No HA pair {pair!r} in the demo (pairs: {known}).")
        if len(spec.members) < 2:
            raise CommandError(
                f"{spec.name} has one working member ({', '.join(spec.members)}): "
                "nothing to fail over to."
            )
        if not plan.injections:
            raise CommandError(
                f"The plan at {path} names no injections file: it was written by an older "
                "demo. Restart `make run` and try again."
            )
        now = time.time()
        before = self._master(plan, spec, now)
        ha.inject(plan.injections, spec.name, now)
        after = self._master(plan, spec, now)
        self.stdout.write(
            self.style.SUCCESS(
                f"{spec.name}: failover injected, master {before} -> {after} "
                f"({spec.protocol}; the next poll shows it)."
            )
        )

    @staticmethod
    def _master(plan: Plan, spec, t: float) -> str:
        return next((m for m in spec.members if ha.role(plan, m, t) == ha.MASTER), "none")
