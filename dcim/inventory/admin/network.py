"""Admin for the network: interfaces and the links (cables) between them."""

from __future__ import annotations

from django.contrib import admin

from dcim.inventory.admin.base import HistoryAdmin
from dcim.inventory.models import Interface, Link


@admin.register(Interface)
class InterfaceAdmin(HistoryAdmin):
    list_display = ("name", "device", "kind", "speed_gbps", "mgmt_only", "cabled_to")
    list_filter = ("kind", "mgmt_only")
    search_fields = ("name", "device__name", "description")
    autocomplete_fields = ("device",)
    list_select_related = ("device", "link_as_a__b__device", "link_as_b__a__device")

    @admin.display(description="cabled to")
    def cabled_to(self, obj: Interface) -> str:
        """The interface at the other end of this one's link, if any."""
        if link := getattr(obj, "link_as_a", None):
            return str(link.b)
        if link := getattr(obj, "link_as_b", None):
            return str(link.a)
        return ""


@admin.register(Link)
class LinkAdmin(HistoryAdmin):
    list_display = ("__str__", "status", "speed_gbps", "label")
    list_filter = ("status",)
    search_fields = ("label", "a__name", "a__device__name", "b__name", "b__device__name")
    autocomplete_fields = ("a", "b")
    list_select_related = ("a__device", "b__device")
