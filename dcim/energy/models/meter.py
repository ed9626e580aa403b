"""Meters: a measurement point (a device's energy counter, or its power) and what it measures.

PUE is only as good as the meters behind it, so each meter says what it measures (its kind),
where (its boundary: the site, or one room) and what it sits under (its parent). Sums skip
any meter whose ancestor is in the same sum, so a sub-meter and its parent are never
counted twice (``counted_once``).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from dcim.inventory.models import Device, Room, Site


class MeterKind(models.TextChoices):
    """What a meter measures (ISO/IEC 30134-2's energy terms)."""

    UTILITY = "utility", "Facility input: utility"
    GENERATOR = "generator", "Facility input: generator"
    IT_UPS_OUTPUT = "it_ups_output", "IT at UPS output"
    IT_PDU_OUTPUT = "it_pdu_output", "IT at PDU output"
    IT_INPUT = "it_input", "IT equipment input"
    COOLING = "cooling", "Cooling"
    OTHER = "other", "Lighting and other"
    RENEWABLE = "renewable", "On-site renewable generation"
    WATER = "water", "Water (litres)"


class Category(models.TextChoices):
    """PUE category: where E_IT is metered (The Green Grid / EN 50600-4-2). Category 0
    (demand-based peak kW at UPS output) is not offered: energy meters make it needless."""

    PUE1 = "PUE1", "Category 1: IT at UPS output"
    PUE2 = "PUE2", "Category 2: IT at PDU output"
    PUE3 = "PUE3", "Category 3: IT equipment input"


FACILITY_KINDS = (MeterKind.UTILITY, MeterKind.GENERATOR)
# Best first: the category stated with a figure is the best one whose meters report.
IT_KIND_BY_CATEGORY = {
    Category.PUE3: MeterKind.IT_INPUT,
    Category.PUE2: MeterKind.IT_PDU_OUTPUT,
    Category.PUE1: MeterKind.IT_UPS_OUTPUT,
}
ELECTRIC_KINDS = tuple(k for k in MeterKind if k != MeterKind.WATER)


class Meter(models.Model):
    """One measurement point: ``device`` + ``metric`` (+ ``component``) name its series.

    An energy counter (``*_joules_total``, or litres for water) is preferred: last − first,
    corrected for resets and wrap. A power series (watts, or litres per second) is
    integrated by the trapezoid rule without bridging gaps (``dcim.energy.integrate``).
    """

    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=16, choices=MeterKind.choices)
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="meters")
    room = models.ForeignKey(
        Room,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meters",
        help_text="Boundary: empty for the whole site, else the room it meters (pPUE).",
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text="The meter upstream of this one: a sub-meter is never counted with it.",
    )
    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="meters")
    metric = models.CharField(
        max_length=120,
        help_text="An energy counter (…_joules_total, …_liters_total) or power (…_watts).",
    )
    component = models.CharField(max_length=100, blank=True, help_text="E.g. inlet:I1.")
    counter_bits = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        choices=[(32, "32-bit"), (64, "64-bit")],
        help_text="Counter width, so a wrap is told from a reset. Empty: decreases are resets.",
    )
    enabled = models.BooleanField(default=True)
    description = models.CharField(max_length=200, blank=True)
    series_id = models.IntegerField(
        null=True, blank=True, editable=False, help_text="The store's series, once it exists."
    )
    history = HistoricalRecords(excluded_fields=["series_id"])

    class Meta:
        ordering = ("site", "kind", "name")
        constraints = [
            models.UniqueConstraint(
                fields=["device", "metric", "component"], name="energy_meter_unique_point"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        # The series is resolved again when what names it changes.
        if self.pk:
            old = Meter.objects.filter(pk=self.pk).values("device_id", "metric", "component")
            old = old.first()
            if old and (old["device_id"], old["metric"], old["component"]) != (
                self.device_id,
                self.metric,
                self.component,
            ):
                self.series_id = None
        super().save(*args, **kwargs)

    def clean(self) -> None:
        errors = {}
        if self.room_id and self.site_id and self.room.site_id != self.site_id:
            errors["room"] = "The room is in another site."
        if self.device_id and self.site_id and self.device.site_id != self.site_id:
            errors["device"] = "The device is in another site."
        water_metric = "liters" in self.metric
        if self.kind and (self.kind == MeterKind.WATER) != water_metric:
            errors["metric"] = (
                "A water meter reads litres (…_liters_total or …_liters_per_second)."
                if self.kind == MeterKind.WATER
                else "An electrical meter reads energy (…_joules_total) or power (…_watts)."
            )
        elif not water_metric and not self.metric.endswith(("_joules_total", "_watts")):
            errors["metric"] = "Energy (…_joules_total) or power (…_watts) only."
        if self.pk and self.parent_id:
            seen, up = {self.pk}, self.parent
            while up is not None:
                if up.pk in seen:
                    errors["parent"] = "A meter cannot sit under itself."
                    break
                seen.add(up.pk)
                up = up.parent
        if errors:
            raise ValidationError(errors)

    @property
    def is_counter(self) -> bool:
        return self.metric.endswith("_total")

    @property
    def is_water(self) -> bool:
        return self.kind == MeterKind.WATER


def counted_once(meters: Iterable[Meter]) -> list[Meter]:
    """The meters of a sum without those whose ancestor is also in it (a sub-meter's
    energy is already in its parent's)."""
    meters = list(meters)
    ids = {m.pk for m in meters}
    parent_of = dict(Meter.objects.values_list("pk", "parent_id"))
    kept = []
    for m in meters:
        up, skip = parent_of.get(m.pk), False
        while up is not None:
            if up in ids:
                skip = True
                break
            up = parent_of.get(up)
        if not skip:
            kept.append(m)
    return kept
