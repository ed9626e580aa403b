"""Admin for energy: meters (with their ledger status, CSV import/export and a ledger
rebuild), carbon factors, tariffs with their bands, renewable certificates, and tenants
with their allocations. Every change is recorded with its author (simple_history).

The ledger tables (hours, days, boundary hours, states) are derived from the samples and
rebuilt from them, so they have no admin: an edit there would be overwritten by the next
run. Who may change what is the roles' business (``dcim.accounts.roles``): Admins edit,
Viewers and Operators hold view permissions only (and no admin access).
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from dcim.energy import ledger
from dcim.energy.alerting import SeriesStatus, series_status
from dcim.energy.models import (
    Allocation,
    CarbonFactor,
    Meter,
    RenewableCertificate,
    Tariff,
    TariffBand,
    Tenant,
)
from dcim.energy.resources import MeterResource
from dcim.energy.tasks import exclusive
from dcim.inventory.admin.base import HistoryAdmin, ImportExportHistoryAdmin
from dcim.ui.tables import DASH


class MeterChangeList(ChangeList):
    """The meter list: each shown meter's ledger status, read for the whole page in one
    query rather than one per row."""

    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)
        ids = [m.series_id for m in self.result_list if m.series_id is not None]
        status = series_status(ids, timezone.now()) if ids else {}
        for m in self.result_list:
            m.ledger_status = status.get(m.series_id)


@admin.register(Meter)
class MeterAdmin(ImportExportHistoryAdmin):
    resource_classes = [MeterResource]
    list_display = (
        "name",
        "kind",
        "site",
        "boundary",
        "parent",
        "device",
        "metric",
        "enabled",
        "series_found",
        "last_ledger_hour",
        "coverage_24h",
    )
    list_filter = ("site", "kind", "room", "enabled")
    search_fields = ("name", "metric", "component", "description", "device__name")
    autocomplete_fields = ("site", "room", "parent", "device")
    list_select_related = ("site", "room", "parent", "device")
    readonly_fields = ("series_id", "last_ledger_hour", "coverage_24h")
    fieldsets = (
        (None, {"fields": ("name", "kind", "enabled", "description")}),
        ("Where", {"fields": ("site", "room", "parent")}),
        ("Series", {"fields": ("device", "metric", "component", "counter_bits")}),
        ("Ledger", {"fields": ("series_id", "last_ledger_hour", "coverage_24h")}),
    )
    actions = ["rebuild_ledger"]

    def get_changelist(self, request: HttpRequest, **kwargs) -> type[ChangeList]:
        return MeterChangeList

    def _status(self, obj: Meter) -> SeriesStatus | None:
        if not hasattr(obj, "ledger_status"):  # the change form: one meter
            found = series_status([obj.series_id], timezone.now()) if obj.series_id else {}
            obj.ledger_status = found.get(obj.series_id)
        return obj.ledger_status

    @admin.display(description="boundary", ordering="room__name")
    def boundary(self, obj: Meter) -> str:
        return obj.room.name if obj.room_id else "site"

    @admin.display(description="series", boolean=True)
    def series_found(self, obj: Meter) -> bool:
        """The store has the series the meter names (found by the ledger's next run)."""
        return obj.series_id is not None

    @admin.display(description="last ledger hour (UTC)")
    def last_ledger_hour(self, obj: Meter) -> str:
        s = self._status(obj)
        return f"{s.last_hour:%Y-%m-%d %H:00}" if s else DASH

    @admin.display(description="coverage, last 24 h")
    def coverage_24h(self, obj: Meter) -> str:
        s = self._status(obj)
        return f"{s.coverage_24h:.0%}" if s and s.coverage_24h is not None else DASH

    @admin.action(description="Rebuild ledger for selected meters", permissions=["change"])
    def rebuild_ledger(self, request: HttpRequest, queryset: QuerySet[Meter]) -> None:
        """Recompute the selected meters' ledger from their samples (after a meter's
        definition or its history changed)."""
        ledger.resolve_meters()  # a meter whose series appeared since the last run
        meters = list(queryset.order_by("name"))  # read again: series ids just resolved
        skipped = [m.name for m in meters if not m.enabled]
        missing = [m.name for m in meters if m.enabled and m.series_id is None]
        ids = [m.series_id for m in meters if m.enabled and m.series_id is not None]
        if ids:
            with exclusive() as taken:
                if not taken:
                    self.message_user(
                        request,
                        "A ledger run is in progress: try again in a minute.",
                        messages.WARNING,
                    )
                    return
                report = ledger.rebuild(ids)
            self.message_user(
                request,
                f"Ledger rebuilt for {len(ids)} meter(s): {report.hours} hours, "
                f"{report.days} days, {report.boundary_hours} boundary hours.",
                messages.SUCCESS,
            )
        if missing:
            self.message_user(
                request,
                "No series in the store yet (check device, metric and component): "
                + ", ".join(missing),
                messages.WARNING,
            )
        if skipped:
            self.message_user(
                request, "Disabled, so not in the ledger: " + ", ".join(skipped), messages.WARNING
            )


@admin.register(CarbonFactor)
class CarbonFactorAdmin(HistoryAdmin):
    list_display = ("site", "valid_from", "kg_co2_per_kwh", "source")
    list_filter = ("site",)
    search_fields = ("site__name", "source")
    autocomplete_fields = ("site",)
    list_select_related = ("site",)
    date_hierarchy = "valid_from"


class TariffBandInline(admin.TabularInline):
    model = TariffBand
    fields = ("name", "weekdays", "start", "end", "price_per_kwh")
    extra = 0


@admin.register(Tariff)
class TariffAdmin(HistoryAdmin):
    list_display = ("name", "site", "valid_from", "currency", "price_per_kwh")
    list_filter = ("site", "currency")
    search_fields = ("name", "site__name")
    autocomplete_fields = ("site",)
    list_select_related = ("site",)
    inlines = [TariffBandInline]


@admin.register(RenewableCertificate)
class RenewableCertificateAdmin(HistoryAdmin):
    list_display = ("site", "start", "end", "kwh", "reference")
    list_filter = ("site",)
    search_fields = ("site__name", "reference")
    autocomplete_fields = ("site",)
    list_select_related = ("site",)


class AllocationInline(admin.TabularInline):
    model = Allocation
    fields = ("rack", "device", "gpu", "start", "end")
    autocomplete_fields = ("rack", "device", "gpu")
    extra = 0


@admin.register(Tenant)
class TenantAdmin(HistoryAdmin):
    list_display = ("name", "description")
    search_fields = ("name", "description")
    inlines = [AllocationInline]
