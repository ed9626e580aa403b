from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "dcim.alerts"
    label = "alerts"
    verbose_name = "Alerts"

    def ready(self) -> None:
        # Rule edits invalidate this process's rule index at once (other processes: TTL).
        from dcim.alerts import signals  # noqa: F401
