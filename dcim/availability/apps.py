from django.apps import AppConfig


class AvailabilityConfig(AppConfig):
    name = "dcim.availability"
    label = "availability"
    verbose_name = "High availability and DR"

    def ready(self) -> None:
        # Imported here, not at the top: they import models, which need the registry.
        from dcim.alerts import catalog
        from dcim.availability.alerting import DERIVED_METRICS
        from dcim.availability.detection import on_poll_stored
        from telemetry.signals import poll_stored

        catalog.declare(DERIVED_METRICS)
        poll_stored.connect(on_poll_stored, dispatch_uid="availability-detect-failovers")
        # "Both members of an HA group" joins the maintenance safety check before a
        # window is scheduled (maintenance sits below this app and cannot import it).
        from dcim.availability.redundancy import both_members_warning
        from dcim.maintenance import safety

        safety.register_safety_check(both_members_warning)
