"""``manage.py restore FOLDER --database NEW``: restore a backup into a new database and
check every table's row count against the backup's manifest."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dcim.backups import dump


class Command(BaseCommand):
    help = "Restore a backup folder into a new database and verify it against its manifest."

    def add_arguments(self, parser) -> None:
        parser.add_argument("folder", help="a folder written by manage.py backup")
        parser.add_argument(
            "--database",
            required=True,
            help="name of the database to create and restore into (must not exist)",
        )
        parser.add_argument("--jobs", type=int, default=2, help="parallel pg_restore jobs")

    def handle(self, *args, **options) -> None:
        try:
            counts = dump.restore(
                Path(options["folder"]), options["database"], jobs=options["jobs"]
            )
        except dump.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"restored into {options['database']}: {len(counts)} tables, "
            f"{sum(counts.values())} rows, every count equal to the manifest"
        )
