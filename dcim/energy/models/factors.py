"""Per-site factors a figure needs beyond the meters: carbon, tariffs, renewable certificates.

Each is dated, because they change: a grid's carbon factor is revised yearly, a tariff at a
contract renewal. A figure over a period uses the factor in force at each hour.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from dcim.inventory.models import Site

WEEKDAYS = "1234567"  # ISO: 1 = Monday


class CarbonFactor(models.Model):
    """The carbon emission factor (CEF, kg CO2eq per kWh) of a site's supply from
    ``valid_from`` until the next factor (ISO/IEC 30134-8: CUE = CEF × PUE)."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="carbon_factors")
    valid_from = models.DateTimeField()
    kg_co2_per_kwh = models.FloatField(
        "kg CO2eq per kWh", validators=[MinValueValidator(0), MaxValueValidator(2)]
    )
    source = models.CharField(max_length=200, blank=True, help_text="E.g. the grid operator.")
    history = HistoricalRecords()

    class Meta:
        ordering = ("site", "valid_from")
        constraints = [
            models.UniqueConstraint(
                fields=["site", "valid_from"], name="energy_carbon_factor_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.site} from {self.valid_from:%Y-%m-%d}: {self.kg_co2_per_kwh} kg/kWh"


class Tariff(models.Model):
    """A site's energy price from ``valid_from`` until the next tariff: a base price per
    kWh, and time-of-use bands that override it at their hours (site local time)."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="tariffs")
    name = models.CharField(max_length=100)
    valid_from = models.DateTimeField()
    currency = models.CharField(max_length=3, default="EUR", help_text="ISO 4217, e.g. EUR.")
    price_per_kwh = models.DecimalField(
        "base price per kWh", max_digits=10, decimal_places=5, validators=[MinValueValidator(0)]
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ("site", "valid_from")
        constraints = [
            models.UniqueConstraint(fields=["site", "valid_from"], name="energy_tariff_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.site}, from {self.valid_from:%Y-%m-%d})"

    def clean(self) -> None:
        if len(self.currency) != 3 or not self.currency.isalpha():
            raise ValidationError({"currency": "Three letters (ISO 4217), e.g. EUR."})
        self.currency = self.currency.upper()


class TariffBand(models.Model):
    """A time-of-use band: on ``weekdays`` (ISO digits, "12345" = Monday to Friday) from
    ``start`` to ``end`` local time (end ≤ start crosses midnight), this price applies."""

    tariff = models.ForeignKey(Tariff, on_delete=models.CASCADE, related_name="bands")
    name = models.CharField(max_length=50, help_text="E.g. peak, off-peak.")
    weekdays = models.CharField(max_length=7, default=WEEKDAYS)
    start = models.TimeField()
    end = models.TimeField()
    price_per_kwh = models.DecimalField(
        max_digits=10, decimal_places=5, validators=[MinValueValidator(0)]
    )

    class Meta:
        ordering = ("tariff", "start")

    def __str__(self) -> str:
        return f"{self.name} {self.start:%H:%M}–{self.end:%H:%M}"

    def clean(self) -> None:
        if not self.weekdays or any(c not in WEEKDAYS for c in self.weekdays):
            raise ValidationError({"weekdays": "ISO weekday digits 1–7, e.g. 12345."})
        if self.start.minute or self.end.minute or self.start.second or self.end.second:
            raise ValidationError({"start": "Bands start and end on the hour (the ledger's step)."})


class RenewableCertificate(models.Model):
    """Renewable energy bought for a period (guarantees of origin, PPAs), counted in REF
    with on-site generation (ISO/IEC 30134-3), pro rata to the part of the period a figure
    covers."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="certificates")
    start = models.DateField()
    end = models.DateField(help_text="Last day included.")
    kwh = models.FloatField("kWh", validators=[MinValueValidator(0)])
    reference = models.CharField(max_length=100, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ("site", "start")

    def __str__(self) -> str:
        return f"{self.site} {self.start}–{self.end}: {self.kwh:,.0f} kWh"

    def clean(self) -> None:
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": "The period ends before it starts."})
