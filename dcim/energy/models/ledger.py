"""The energy ledger: hourly quantities per series, local days, and per-boundary hours.

Figures are never computed from raw samples on a page: the ledger holds each hour's energy
(kWh; litres for water) with the seconds its data covers, so a month is 720 rows per
series and a year of site PUE 8,760 boundary rows. ``dcim.energy.ledger`` keeps it current.
"""

from __future__ import annotations

from django.db import models

from dcim.inventory.models import Room, Site


class EnergyHour(models.Model):
    """One series' quantity in one UTC hour [hour, hour + 1 h): kWh for energy and power
    series, litres for water. ``covered_s`` is how much of the hour the data covers (a
    reset interval or an unbridged gap is not covered)."""

    pk = models.CompositePrimaryKey("series_id", "hour")
    series_id = models.IntegerField()
    hour = models.DateTimeField()
    quantity = models.FloatField()
    covered_s = models.FloatField()

    class Meta:
        indexes = [models.Index(fields=["hour"], name="energy_hour_hour")]

    def __str__(self) -> str:
        return f"series {self.series_id} {self.hour:%Y-%m-%d %H}:00 {self.quantity:.3f}"


class EnergyDay(models.Model):
    """One series' quantity in one local day of its site (23, 24 or 25 hours: ``span_s``),
    the sum of its ledger hours. Pages and attribution read days; edges read hours."""

    pk = models.CompositePrimaryKey("series_id", "day")
    series_id = models.IntegerField()
    day = models.DateField()
    quantity = models.FloatField()
    covered_s = models.FloatField()
    span_s = models.FloatField()

    def __str__(self) -> str:
        return f"series {self.series_id} {self.day} {self.quantity:.3f}"


class BoundaryHour(models.Model):
    """What a boundary (a site, or one room) used in one UTC hour, by meter kind, each
    sum counted once, with the smallest coverage among its meters.

    ``*_cov`` is the least covered fraction of the hour among the meters of that sum
    (1.0 = every meter covered the whole hour; null = no meter of that kind). PUE counts an
    hour only when the facility and the IT sums both covered it, so E_DC and E_IT are
    always over the same hours.
    """

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    room = models.ForeignKey(Room, on_delete=models.CASCADE, null=True, related_name="+")
    hour = models.DateTimeField()
    facility_kwh = models.FloatField(null=True)
    facility_cov = models.FloatField(null=True)
    it_ups_kwh = models.FloatField(null=True)
    it_ups_cov = models.FloatField(null=True)
    it_pdu_kwh = models.FloatField(null=True)
    it_pdu_cov = models.FloatField(null=True)
    it_input_kwh = models.FloatField(null=True)
    it_input_cov = models.FloatField(null=True)
    cooling_kwh = models.FloatField(null=True)
    cooling_cov = models.FloatField(null=True)
    other_kwh = models.FloatField(null=True)
    other_cov = models.FloatField(null=True)
    renewable_kwh = models.FloatField(null=True)
    renewable_cov = models.FloatField(null=True)
    water_l = models.FloatField(null=True)
    water_cov = models.FloatField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["site", "room", "hour"],
                nulls_distinct=False,
                name="energy_boundary_hour_unique",
            )
        ]
        indexes = [models.Index(fields=["site", "room", "hour"], name="energy_bhour_lookup")]

    def __str__(self) -> str:
        return f"{self.site_id}/{self.room_id or 'site'} {self.hour:%Y-%m-%d %H}:00"


class LedgerState(models.Model):
    """How far the ledger has been computed for one series: hours before ``complete_until``
    are final unless late data arrives (which marks them through ``dirty_from``)."""

    series_id = models.IntegerField(primary_key=True)
    complete_until = models.DateTimeField(null=True)
    dirty_from = models.DateTimeField(null=True)
    updated = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"series {self.series_id} until {self.complete_until}"
