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
        # Late samples (behind the rollup job) re-compute their ledger hours.
        from dcim.energy.ledger import on_late_data
        from telemetry.signals import late_data

        late_data.connect(on_late_data, dispatch_uid="energy-ledger-late-data")
