"""Where a rule or a route applies: a site, room, rack and device role (empty = any)."""

from __future__ import annotations

from django.db import models

from dcim.inventory.choices import DeviceRole


class PlaceScope(models.Model):
    """Every field given must match the device; all empty: everywhere, devices or not."""

    site = models.ForeignKey(
        "inventory.Site", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    room = models.ForeignKey(
        "inventory.Room", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    rack = models.ForeignKey(
        "inventory.Rack", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    device_role = models.CharField(max_length=20, choices=DeviceRole.choices, blank=True)

    class Meta:
        abstract = True

    @property
    def has_place_scope(self) -> bool:
        return bool(self.site_id or self.room_id or self.rack_id or self.device_role)

    def covers(self, device) -> bool:
        """Whether ``device`` (or None: an alert about no device) is inside this scope."""
        if not self.has_place_scope:
            return True
        return device is not None and not (
            (self.site_id and self.site_id != device.site_id)
            or (self.room_id and self.room_id != device.room_id)
            or (self.rack_id and self.rack_id != device.rack_id)
            or (self.device_role and self.device_role != device.role)
        )
