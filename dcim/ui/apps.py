from django.apps import AppConfig


class UiConfig(AppConfig):
    """The shared UI kit: pooled tables, status badges and JSON twins, used by every app
    that has pages (alerts, dashboard, and the energy, maintenance, HA and report pages)."""

    name = "dcim.ui"
    label = "ui"
    verbose_name = "UI kit"
