"""The asset relations a window and a schedule share: explicit many-to-many relations to
inventory rows, so that a rack renamed or a device moved stays the same asset."""

from django.db import models

from dcim.inventory.choices import COOLING_ROLES


class AffectedAssets(models.Model):
    """Devices, racks, rooms, power panels and feeds, and cooling units a piece of work
    takes down. What each carries is found by ``dcim.maintenance.assets``."""

    devices = models.ManyToManyField("inventory.Device", blank=True, related_name="+")
    racks = models.ManyToManyField("inventory.Rack", blank=True, related_name="+")
    rooms = models.ManyToManyField("inventory.Room", blank=True, related_name="+")
    power_panels = models.ManyToManyField("inventory.PowerPanel", blank=True, related_name="+")
    power_feeds = models.ManyToManyField("inventory.PowerFeed", blank=True, related_name="+")
    cooling_units = models.ManyToManyField(
        "inventory.Device",
        blank=True,
        related_name="+",
        limit_choices_to={"role__in": sorted(COOLING_ROLES)},
        help_text="A CRAH, CRAC, CDU or chiller: its room is affected with it.",
    )

    ASSET_FIELDS = ("devices", "racks", "rooms", "power_panels", "power_feeds", "cooling_units")

    class Meta:
        abstract = True

    def asset_ids(self) -> dict[str, set[int]]:
        """The ids of each kind of asset named: from the prefetch cache when the caller
        prefetched ``ASSET_FIELDS`` (lists of windows), else one query per relation."""
        return {name: {o.pk for o in getattr(self, name).all()} for name in self.ASSET_FIELDS}

    def copy_assets_to(self, other: "AffectedAssets") -> None:
        for name in self.ASSET_FIELDS:
            getattr(other, name).set(getattr(self, name).all())

    def asset_names(self) -> list[str]:
        """What is named, in words: "rack R01", "feed PP-A / F1"."""
        words = {
            "devices": "",
            "racks": "rack ",
            "rooms": "room ",
            "power_panels": "panel ",
            "power_feeds": "feed ",
            "cooling_units": "",
        }
        return [
            f"{words[name]}{obj}" for name in self.ASSET_FIELDS for obj in getattr(self, name).all()
        ]
