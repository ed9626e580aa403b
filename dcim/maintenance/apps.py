"""Maintenance."""

from django.apps import AppConfig


class MaintenanceConfig(AppConfig):
    name = "dcim.maintenance"
    label = "maintenance"
    verbose_name = "Maintenance"

    def ready(self) -> None:
        # Alerting sits below this app and asks it through a registered check (0017);
        # imported here because the check's module imports models.
        from dcim.alerts import catalog
        from dcim.alerts.suppression_checks import register_maintenance_check
        from dcim.maintenance.lifecycle import DERIVED_METRICS
        from dcim.maintenance.suppression import window_reason

        register_maintenance_check(window_reason)
        catalog.declare(DERIVED_METRICS)
