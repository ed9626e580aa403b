"""The store's own models: the series registry and the rollup watermark. They belong to
the ``telemetry`` app (``telemetry.models`` imports them so that Django finds them), but
live here so that the store stays a leaf that imports nothing else of the product.

The series registry, as Django models. The time-series tables themselves (samples,
rollups, latest values) are partitioned or array-valued and are created by RunSQL in the
migrations; only telemetry.store reads or writes any of them.
"""

from django.db import models


class SeriesSet(models.Model):
    """A group of up to 128 series of one device stored side by side in one wide row.

    A set is created for the new series of a schema (what one collector reports about one
    device) and never changes width afterwards, so its rows have a fixed layout.
    """

    id = models.AutoField(primary_key=True)  # int4: the samples' set_id column
    device_id = models.IntegerField(null=True, db_index=True)
    width = models.PositiveSmallIntegerField()
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "telemetry_seriesset"

    def __str__(self) -> str:
        return f"set {self.pk} (device {self.device_id}, {self.width} series)"


class Series(models.Model):
    """One time series: device, component, metric, unit, labels.

    ``id`` is ``set_id * 256 + slot`` (slot is 1-based, the PostgreSQL array index), so a
    value's series is known from its row and position without a join. ``device_id`` is a
    plain integer, not a foreign key: telemetry of a device deleted from the inventory stays
    readable (and billable).
    """

    id = models.BigIntegerField(primary_key=True)
    series_set = models.ForeignKey(SeriesSet, on_delete=models.PROTECT, db_column="set_id")
    slot = models.PositiveSmallIntegerField()
    device_id = models.IntegerField(null=True, db_index=True)
    component = models.CharField(max_length=100, blank=True)
    metric = models.CharField(max_length=100, db_index=True)
    unit = models.CharField(max_length=40, blank=True)
    labels = models.JSONField(default=dict, blank=True)
    labels_key = models.TextField(default="{}")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "telemetry_series"
        verbose_name_plural = "series"
        constraints = [
            models.UniqueConstraint(
                fields=["device_id", "component", "metric", "unit", "labels_key"],
                name="telemetry_series_unique_key",
                nulls_distinct=False,
            )
        ]

    def __str__(self) -> str:
        where = f"device {self.device_id}" + (f" {self.component}" if self.component else "")
        return f"{self.metric} [{where}]"

    @property
    def is_counter(self) -> bool:
        return self.metric.endswith("_total")


class RollupState(models.Model):
    """One row: rollups are complete for every bucket that ends before ``rolled_until``.

    ``rolling_from`` is set while the range [rolling_from, rolled_until) is being rolled up
    and cleared when that commits, so a job that died half-way is redone by the next run.
    Buckets before the watermark are final until ``generation`` moves.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    rolled_until = models.DateTimeField(null=True)
    rolling_from = models.DateTimeField(null=True)
    # Bumped whenever rollup rows behind the watermark change (late data re-rolled,
    # partitions dropped): readers that cache closed buckets drop them when it moves.
    generation = models.BigIntegerField(db_default=0)

    class Meta:
        db_table = "telemetry_rollupstate"

    def __str__(self) -> str:
        return f"rollups complete until {self.rolled_until}"


__all__ = ["RollupState", "Series", "SeriesSet"]
