"""``manage.py seed_demo``: create (or complete) the demo AI data centre."""

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.inventory import seed_demo


class Command(BaseCommand):
    help = (
        "Create the demo AI data centre: one site, two halls, 64 racks, 256 DGX H100 "
        "(2,048 GPUs), PDUs, feeds, UPS, cooling and an InfiniBand fabric. Running it again "
        "creates only what is missing and changes nothing that exists."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--quiet", action="store_true", help="Print only the final line, not each stage."
        )

    def handle(self, *args: str, quiet: bool = False, **options: object) -> None:
        try:
            report = seed_demo(log=None if quiet else self.stdout.write)
        except ImproperlyConfigured as exc:  # e.g. no FIELD_ENCRYPTION_KEY for the credentials
            raise CommandError(f"{exc} Nothing was created.") from exc
        if report.created:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo ready: {report.created:,} rows created in {report.elapsed_s:.2f} s."
                )
            )
        else:
            self.stdout.write(
                f"Nothing to do: the demo is complete ({report.wanted:,} rows, 0 created) "
                f"in {report.elapsed_s:.2f} s."
            )
