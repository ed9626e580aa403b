"""``manage.py import_readings FILE.csv [--update-ledger]``: backfill meter history exported
from a BMS or EPMS (columns device, metric, component, time, value [, unit]).

The work is ``dcim.energy.importing.import_readings``; see it for the format. A file with
any bad row writes nothing, and the error names the rows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dcim.energy.importing import ImportRefused, import_readings


class Command(BaseCommand):
    help = "Import meter readings from a CSV (device, metric, component, time, value [, unit])."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The CSV file.")
        parser.add_argument(
            "--update-ledger",
            action="store_true",
            help="Recompute the energy ledger for the imported series now, not on its next run.",
        )

    def handle(self, *args: Any, file: Path, update_ledger: bool, **options: Any) -> None:
        if not file.is_file():
            raise CommandError(f"No file {file}.")
        try:
            s = import_readings(file, update_ledger=update_ledger)
        except ImportRefused as exc:
            raise CommandError(str(exc)) from None
        span = f"{s.first:%Y-%m-%d %H:%M:%S} – {s.last:%Y-%m-%d %H:%M:%S} UTC"
        self.stdout.write(
            self.style.SUCCESS(
                f"{s.rows:,} rows, {s.series} series, {span}: {s.stored:,} values stored, "
                f"{s.already_stored:,} already stored."
            )
        )
        if s.ledger_series:
            what = "recomputed" if s.ledger_updated else "will be recomputed on its next run"
            self.stdout.write(f"Energy ledger: {len(s.ledger_series)} series {what}.")
