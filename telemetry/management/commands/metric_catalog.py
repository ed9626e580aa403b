"""Print the metric catalog as Markdown: what docs/metrics.md holds.

    python manage.py metric_catalog > docs/metrics.md

A test fails when docs/metrics.md differs from what this prints.
"""

from django.core.management.base import BaseCommand

from telemetry.collectors.catalog import markdown


class Command(BaseCommand):
    help = "Print every metric the collectors can produce (name, unit, kind, meaning) as Markdown."
    requires_system_checks = []
    requires_migrations_checks = False

    def handle(self, *args, **options):
        self.stdout.write(markdown(), ending="")
