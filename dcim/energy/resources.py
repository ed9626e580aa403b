"""CSV import and export of energy meters, with names in the file instead of ids.

A meter list is written from single-line diagrams and BMS point lists, where a meter is
"UTIL-A", its device "pm-hall1-in", its site a slug and its room a name, never an id. Each
foreign key is looked up by name (the room within the row's site); a name matching
nothing is reported on its column. Every row goes through ``Meter.full_clean()`` (room
and device in the row's site, metric fit for the kind, no parent loop) against the meters
the earlier rows of the same file made, so a parent may be defined a row above its
sub-meters. A file with any bad row imports nothing (``InventoryResource``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from import_export.fields import Field
from import_export.widgets import BooleanWidget

from dcim.energy.models import Meter
from dcim.inventory.models import Device, Room, Site
from dcim.inventory.resources import InventoryResource, NameWidget


class StrictBooleanWidget(BooleanWidget):
    """true/false or 1/0; blank is "not given". Anything else ("yes", "on") is an error on
    the column rather than a silent False that would switch a meter off."""

    def clean(self, value: Any, row: dict[str, Any] | None = None, **kwargs: Any) -> bool | None:
        text = str(value).strip() if value is not None else ""
        if text in self.NULL_VALUES:
            return None
        if text not in self.TRUE_VALUES and text not in self.FALSE_VALUES:
            raise ValueError(f"'{text}' is not true or false (use true, false, 1 or 0).")
        return text in self.TRUE_VALUES


class MeterResource(InventoryResource):
    """Meters keyed by their (unique) name; site by slug, room by name within the site,
    device and parent meter by name."""

    site = Field(attribute="site", column_name="site", widget=NameWidget(Site, field="slug"))
    room = Field(
        attribute="room",
        column_name="room",
        widget=NameWidget(Room, scope={"site__slug": "site"}, narrow_with="site"),
    )
    parent = Field(attribute="parent", column_name="parent", widget=NameWidget(Meter))
    device = Field(attribute="device", column_name="device", widget=NameWidget(Device))
    enabled = Field(
        attribute="enabled", column_name="enabled", widget=StrictBooleanWidget(), default=True
    )

    class Meta:
        model = Meter
        fields = (
            "name",
            "kind",
            "site",
            "room",
            "parent",
            "device",
            "metric",
            "component",
            "counter_bits",
            "enabled",
            "description",
        )
        import_id_fields = ("name",)

    def get_queryset(self) -> QuerySet[Meter]:
        return super().get_queryset().select_related("site", "room", "parent", "device")
