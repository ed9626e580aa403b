from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "dcim.inventory"
    label = "inventory"
    verbose_name = "Inventory"
