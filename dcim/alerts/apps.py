from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "dcim.alerts"
    label = "alerts"
    verbose_name = "Alerts"

    def ready(self) -> None:
        # Connects alerting to telemetry's poll_stored and to rule edits. Imported here, not
        # at the top, because receivers import models, which need the app registry ready.
        from dcim.alerts import signals  # noqa: F401
