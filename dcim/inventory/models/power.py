"""The power chain: panel → feed → (PDU inlet →) PDU outlet → device power port."""

import math
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from dcim.inventory.choices import (
    POWER_SOURCE_ROLES,
    FeedPhase,
    FeedSide,
    FeedStatus,
    FeedSupply,
)
from dcim.inventory.models.device import Device
from dcim.inventory.models.site import Rack, Room, Site


def available_power_w(voltage: int, amperage: int, max_utilization: int, phase: str) -> int:
    """Usable continuous power of a circuit: V × A × max% (× √3 for three-phase).

    The 80 % default is the NEC continuous-load rule (210.19/210.20, 215.2); three-phase
    power uses the line-to-line voltage, hence √3.
    """
    watts = voltage * amperage * max_utilization / 100
    if phase == FeedPhase.THREE:
        watts *= math.sqrt(3)
    return round(watts)


class PowerPanel(models.Model):
    """A distribution panel (switchboard, RPP), optionally fed by a UPS."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="power_panels")
    room = models.ForeignKey(
        Room, on_delete=models.PROTECT, null=True, blank=True, related_name="power_panels"
    )
    name = models.CharField(max_length=100)
    upstream_device = models.ForeignKey(
        Device,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="downstream_panels",
        help_text="The UPS (or other source) feeding this panel, if modelled.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["site", "name"]
        constraints = [
            models.UniqueConstraint(fields=["site", "name"], name="powerpanel_unique_name_per_site")
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.room_id and self.site_id and self.room.site_id != self.site_id:
            raise ValidationError({"room": f"Room {self.room.name} is not in site {self.site}."})


class PowerFeed(models.Model):
    """A circuit from a panel to a rack, on side A or B.

    ``available_power_w`` is derived from the electrical numbers in save() (as NetBox does),
    so capacity pages and alert rules read one stored figure.
    """

    panel = models.ForeignKey(PowerPanel, on_delete=models.PROTECT, related_name="feeds")
    rack = models.ForeignKey(
        Rack, on_delete=models.SET_NULL, null=True, blank=True, related_name="power_feeds"
    )
    name = models.CharField(max_length=100)
    status = models.CharField(max_length=16, choices=FeedStatus.choices, default=FeedStatus.ACTIVE)
    side = models.CharField(max_length=1, choices=FeedSide.choices, default=FeedSide.A)
    supply = models.CharField(max_length=2, choices=FeedSupply.choices, default=FeedSupply.AC)
    phase = models.CharField(max_length=6, choices=FeedPhase.choices, default=FeedPhase.SINGLE)
    voltage = models.PositiveSmallIntegerField(
        "voltage (V)",
        default=230,
        validators=[MinValueValidator(12), MaxValueValidator(1000)],
        help_text="Line-to-line for three-phase feeds.",
    )
    amperage = models.PositiveSmallIntegerField(
        "amperage (A)",
        default=32,
        validators=[MinValueValidator(1), MaxValueValidator(4000)],
        help_text="Breaker rating.",
    )
    max_utilization = models.PositiveSmallIntegerField(
        "max utilization (%)",
        default=80,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="80 % for continuous loads unless the breaker is 100 %-rated.",
    )
    available_power_w = models.PositiveIntegerField(
        "available power (W)", editable=False, default=0
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["panel", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["panel", "name"], name="powerfeed_unique_name_per_panel"
            ),
            models.CheckConstraint(
                condition=models.Q(voltage__gte=12, voltage__lte=1000),
                name="powerfeed_voltage_physical",
                violation_error_message="Voltage must be between 12 and 1000 V.",
            ),
            models.CheckConstraint(
                condition=models.Q(amperage__gte=1, amperage__lte=4000),
                name="powerfeed_amperage_physical",
                violation_error_message="Amperage must be between 1 and 4000 A.",
            ),
            models.CheckConstraint(
                condition=models.Q(max_utilization__gte=1, max_utilization__lte=100),
                name="powerfeed_max_utilization_percent",
                violation_error_message="Max utilization is a percentage from 1 to 100.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.panel.name} / {self.name}"

    def save(self, *args, **kwargs):
        self.available_power_w = available_power_w(
            self.voltage, self.amperage, self.max_utilization, self.phase
        )
        super().save(*args, **kwargs)

    @property
    def available_power_kw(self) -> Decimal:
        return Decimal(self.available_power_w) / 1000

    def clean(self) -> None:
        if self.supply == FeedSupply.DC and self.phase == FeedPhase.THREE:
            raise ValidationError({"phase": "A DC feed has no phases: choose single."})
        if self.rack_id and self.panel_id and self.rack.room.site_id != self.panel.site_id:
            raise ValidationError({"rack": f"Rack {self.rack} is not in the panel's site."})


class PowerOutlet(models.Model):
    """An outlet on a PDU (or UPS) that a device power port plugs into."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="power_outlets")
    name = models.CharField(max_length=50)
    history = HistoricalRecords()

    class Meta:
        ordering = ["device", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["device", "name"], name="poweroutlet_unique_name_per_device"
            )
        ]

    def __str__(self) -> str:
        return f"{self.device.name} {self.name}"

    def clean(self) -> None:
        if self.device_id and self.device.role not in POWER_SOURCE_ROLES:
            raise ValidationError({"device": "Only PDUs and UPSs have power outlets."})


class PowerPort(models.Model):
    """A power supply inlet of a device, plugged into a PDU outlet or wired to a feed."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="power_ports")
    name = models.CharField(max_length=50)
    maximum_draw_w = models.PositiveIntegerField("maximum draw (W)", null=True, blank=True)
    allocated_draw_w = models.PositiveIntegerField("allocated draw (W)", null=True, blank=True)
    outlet = models.OneToOneField(
        PowerOutlet, on_delete=models.SET_NULL, null=True, blank=True, related_name="connected_port"
    )
    feed = models.ForeignKey(
        PowerFeed, on_delete=models.SET_NULL, null=True, blank=True, related_name="connected_ports"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["device", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["device", "name"], name="powerport_unique_name_per_device"
            ),
            models.CheckConstraint(
                condition=models.Q(outlet__isnull=True) | models.Q(feed__isnull=True),
                name="powerport_one_upstream",
                violation_error_message="A power port connects to an outlet or a feed, not both.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.device.name} {self.name}"

    def clean(self) -> None:
        errors = {}
        if self.outlet_id and self.outlet.device_id == self.device_id:
            errors["outlet"] = "A device cannot be plugged into its own outlet."
        if (
            self.maximum_draw_w is not None
            and self.allocated_draw_w is not None
            and self.allocated_draw_w > self.maximum_draw_w
        ):
            errors["allocated_draw_w"] = "Allocated draw cannot exceed the maximum draw."
        if errors:
            raise ValidationError(errors)

    def upstream_feed(self, _depth: int = 0) -> PowerFeed | None:
        """The feed this port ultimately draws from, following PDUs up the chain."""
        if self.feed_id:
            return self.feed
        if not self.outlet_id or _depth > 4:  # chains are short; the bound stops loops
            return None
        for port in self.outlet.device.power_ports.all():
            feed = port.upstream_feed(_depth + 1)
            if feed is not None:
                return feed
        return None


def redundant_sides(device: Device) -> set[str]:
    """The feed sides (A, B) a device's power ports reach: both means A/B redundant."""
    return {feed.side for port in device.power_ports.all() if (feed := port.upstream_feed())}
