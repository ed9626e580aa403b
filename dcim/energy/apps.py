from django.apps import AppConfig


class EnergyConfig(AppConfig):
    name = "dcim.energy"
    label = "energy"
    verbose_name = "Energy and PUE"

    def ready(self) -> None:
        # The metrics energy derives for alert rules (PUE, meter coverage) are declared to
        # the alerts catalog, which cannot import energy (layers). Imported here, not at the
        # top, because alerting imports models, which need the app registry ready.
        from dcim.alerts import catalog
        from dcim.energy.alerting import DERIVED_METRICS

        catalog.declare(DERIVED_METRICS)
