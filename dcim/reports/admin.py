"""Admin for reports: subscriptions (with their change history) and the deliveries, read
only, with every attempt: the record of what was sent to whom."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from dcim.inventory.admin.base import HistoryAdmin
from dcim.reports.models import Attempt, Delivery, Subscription


@admin.register(Subscription)
class SubscriptionAdmin(HistoryAdmin):
    list_display = ("name", "report", "site", "rule", "enabled", "next_run_at")
    list_filter = ("report", "site", "enabled")
    search_fields = ("name", "addresses")
    filter_horizontal = ("users", "groups")
    readonly_fields = ("next_run_at", "last_occurrence_at", "created_by", "created_at")


class AttemptInline(admin.TabularInline):
    model = Attempt
    extra = 0
    can_delete = False
    readonly_fields = ("number", "at", "result", "error", "size_bytes")

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "report", "site", "trigger", "status", "size_bytes")
    list_filter = ("report", "status", "trigger", "site")
    inlines = [AttemptInline]
    readonly_fields = [f.name for f in Delivery._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
