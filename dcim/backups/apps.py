from django.apps import AppConfig


class BackupsConfig(AppConfig):
    name = "dcim.backups"
    label = "backups"
    verbose_name = "Backups"
