"""Tenants and what they hold: racks, devices or single GPUs, over dated allocations.

Attribution follows the allocation in force at each hour, so a rack that changes hands
mid-month is charged to each tenant for its own hours.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from dcim.inventory.models import GPU, Device, Rack


class Tenant(models.Model):
    name = models.CharField(max_length=100, unique=True)
    description = models.CharField(max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class Allocation(models.Model):
    """A tenant holds one rack, one device or one GPU from ``start`` until ``end`` (open
    when empty). A rack's energy is its PDUs'; a device's its own power meters' or, for a
    GPU server, its GPUs'; a GPU's its NVML energy counter's."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="allocations")
    rack = models.ForeignKey(Rack, on_delete=models.CASCADE, null=True, blank=True)
    device = models.ForeignKey(Device, on_delete=models.CASCADE, null=True, blank=True)
    gpu = models.ForeignKey(GPU, on_delete=models.CASCADE, null=True, blank=True)
    start = models.DateTimeField()
    end = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ("tenant", "start")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(rack__isnull=False, device__isnull=True, gpu__isnull=True)
                    | models.Q(rack__isnull=True, device__isnull=False, gpu__isnull=True)
                    | models.Q(rack__isnull=True, device__isnull=True, gpu__isnull=False)
                ),
                name="energy_allocation_one_holding",
            )
        ]

    def __str__(self) -> str:
        return f"{self.tenant}: {self.holding}"

    @property
    def holding(self) -> object:
        return self.rack or self.device or self.gpu

    def clean(self) -> None:
        if sum(x is not None for x in (self.rack_id, self.device_id, self.gpu_id)) != 1:
            raise ValidationError("Allocate exactly one rack, device or GPU.")
        if self.end and self.start and self.end <= self.start:
            raise ValidationError({"end": "The allocation ends before it starts."})
