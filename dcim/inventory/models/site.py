"""Where things are: site → room → row → rack."""

import zoneinfo

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from dcim.inventory.choices import Airflow, RackStatus, RoomKind


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"'{value}' is not an IANA time zone (for example Europe/Paris).")


class Site(models.Model):
    """A campus or building. Times on its pages show in its own time zone."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    address = models.TextField(blank=True)
    description = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Room(models.Model):
    """A data hall, room or cage. Racks sit on its grid (columns × rows of tiles)."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="rooms")
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=16, choices=RoomKind.choices, default=RoomKind.HALL)
    grid_columns = models.PositiveSmallIntegerField(
        default=20, validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    grid_rows = models.PositiveSmallIntegerField(
        default=10, validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    description = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["site", "name"]
        constraints = [
            models.UniqueConstraint(fields=["site", "name"], name="room_unique_name_per_site")
        ]

    def __str__(self) -> str:
        return f"{self.site} / {self.name}"


class Row(models.Model):
    """A row of racks in a room (often one hot/cold aisle pair)."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="rows")
    name = models.CharField(max_length=50)
    history = HistoricalRecords()

    class Meta:
        ordering = ["room", "name"]
        constraints = [
            models.UniqueConstraint(fields=["room", "name"], name="row_unique_name_per_room")
        ]

    def __str__(self) -> str:
        return f"{self.room.name} row {self.name}"


class Rack(models.Model):
    """A rack: U positions for devices, a power and a cooling budget, a place on the grid.

    Names are unique per room; the demo and imports use site-wide unique names (H1-A01).
    """

    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="racks")
    row = models.ForeignKey(
        Row, on_delete=models.SET_NULL, null=True, blank=True, related_name="racks"
    )
    name = models.CharField(max_length=100)
    status = models.CharField(max_length=16, choices=RackStatus.choices, default=RackStatus.ACTIVE)
    u_height = models.PositiveSmallIntegerField(
        "height (U)", default=42, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    grid_x = models.PositiveSmallIntegerField("grid column", null=True, blank=True)
    grid_y = models.PositiveSmallIntegerField("grid row", null=True, blank=True)
    power_budget_kw = models.DecimalField(
        "power budget (kW)",
        max_digits=7,
        decimal_places=2,
        default=10,
        validators=[MinValueValidator(0)],
    )
    cooling_budget_kw = models.DecimalField(
        "cooling budget (kW)",
        max_digits=7,
        decimal_places=2,
        default=10,
        validators=[MinValueValidator(0)],
    )
    max_weight_kg = models.PositiveIntegerField("max weight (kg)", null=True, blank=True)
    airflow = models.CharField(
        max_length=16, choices=Airflow.choices, default=Airflow.FRONT_TO_REAR
    )
    asset_tag = models.CharField(max_length=50, unique=True, null=True, blank=True)
    description = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["room", "name"]
        constraints = [
            models.UniqueConstraint(fields=["room", "name"], name="rack_unique_name_per_room"),
            # Two racks cannot stand on one tile; racks not yet placed (NULL) are exempt.
            models.UniqueConstraint(
                fields=["room", "grid_x", "grid_y"],
                condition=models.Q(grid_x__isnull=False, grid_y__isnull=False),
                name="rack_unique_tile_per_room",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        room = self.room if self.room_id else None
        if self.row_id and room and self.row.room_id != room.pk:
            errors["row"] = f"Row {self.row.name} is in {self.row.room}, not in room {room.name}."
        if (self.grid_x is None) != (self.grid_y is None):
            errors["grid_y" if self.grid_y is None else "grid_x"] = (
                "Give both the grid column and the grid row, or neither."
            )
        elif room and self.grid_x is not None:
            if self.grid_x >= room.grid_columns:
                errors["grid_x"] = (
                    f"Column {self.grid_x} is outside the room grid (0–{room.grid_columns - 1})."
                )
            if self.grid_y >= room.grid_rows:
                errors["grid_y"] = (
                    f"Row {self.grid_y} is outside the room grid (0–{room.grid_rows - 1})."
                )
        if self.pk and self.u_height:
            tallest = max(
                (d.position_u + d.device_type.u_height - 1 for d in self.placed_devices()),
                default=0,
            )
            if tallest > self.u_height:
                errors["u_height"] = (
                    f"Devices are mounted up to U{tallest}; the rack must be at least that tall."
                )
        if errors:
            raise ValidationError(errors)

    @property
    def site(self) -> Site:
        return self.room.site

    def placed_devices(self):
        return self.devices.filter(position_u__isnull=False).select_related("device_type")
