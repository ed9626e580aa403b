from django.apps import AppConfig


class BenchConfig(AppConfig):
    """Benchmarks (manage.py bench_store, bench_collectors, bench_pages, bench_alerts) and
    the data they load. Tooling, not product: no product app imports it."""

    name = "bench"
    label = "bench"
    verbose_name = "Benchmarks"
