"""``manage.py seed_demo_energy``: the demo's meters, tariff, factors and tenants, their
history, and the energy ledger brought up to date."""

from django.core.management.base import BaseCommand, CommandParser

from dcim.energy.tasks import run
from demo.energy import seed_energy
from demo.energy_history import backfill
from demo.tasks import HISTORY_DELAY_S, backfill_energy


class Command(BaseCommand):
    help = (
        "Create the demo's energy meters (utility, UPS outputs, PDUs, mechanical, CDUs, PV, "
        "water), a time-of-use tariff, carbon factors, certificates and tenants; write "
        "--days of meter history from the building model (once); then update the ledger."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=30, help="History to write (0: none).")
        parser.add_argument(
            "--background",
            action="store_true",
            help="Queue the history and the ledger run on the worker (make run) instead.",
        )

    def handle(self, *args: str, days: int = 30, background: bool = False, **options) -> None:
        created = seed_energy()
        if background:
            backfill_energy.apply_async((days,), countdown=HISTORY_DELAY_S)
            self.stdout.write(f"energy: {created} rows created, {days} days of history queued")
            return
        written = backfill(days) if days else 0
        ledger = run()
        self.stdout.write(
            f"energy: {created} rows created, {written:,} history values written, ledger "
            f"{ledger.get('series', 0)} series / {ledger.get('hours', 0):,} hours"
            + (
                " (skipped: a ledger run is on; the next one takes it)"
                if ledger.get("skipped")
                else ""
            )
        )
