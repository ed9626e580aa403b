"""Admin for what is installed: manufacturers, device types, devices and their GPUs."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from dcim.inventory.admin.base import HistoryAdmin, ImportExportHistoryAdmin
from dcim.inventory.choices import POWER_SOURCE_ROLES
from dcim.inventory.models import (
    GPU,
    Device,
    DeviceType,
    Interface,
    Manufacturer,
    PowerOutlet,
    PowerPort,
)
from dcim.inventory.resources import DeviceResource


@admin.register(Manufacturer)
class ManufacturerAdmin(HistoryAdmin):
    ordering = ("name",)  # explicit: GROUP BY (the count) drops Meta.ordering
    list_display = ("name", "slug", "device_type_count")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request: HttpRequest) -> QuerySet[Manufacturer]:
        return super().get_queryset(request).annotate(device_type_count=Count("device_types"))

    @admin.display(description="device types", ordering="device_type_count")
    def device_type_count(self, obj: Manufacturer) -> int:
        return obj.device_type_count


@admin.register(DeviceType)
class DeviceTypeAdmin(HistoryAdmin):
    list_display = (
        "model",
        "manufacturer",
        "slug",
        "u_height",
        "full_depth",
        "default_role",
        "rated_power_w",
        "gpu_count",
        "gpu_model",
    )
    list_filter = ("manufacturer", "default_role", "full_depth", "airflow")
    search_fields = ("model", "slug", "manufacturer__name", "gpu_model")
    autocomplete_fields = ("manufacturer",)
    list_select_related = ("manufacturer",)
    prepopulated_fields = {"slug": ("model",)}
    fieldsets = (
        (None, {"fields": ("manufacturer", "model", "slug", "default_role")}),
        ("Size", {"fields": ("u_height", "full_depth", "weight_kg")}),
        ("Power and cooling", {"fields": ("rated_power_w", "typical_power_w", "airflow")}),
        ("GPUs", {"fields": ("gpu_model", "gpu_count", "gpu_memory_gb", "gpu_tdp_w")}),
        ("Lifecycle", {"fields": ("end_of_life",)}),
    )


class GPUInline(admin.TabularInline):
    model = GPU
    fields = ("index", "model", "uuid", "pci_bus_id", "serial", "memory_gb", "tdp_w")
    extra = 0


class PowerPortInline(admin.TabularInline):
    model = PowerPort
    fk_name = "device"
    fields = ("name", "maximum_draw_w", "allocated_draw_w", "outlet", "feed")
    autocomplete_fields = ("outlet", "feed")
    extra = 0


class PowerOutletInline(admin.TabularInline):
    model = PowerOutlet
    fields = ("name",)
    extra = 0


class InterfaceInline(admin.TabularInline):
    model = Interface
    fields = ("name", "kind", "speed_gbps", "mgmt_only", "description")
    extra = 0
    show_change_link = True  # cabling (links) is edited from the interface's side


@admin.register(Device)
class DeviceAdmin(ImportExportHistoryAdmin):
    resource_classes = [DeviceResource]
    list_display = (
        "name",
        "device_type",
        "role",
        "status",
        "site",
        "rack",
        "position_u",
        "face",
        "management_address",
        "serial",
    )
    list_filter = ("status", "role", "site", "device_type__manufacturer")
    search_fields = (
        "name",
        "serial",
        "asset_tag",
        "management_address",
        "device_type__model",
        "rack__name",
    )
    autocomplete_fields = ("device_type", "site", "room", "rack")
    list_select_related = ("device_type__manufacturer", "site", "rack")
    readonly_fields = ("created", "updated")
    fieldsets = (
        (None, {"fields": ("name", "device_type", "role", "status")}),
        ("Location", {"fields": ("site", "room", "rack", "position_u", "face")}),
        ("Network", {"fields": ("management_address", "network_layer", "fabric")}),
        ("Lifecycle", {"fields": ("serial", "asset_tag", "purchase_date", "warranty_end")}),
        (None, {"fields": ("comments", "created", "updated")}),
    )

    def get_inlines(self, request: HttpRequest, obj: Device | None):
        """Outlets only on PDUs and UPSs: on anything else they would be refused anyway."""
        inlines = [GPUInline, PowerPortInline, InterfaceInline]
        if obj is not None and obj.role in POWER_SOURCE_ROLES:
            inlines.insert(2, PowerOutletInline)
        return inlines


@admin.register(GPU)
class GPUAdmin(HistoryAdmin):
    list_display = ("__str__", "device", "index", "model", "uuid", "memory_gb", "tdp_w", "serial")
    list_filter = ("model",)
    search_fields = ("uuid", "serial", "pci_bus_id", "model", "device__name")
    autocomplete_fields = ("device",)
    list_select_related = ("device",)
