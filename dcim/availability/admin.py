"""Admin for availability: redundancy groups with their members, member state rows,
failover records, webhook sources (a new token is shown once, on save), DR plans with
their steps and schedule, drills with their timed steps and follow-up actions. Every
change is recorded with its author (simple_history)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.http import HttpRequest

from dcim.availability.models import (
    DrillRecord,
    DrillSchedule,
    DrillStepRun,
    DRPlan,
    DRStep,
    Failover,
    FollowUpAction,
    Member,
    MemberStateChange,
    RedundancyGroup,
    WebhookSource,
)
from dcim.inventory.admin.base import HistoryAdmin


class MemberInline(admin.TabularInline):
    model = Member
    extra = 0
    autocomplete_fields = ["device"]


@admin.register(RedundancyGroup)
class RedundancyGroupAdmin(HistoryAdmin):
    list_display = ("name", "kind", "site", "may_fail", "rto", "rpo", "member_count")
    list_filter = ("kind", "site")
    search_fields = ("name", "members__device__name")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [MemberInline]

    @admin.display(description="members")
    def member_count(self, obj: RedundancyGroup) -> int:
        return obj.members.count()


@admin.register(MemberStateChange)
class MemberStateChangeAdmin(admin.ModelAdmin):
    """State rows are corrected here (a wrong detection, a late manual entry): figures
    are recomputed from them on every read."""

    list_display = ("at", "member", "state", "source")
    list_filter = ("state", "member__group")
    date_hierarchy = "at"
    list_select_related = ("member__device", "member__group")
    raw_id_fields = ("member",)


@admin.register(Failover)
class FailoverAdmin(HistoryAdmin):
    list_display = (
        "detected_at", "group", "kind", "old_active", "new_active", "source", "rto_met",
        "rpo_met", "annotated_by",
    )  # fmt: skip
    list_filter = ("kind", "source", "group")
    date_hierarchy = "detected_at"
    search_fields = ("cause", "impact", "notes", "group__name")
    raw_id_fields = ("old_active", "new_active")
    readonly_fields = ("dedup_key", "annotated_at")
    list_select_related = ("group", "old_active__device", "new_active__device", "annotated_by")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    @admin.display(boolean=True, description="RTO met")
    def rto_met(self, obj: Failover) -> bool | None:
        return obj.rto_met

    @admin.display(boolean=True, description="RPO met")
    def rpo_met(self, obj: Failover) -> bool | None:
        return obj.rpo_met


class WebhookSourceForm(forms.ModelForm):
    new_token = forms.BooleanField(required=False, label="Issue a new token (shown once)")

    class Meta:
        model = WebhookSource
        fields = ["name", "group", "kind", "enabled"]


@admin.register(WebhookSource)
class WebhookSourceAdmin(HistoryAdmin):
    """A new source gets a token on save, shown once in the message; tick "new token" to
    replace a lost or leaked one (the old one stops working at once)."""

    list_display = ("name", "group", "kind", "enabled", "last_used")
    list_filter = ("kind", "enabled")
    readonly_fields = ("last_used",)
    form = WebhookSourceForm

    def save_model(self, request: HttpRequest, obj: WebhookSource, form, change: bool) -> None:
        token = None
        if not change or form.cleaned_data.get("new_token") or not obj.token_sha256:
            token = obj.new_token()
        super().save_model(request, obj, form, change)
        if token:
            messages.warning(
                request,
                f"Token for {obj.name} (shown once, only its hash is kept): {token} — "
                f"send it as 'Authorization: Bearer <token>' to /ha/webhook/{obj.name}/",
            )


class DRStepInline(admin.TabularInline):
    model = DRStep
    extra = 1


class DrillScheduleInline(admin.StackedInline):
    model = DrillSchedule
    extra = 0
    max_num = 1


@admin.register(DRPlan)
class DRPlanAdmin(HistoryAdmin):
    list_display = ("name", "site", "rto", "rpo")
    filter_horizontal = ("groups",)
    inlines = [DRStepInline, DrillScheduleInline]


class DrillStepRunInline(admin.TabularInline):
    model = DrillStepRun
    extra = 0


class FollowUpActionInline(admin.TabularInline):
    model = FollowUpAction
    extra = 0


@admin.register(DrillRecord)
class DrillRecordAdmin(HistoryAdmin):
    list_display = ("plan", "started_at", "led_by", "outcome")
    list_filter = ("outcome", "plan")
    date_hierarchy = "started_at"
    inlines = [DrillStepRunInline, FollowUpActionInline]


@admin.register(FollowUpAction)
class FollowUpActionAdmin(HistoryAdmin):
    list_display = ("title", "owner", "due", "done_at", "drill")
    list_filter = ("done_at",)
    search_fields = ("title", "owner")
