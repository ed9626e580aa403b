"""``manage.py backup``: dump the database to a checked folder (see dcim/backups/dump.py)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from dcim.backups import dump


class Command(BaseCommand):
    help = "Back up the database (inventory, configuration, samples) with pg_dump."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dir",
            default=str(settings.BACKUP_DIR),
            help="folder that receives the backup's own folder (default: var/backups)",
        )
        parser.add_argument(
            "--config-only",
            action="store_true",
            help="leave out the store's sample and rollup rows (schema kept)",
        )

    def handle(self, *args, **options) -> None:
        try:
            backup = dump.create(Path(options["dir"]), config_only=options["config_only"])
        except dump.BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(backup.manifest["tables"].values())
        size = backup.manifest["size_bytes"] / 1e6
        self.stdout.write(
            f"backup {backup.folder}: {len(backup.manifest['tables'])} tables, "
            f"{rows} rows, {size:.1f} MB, sha256 {backup.manifest['sha256'][:16]}…"
        )
