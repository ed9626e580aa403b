"""Admin for where things are: sites, rooms, rows and racks."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from dcim.inventory.admin.base import HistoryAdmin, ImportExportHistoryAdmin, ReadOnlyInline
from dcim.inventory.models import Device, Rack, Room, Row, Site
from dcim.inventory.resources import RackResource


class RoomInline(admin.TabularInline):
    model = Room
    fields = ("name", "kind", "grid_columns", "grid_rows")
    extra = 0
    show_change_link = True


@admin.register(Site)
class SiteAdmin(HistoryAdmin):
    ordering = ("name",)  # explicit: GROUP BY (the counts) drops Meta.ordering
    list_display = ("name", "slug", "timezone", "room_count", "device_count")
    search_fields = ("name", "slug", "address")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("created", "updated")
    inlines = [RoomInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Site]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                room_count=Count("rooms", distinct=True),
                device_count=Count("devices", distinct=True),
            )
        )

    @admin.display(description="rooms", ordering="room_count")
    def room_count(self, obj: Site) -> int:
        return obj.room_count

    @admin.display(description="devices", ordering="device_count")
    def device_count(self, obj: Site) -> int:
        return obj.device_count


class RowInline(admin.TabularInline):
    model = Row
    fields = ("name",)
    extra = 0
    show_change_link = True


@admin.register(Room)
class RoomAdmin(HistoryAdmin):
    ordering = ("site__name", "name")
    list_display = ("name", "site", "kind", "grid_columns", "grid_rows", "rack_count")
    list_filter = ("site", "kind")
    search_fields = ("name", "site__name")
    autocomplete_fields = ("site",)
    list_select_related = ("site",)
    inlines = [RowInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Room]:
        return super().get_queryset(request).annotate(rack_count=Count("racks"))

    @admin.display(description="racks", ordering="rack_count")
    def rack_count(self, obj: Room) -> int:
        return obj.rack_count


@admin.register(Row)
class RowAdmin(HistoryAdmin):
    list_display = ("name", "room", "site")
    list_filter = ("room__site",)
    search_fields = ("name", "room__name", "room__site__name")
    autocomplete_fields = ("room",)
    list_select_related = ("room__site",)

    @admin.display(description="site", ordering="room__site__name")
    def site(self, obj: Row) -> Site:
        return obj.room.site


class RackDeviceInline(ReadOnlyInline):
    """The rack's devices, top U first; each name links to the device's own page."""

    model = Device
    fields = ("device_type", "role", "status", "position_u", "face")
    readonly_fields = fields
    ordering = ("-position_u", "name")
    verbose_name_plural = "devices in this rack"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Device]:
        return super().get_queryset(request).select_related("device_type__manufacturer")


@admin.register(Rack)
class RackAdmin(ImportExportHistoryAdmin):
    resource_classes = [RackResource]
    ordering = ("room__site__name", "room__name", "name")
    list_display = (
        "name",
        "room",
        "row",
        "status",
        "u_height",
        "grid_position",
        "power_budget_kw",
        "cooling_budget_kw",
        "device_count",
    )
    list_filter = ("status", "room__site", "airflow")
    search_fields = ("name", "asset_tag", "room__name", "room__site__name")
    autocomplete_fields = ("room", "row")
    list_select_related = ("room__site", "row__room")
    fieldsets = (
        (None, {"fields": ("name", "room", "row", "status", "asset_tag")}),
        ("Size and place", {"fields": ("u_height", "grid_x", "grid_y", "max_weight_kg")}),
        ("Budgets", {"fields": ("power_budget_kw", "cooling_budget_kw", "airflow")}),
        (None, {"fields": ("description",)}),
    )
    inlines = [RackDeviceInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Rack]:
        return super().get_queryset(request).annotate(device_count=Count("devices"))

    @admin.display(description="grid (col, row)")
    def grid_position(self, obj: Rack) -> str:
        return "" if obj.grid_x is None else f"{obj.grid_x}, {obj.grid_y}"

    @admin.display(description="devices", ordering="device_count")
    def device_count(self, obj: Rack) -> int:
        return obj.device_count
