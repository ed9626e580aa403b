from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "dcim.reports"
    label = "reports"
    verbose_name = "Reports"
