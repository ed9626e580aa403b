"""Admin for maintenance: Admins configure checklist templates and recurring schedules;
windows and work orders are here too (with their history), though Operators use the
Maintenance page. Calendar tokens can be revoked here."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from dcim.inventory.admin.base import HistoryAdmin
from dcim.inventory.models import Site
from dcim.maintenance.models import (
    Attachment,
    CalendarToken,
    ChecklistItem,
    ChecklistTemplate,
    ChecklistTemplateItem,
    MaintenanceWindow,
    Schedule,
    WorkOrder,
)

ASSETS = ("devices", "racks", "rooms", "power_panels", "power_feeds", "cooling_units")


class SiteTimeAdmin(HistoryAdmin):
    """Times typed in the form (first start, EXDATEs, window times) mean the site's wall
    clock: the site's zone is active while the form is read and shown."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        site = None
        if request.method == "POST" and request.POST.get("site", "").isdigit():
            site = Site.objects.filter(pk=request.POST["site"]).first()
        elif object_id and str(object_id).isdigit():
            obj = self.model.objects.filter(pk=object_id).select_related("site").first()
            site = obj.site if obj else None
        if site is None:
            return super().changeform_view(request, object_id, form_url, extra_context)
        with timezone.override(ZoneInfo(site.timezone)):
            return super().changeform_view(request, object_id, form_url, extra_context)


class TemplateItemInline(admin.TabularInline):
    model = ChecklistTemplateItem
    fields = ("position", "text", "kind", "unit")
    extra = 1


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(HistoryAdmin):
    list_display = ("name", "kind", "suggested_rrule", "duration_minutes")
    search_fields = ("name", "description")
    inlines = [TemplateItemInline]


@admin.register(Schedule)
class ScheduleAdmin(SiteTimeAdmin):
    list_display = ("title", "site", "kind", "rrule", "first_start", "lead_days", "enabled")
    list_filter = ("site", "kind", "enabled")
    search_fields = ("title", "rrule")
    autocomplete_fields = ASSETS
    fieldsets = (
        (None, {"fields": ("site", "title", "kind", "template", "enabled")}),
        (
            "Recurrence",
            {"fields": ("rrule", "first_start", "duration_minutes", "exdates", "lead_days")},
        ),
        ("Affected assets", {"fields": ASSETS}),
        ("Vendor", {"fields": ("vendor", "contact")}),
    )


class WorkOrderInline(admin.StackedInline):
    model = WorkOrder
    fields = ("assignee", "completed_by", "completed_at", "summary")
    extra = 0


@admin.register(MaintenanceWindow)
class MaintenanceWindowAdmin(SiteTimeAdmin):
    list_display = ("title", "site", "kind", "state", "starts_at", "ends_at", "schedule")
    list_filter = ("site", "kind", "state")
    search_fields = ("title", "vendor", "work_order_number")
    date_hierarchy = "starts_at"
    autocomplete_fields = ASSETS
    readonly_fields = ("schedule", "occurrence", "created_by", "created")
    inlines = [WorkOrderInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("site", "schedule")


class ChecklistItemInline(admin.TabularInline):
    model = ChecklistItem
    fields = ("position", "text", "kind", "unit", "result", "value", "note", "checked_by")
    extra = 0


class AttachmentInline(admin.TabularInline):
    model = Attachment
    fields = ("file", "content_type", "size", "description", "uploaded_by", "uploaded_at")
    readonly_fields = ("content_type", "size", "uploaded_at")
    extra = 0


@admin.register(WorkOrder)
class WorkOrderAdmin(HistoryAdmin):
    list_display = ("window", "assignee", "completed_by", "completed_at")
    search_fields = ("window__title",)
    inlines = [ChecklistItemInline, AttachmentInline]


@admin.register(CalendarToken)
class CalendarTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "hint", "created", "last_used", "revoked_at")
    readonly_fields = ("user", "hint", "created", "last_used")
    actions = ["revoke"]

    @admin.action(description="Revoke the selected calendar tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet) -> None:
        for token in queryset.filter(revoked_at__isnull=True):
            token.revoke()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # issued on the Maintenance page, where the secret is shown once
