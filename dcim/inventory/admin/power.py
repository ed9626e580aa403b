"""Admin for the power chain: panels, feeds, PDU outlets and device power ports."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from dcim.inventory.admin.base import HistoryAdmin
from dcim.inventory.models import PowerFeed, PowerOutlet, PowerPanel, PowerPort

ELECTRICAL = ("supply", "phase", "voltage", "amperage", "max_utilization", "available_power")


def _kilowatts(feed: PowerFeed) -> str:
    """Shown in kW (people read kW); stored in W. Unsaved feeds have no figure yet."""
    if feed.pk is None:
        return "computed on save"
    return f"{feed.available_power_kw:.2f} kW"


class PowerFeedInline(admin.TabularInline):
    model = PowerFeed
    fields = (
        "name",
        "side",
        "supply",
        "phase",
        "voltage",
        "amperage",
        "max_utilization",
        "available_power",
        "rack",
        "status",
    )
    readonly_fields = ("available_power",)
    autocomplete_fields = ("rack",)
    extra = 0
    show_change_link = True

    @admin.display(description="available power")
    def available_power(self, obj: PowerFeed) -> str:
        return _kilowatts(obj)


@admin.register(PowerPanel)
class PowerPanelAdmin(HistoryAdmin):
    ordering = ("site__name", "name")  # explicit: GROUP BY drops Meta.ordering
    list_display = ("name", "site", "room", "upstream_device", "feed_count")
    list_filter = ("site",)
    search_fields = ("name", "site__name", "room__name")
    autocomplete_fields = ("site", "room", "upstream_device")
    list_select_related = ("site", "room__site", "upstream_device")
    inlines = [PowerFeedInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[PowerPanel]:
        return super().get_queryset(request).annotate(feed_count=Count("feeds"))

    @admin.display(description="feeds", ordering="feed_count")
    def feed_count(self, obj: PowerPanel) -> int:
        return obj.feed_count


@admin.register(PowerFeed)
class PowerFeedAdmin(HistoryAdmin):
    list_display = (
        "name",
        "panel",
        "side",
        "supply",
        "phase",
        "voltage",
        "amperage",
        "max_utilization",
        "available_power",
        "rack",
        "status",
    )
    list_filter = ("status", "side", "phase", "supply", "panel__site")
    search_fields = ("name", "panel__name", "rack__name")
    autocomplete_fields = ("panel", "rack")
    list_select_related = ("panel", "rack")
    readonly_fields = ("available_power",)
    fieldsets = (
        (None, {"fields": ("panel", "name", "status", "side", "rack")}),
        (
            "Electrical",
            {
                "fields": ELECTRICAL,
                "description": "Available power = V × A × max utilization (× √3 for "
                "three-phase), recomputed on every save.",
            },
        ),
    )

    @admin.display(description="available power", ordering="available_power_w")
    def available_power(self, obj: PowerFeed) -> str:
        return _kilowatts(obj)


@admin.register(PowerOutlet)
class PowerOutletAdmin(HistoryAdmin):
    list_display = ("name", "device", "connected_to")
    search_fields = ("name", "device__name")
    autocomplete_fields = ("device",)
    list_select_related = ("device", "connected_port__device")

    @admin.display(description="connected port")
    def connected_to(self, obj: PowerOutlet) -> str:
        port = getattr(obj, "connected_port", None)
        return str(port) if port else ""


@admin.register(PowerPort)
class PowerPortAdmin(HistoryAdmin):
    list_display = ("name", "device", "maximum_draw_w", "allocated_draw_w", "outlet", "feed")
    search_fields = ("name", "device__name")
    autocomplete_fields = ("device", "outlet", "feed")
    list_select_related = ("device", "outlet__device", "feed__panel")
