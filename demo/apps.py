from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The live demo: the demo data centre (seed_demo), its collection targets
    (seed_demo_targets) and the launcher of its simulated fleet. Tooling, not product:
    no product app imports it (import-linter holds that)."""

    name = "demo"
    label = "demo"
    verbose_name = "Demo data centre"
