from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "dcim.dashboard"
    label = "dashboard"
    verbose_name = "Operator dashboard"
