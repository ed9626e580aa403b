"""The network: interfaces on devices and the links (cables) between them."""

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from dcim.inventory.choices import Fabric, LinkStatus
from dcim.inventory.models.device import Device


class Interface(models.Model):
    """A network port. ``if_name`` is what the device calls it over SNMP (ifName)."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="interfaces")
    name = models.CharField(max_length=64)
    kind = models.CharField(max_length=16, choices=Fabric.choices, default=Fabric.ETHERNET)
    speed_gbps = models.DecimalField(
        "speed (Gb/s)",
        max_digits=7,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    mgmt_only = models.BooleanField("management only", default=False)
    description = models.CharField(max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["device", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["device", "name"], name="interface_unique_name_per_device"
            )
        ]

    def __str__(self) -> str:
        return f"{self.device.name} {self.name}"


class Link(models.Model):
    """A cable between two interfaces. An interface takes part in at most one link."""

    a = models.OneToOneField(Interface, on_delete=models.CASCADE, related_name="link_as_a")
    b = models.OneToOneField(Interface, on_delete=models.CASCADE, related_name="link_as_b")
    status = models.CharField(
        max_length=16, choices=LinkStatus.choices, default=LinkStatus.CONNECTED
    )
    speed_gbps = models.DecimalField(
        "speed (Gb/s)",
        max_digits=7,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    label = models.CharField(max_length=100, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["a__device__name", "a__name"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(a=models.F("b")),
                name="link_distinct_ends",
                violation_error_message="A link needs two different interfaces.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.a} ↔ {self.b}"

    def clean(self) -> None:
        if not (self.a_id and self.b_id):
            return
        errors = {}
        if self.a.device_id == self.b.device_id:
            errors["b"] = "Both ends are on the same device."
        for end, iface in (("a", self.a), ("b", self.b)):
            taken = Link.objects.filter(models.Q(a=iface) | models.Q(b=iface)).exclude(pk=self.pk)
            if taken.exists():
                errors.setdefault(end, f"{iface} is already cabled ({taken.first()}).")
        if errors:
            raise ValidationError(errors)
