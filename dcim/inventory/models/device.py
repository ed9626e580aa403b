"""What is installed: manufacturers, device types, devices and their GPUs."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from dcim.inventory.choices import (
    Airflow,
    DeviceRole,
    DeviceStatus,
    Fabric,
    NetworkLayer,
    RackFace,
)
from dcim.inventory.models.site import Rack, Room, Site


class Manufacturer(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DeviceType(models.Model):
    """A hardware model: its size, its power and, for GPU servers, its GPUs.

    ``u_height`` 0 means zero-U (vertical PDUs, floor-standing units): such devices take no
    U positions. ``full_depth`` devices block both faces of the U they occupy.
    """

    manufacturer = models.ForeignKey(
        Manufacturer, on_delete=models.PROTECT, related_name="device_types"
    )
    model = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)
    u_height = models.PositiveSmallIntegerField(
        "height (U)", default=1, validators=[MaxValueValidator(60)]
    )
    full_depth = models.BooleanField(default=True)
    rated_power_w = models.PositiveIntegerField("rated power (W)", null=True, blank=True)
    typical_power_w = models.PositiveIntegerField("typical power (W)", null=True, blank=True)
    weight_kg = models.DecimalField(max_digits=7, decimal_places=1, null=True, blank=True)
    airflow = models.CharField(
        max_length=16, choices=Airflow.choices, default=Airflow.FRONT_TO_REAR
    )
    default_role = models.CharField(
        max_length=20, choices=DeviceRole.choices, default=DeviceRole.OTHER
    )
    gpu_model = models.CharField("GPU model", max_length=100, blank=True)
    gpu_count = models.PositiveSmallIntegerField("GPUs", default=0)
    gpu_memory_gb = models.PositiveIntegerField("GPU memory (GB)", null=True, blank=True)
    gpu_tdp_w = models.PositiveIntegerField("GPU TDP (W)", null=True, blank=True)
    end_of_life = models.DateField(
        "end of life",
        null=True,
        blank=True,
        help_text="The vendor's end-of-support date: devices of this type need a plan by then.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["manufacturer", "model"]
        constraints = [
            models.UniqueConstraint(
                fields=["manufacturer", "model"], name="devicetype_unique_model_per_manufacturer"
            )
        ]

    def __str__(self) -> str:
        return f"{self.manufacturer} {self.model}"

    def clean(self) -> None:
        if (
            self.rated_power_w is not None
            and self.typical_power_w is not None
            and self.typical_power_w > self.rated_power_w
        ):
            raise ValidationError(
                {"typical_power_w": "Typical power cannot exceed the rated (maximum) power."}
            )


class Device(models.Model):
    """One physical device, where it stands, and what it is for.

    ``position_u`` is the lowest U the device occupies (1 = bottom). A device in a rack
    without a position is "in the rack, not yet placed" (it is checked for nothing).
    ``room`` and ``site`` follow the rack when one is given, so they are never contradictory.
    """

    name = models.CharField(max_length=100, unique=True)
    device_type = models.ForeignKey(DeviceType, on_delete=models.PROTECT, related_name="devices")
    role = models.CharField(max_length=20, choices=DeviceRole.choices, db_index=True)
    status = models.CharField(
        max_length=16, choices=DeviceStatus.choices, default=DeviceStatus.ACTIVE, db_index=True
    )
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="devices")
    room = models.ForeignKey(
        Room, on_delete=models.PROTECT, null=True, blank=True, related_name="devices"
    )
    rack = models.ForeignKey(
        Rack, on_delete=models.PROTECT, null=True, blank=True, related_name="devices"
    )
    position_u = models.PositiveSmallIntegerField(
        "position (U)", null=True, blank=True, validators=[MinValueValidator(1)]
    )
    face = models.CharField(max_length=5, choices=RackFace.choices, default=RackFace.FRONT)
    serial = models.CharField(max_length=100, blank=True, db_index=True)
    asset_tag = models.CharField(max_length=50, unique=True, null=True, blank=True)
    purchase_date = models.DateField(null=True, blank=True)
    warranty_end = models.DateField(null=True, blank=True)
    management_address = models.CharField(
        max_length=255, blank=True, help_text="IP address or host name used to reach the device."
    )
    network_layer = models.CharField(max_length=16, choices=NetworkLayer.choices, blank=True)
    fabric = models.CharField(max_length=16, choices=Fabric.choices, blank=True)
    comments = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["rack", "position_u"], name="device_rack_position")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_switch(self) -> bool:
        return self.role in (DeviceRole.SWITCH, DeviceRole.ROUTER)

    def occupied_units(self) -> range:
        """The U numbers this device fills (empty when unplaced or zero-U)."""
        if self.position_u is None or not self.device_type_id or not self.device_type.u_height:
            return range(0)
        return range(self.position_u, self.position_u + self.device_type.u_height)

    def occupied_faces(self) -> set[str]:
        if self.device_type.full_depth:
            return {RackFace.FRONT, RackFace.REAR}
        return {self.face}

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.rack_id:
            rack = self.rack
            if self.room_id and self.room_id != rack.room_id:
                errors["room"] = f"Rack {rack} is in {rack.room}, not in {self.room}."
            elif self.site_id and self.site_id != rack.room.site_id:
                errors["site"] = f"Rack {rack} is in site {rack.room.site}, not in {self.site}."
            else:
                self.room = rack.room
                self.site = rack.room.site
        elif self.position_u is not None:
            errors["position_u"] = "A U position needs a rack."
        if self.room_id and self.site_id and self.room.site_id != self.site_id:
            errors.setdefault(
                "room", f"Room {self.room.name} is in site {self.room.site}, not {self.site}."
            )
        if (self.network_layer or self.fabric) and not self.is_switch:
            errors["network_layer" if self.network_layer else "fabric"] = (
                "Network layer and fabric apply to switches and routers only."
            )
        if self.purchase_date and self.warranty_end and self.warranty_end < self.purchase_date:
            errors["warranty_end"] = "The warranty cannot end before the purchase date."
        if not errors and self.rack_id and self.position_u is not None and self.device_type_id:
            errors.update(self._rack_fit_errors())
        if errors:
            raise ValidationError(errors)

    def _rack_fit_errors(self) -> dict[str, str]:
        """The device must fit inside the rack and not overlap another device."""
        height = self.device_type.u_height
        if height == 0:
            return {"position_u": f"{self.device_type} is zero-U: leave the U position empty."}
        top = self.position_u + height - 1
        if top > self.rack.u_height:
            return {
                "position_u": (
                    f"A {height}U device at U{self.position_u} reaches U{top}, "
                    f"above the top of {self.rack} (U{self.rack.u_height})."
                )
            }
        mine, faces = set(self.occupied_units()), self.occupied_faces()
        for other in self.rack.placed_devices().exclude(pk=self.pk):
            shared = mine & set(other.occupied_units())
            if shared and faces & other.occupied_faces():
                return {
                    "position_u": (
                        f"U{min(shared)}–U{max(shared)} of {self.rack} are taken by {other.name}."
                    )
                }
        return {}


class GPU(models.Model):
    """A GPU in a device, reconciled with what NVML reports by UUID or serial."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="gpus")
    index = models.PositiveSmallIntegerField(help_text="NVML index on its host (0-based).")
    uuid = models.CharField("UUID", max_length=64, unique=True, null=True, blank=True)
    pci_bus_id = models.CharField("PCI bus id", max_length=32, blank=True)
    model = models.CharField(max_length=100, blank=True)
    serial = models.CharField(max_length=64, blank=True)
    memory_gb = models.PositiveIntegerField("memory (GB)", null=True, blank=True)
    tdp_w = models.PositiveIntegerField("TDP (W)", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "GPU"
        ordering = ["device", "index"]
        constraints = [
            models.UniqueConstraint(
                fields=["device", "index"],
                name="gpu_unique_index_per_device",
                violation_error_message="This device already has a GPU with that index.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.device.name} GPU{self.index}"
