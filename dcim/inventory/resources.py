"""CSV import and export of racks and devices, with names in the file instead of ids.

Why names: the people who fill these files work from spreadsheets and floor plans, where a
device type is a slug and a rack is "H1-A01", never a database id. Each foreign key is looked
up by name within the scope the same row gives (a rack within the row's site, and within its
room when the room column is filled). A name matching nothing, or more than one object, is a
validation error on that column, never a traceback.

Every row goes through the model's full_clean() (clean_model_instances) against the database
as the earlier rows of the same file left it, so two rows overlapping each other in a rack
are caught too. A file with any bad row imports nothing (see InventoryResource.import_data).
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import QuerySet
from import_export import resources
from import_export.fields import Field
from import_export.widgets import CharWidget, ForeignKeyWidget

from dcim.inventory.models import Device, DeviceType, Rack, Room, Row, Site


class NameWidget(ForeignKeyWidget):
    """A foreign key given by name, looked up within the scope other columns of the row set.

    ``scope`` maps a queryset lookup to the column holding its value, for example
    ``{"room__site__name": "site"}``; an empty scope column widens the search rather than
    failing, and an ambiguous name says which column would narrow it.
    """

    def __init__(
        self,
        model: type[models.Model],
        field: str = "name",
        scope: dict[str, str] | None = None,
        narrow_with: str = "",
    ) -> None:
        super().__init__(model, field)
        self.scope = scope or {}
        self.narrow_with = narrow_with

    def _scope_values(self, row: dict[str, Any] | None) -> dict[str, str]:
        row = row or {}
        values = {
            lookup: str(row.get(column) or "").strip() for lookup, column in self.scope.items()
        }
        return {lookup: value for lookup, value in values.items() if value}

    def get_queryset(self, value: Any, row: dict[str, Any], *args: Any, **kwargs: Any) -> QuerySet:
        return self.model.objects.filter(**self._scope_values(row))

    def clean(self, value: Any, row: dict[str, Any] | None = None, **kwargs: Any):
        value = str(value).strip() if value is not None else ""
        if not value:
            return None
        opts = self.model._meta
        scoped = self._scope_values(row)
        where = ", ".join(f"{self.scope[lookup]} '{v}'" for lookup, v in scoped.items())
        where = f" in {where}" if where else ""
        try:
            return super().clean(value, row, **kwargs)
        except self.model.DoesNotExist:
            raise ValueError(f"No {opts.verbose_name} '{value}'{where}.") from None
        except self.model.MultipleObjectsReturned:
            hint = f": fill in the {self.narrow_with} column" if self.narrow_with else ""
            raise ValueError(
                f"Several {opts.verbose_name_plural} are named '{value}'{where}{hint}."
            ) from None


class BlankIsNullWidget(CharWidget):
    """Blank cells become NULL, for unique-but-optional columns where two "" would collide."""

    def clean(self, value: Any, row: dict[str, Any] | None = None, **kwargs: Any) -> str | None:
        return (super().clean(value, row, **kwargs) or "").strip() or None


def optional_unique_text(name: str) -> Field:
    return Field(attribute=name, column_name=name, widget=BlankIsNullWidget())


class InventoryResource(resources.ModelResource):
    """What every inventory import shares: model validation per row, all-or-nothing files."""

    class Meta:
        clean_model_instances = True
        use_transactions = True
        skip_unchanged = True
        report_skipped = True

    def import_data(self, dataset, *args: Any, **kwargs: Any):
        """Import inside one transaction, rolled back when any row is invalid.

        django-import-export keeps the valid rows of a partly invalid file by default; a half
        imported rack layout is worse than none, so validation errors always roll back.
        """
        kwargs["rollback_on_validation_errors"] = True
        return super().import_data(dataset, *args, **kwargs)

    def get_instance(self, instance_loader, row):
        """An unresolvable name in the key columns means "new row": import_instance() then
        reports that name on its own column instead of a traceback for the whole row."""
        try:
            return super().get_instance(instance_loader, row)
        except ValueError:
            return None


class RackResource(InventoryResource):
    """Racks keyed by (room, name): rack names are unique per room only."""

    site = Field(attribute="room__site__name", column_name="site", readonly=True)
    room = Field(
        attribute="room",
        column_name="room",
        widget=NameWidget(Room, scope={"site__name": "site"}, narrow_with="site"),
    )
    row = Field(
        attribute="row",
        column_name="row",
        widget=NameWidget(Row, scope={"room__site__name": "site", "room__name": "room"}),
    )
    asset_tag = optional_unique_text("asset_tag")

    class Meta:
        model = Rack
        fields = (
            "site",
            "room",
            "row",
            "name",
            "status",
            "u_height",
            "grid_x",
            "grid_y",
            "power_budget_kw",
            "cooling_budget_kw",
            "max_weight_kg",
            "airflow",
            "asset_tag",
            "description",
        )
        import_id_fields = ("room", "name")

    def get_queryset(self) -> QuerySet[Rack]:
        return super().get_queryset().select_related("room__site", "row__room")


class DeviceResource(InventoryResource):
    """Devices keyed by their (unique) name; type by slug, place by site/room/rack names."""

    device_type = Field(
        attribute="device_type",
        column_name="device_type",
        widget=NameWidget(DeviceType, field="slug"),
    )
    site = Field(attribute="site", column_name="site", widget=NameWidget(Site))
    room = Field(
        attribute="room",
        column_name="room",
        widget=NameWidget(Room, scope={"site__name": "site"}, narrow_with="site"),
    )
    rack = Field(
        attribute="rack",
        column_name="rack",
        widget=NameWidget(
            Rack, scope={"room__site__name": "site", "room__name": "room"}, narrow_with="room"
        ),
    )
    asset_tag = optional_unique_text("asset_tag")

    class Meta:
        model = Device
        fields = (
            "name",
            "device_type",
            "role",
            "status",
            "site",
            "room",
            "rack",
            "position_u",
            "face",
            "serial",
            "asset_tag",
            "purchase_date",
            "warranty_end",
            "management_address",
            "network_layer",
            "fabric",
            "comments",
        )
        import_id_fields = ("name",)

    def get_queryset(self) -> QuerySet[Device]:
        return super().get_queryset().select_related("device_type", "site", "room", "rack")

    def import_instance(self, instance: Device, row: dict[str, Any], **kwargs: Any) -> None:
        """A blank role takes the device type's default role (a PDU type makes PDUs)."""
        try:
            super().import_instance(instance, row, **kwargs)
        finally:
            if not instance.role and instance.device_type_id:
                instance.role = instance.device_type.default_role
