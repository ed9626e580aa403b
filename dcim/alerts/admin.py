"""Admin: rules (validated: unknown metrics and broken templates are refused; each says how
many devices report its metric), alerts read-mostly with their history, silences, channels
(secrets never echoed) and routes."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.views.main import ChangeList

from dcim.alerts.models import (
    Alert,
    AlertEvent,
    Channel,
    Notification,
    Route,
    Rule,
    Silence,
    Source,
)
from telemetry import store


class RuleChangeList(ChangeList):
    """The rule list: the devices reporting each shown rule's metric, counted for the whole
    page in one statement rather than one per row."""

    def get_results(self, request) -> None:
        super().get_results(request)
        counts = store.reporting_devices(r.metric for r in self.result_list if r.metric)
        for r in self.result_list:
            r.reporting_count = counts.get(r.metric, 0)


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "severity",
        "source",
        "metric",
        "condition",
        "threshold",
        "for_s",
        "enabled",
        "builtin",
        "reporting",
    )
    list_filter = ("severity", "source", "enabled", "builtin", "condition")
    readonly_fields = ("reporting",)
    search_fields = ("name", "metric", "description")
    fieldsets = (
        (None, {"fields": ("name", "description", "enabled", "severity")}),
        (
            "Condition",
            {
                "fields": (
                    "source",
                    "metric",
                    "reporting",
                    "condition",
                    "threshold",
                    "threshold_high",
                    "values",
                    "reference",
                    "reference_metric",
                )
            },
        ),
        ("Timing", {"fields": ("for_s", "keep_firing_for_s", "absent_for_s")}),
        (
            "Scope (empty = everywhere)",
            {"fields": ("site", "room", "rack", "device_role", "device", "gpu", "component")},
        ),
        ("Message", {"fields": ("labels", "summary_template")}),
    )
    autocomplete_fields = ()
    raw_id_fields = ("device", "gpu")

    def get_changelist(self, request, **kwargs) -> type[ChangeList]:
        return RuleChangeList

    @admin.display(description="Reporting devices")
    def reporting(self, obj: Rule) -> str:
        """A rule on a metric nothing reports never fires, and nobody would notice: say so.
        Counted over every device (the rule's scope and component not applied)."""
        if obj.source != Source.METRIC or not obj.metric:
            return "—"  # collector rules watch collection targets, not a metric
        n = getattr(obj, "reporting_count", None)
        if n is None:  # the change form: one rule
            n = store.reporting_devices([obj.metric]).get(obj.metric, 0)
        if not n:
            return f"0 — no device reports {obj.metric}"
        return f"{n} device{'' if n == 1 else 's'}"


class AlertEventInline(admin.TabularInline):
    model = AlertEvent
    extra = 0
    can_delete = False
    fields = ("at", "kind", "value", "user", "note")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class NotificationInline(admin.TabularInline):
    model = Notification
    extra = 0
    can_delete = False
    fields = ("created_at", "kind", "channel", "status", "attempts", "reason", "error")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = (
        "rule",
        "subject_label",
        "state",
        "severity",
        "value",
        "started_at",
        "fired_at",
        "resolved_at",
        "acknowledged_at",
    )
    list_filter = ("state", "severity", "rule")
    search_fields = ("subject_label", "rule__name", "summary")
    date_hierarchy = "started_at"
    inlines = [AlertEventInline, NotificationInline]
    fields = (
        "rule",
        "subject_label",
        "subject_key",
        "device",
        "component",
        "target",
        "state",
        "severity",
        "value",
        "value_at",
        "started_at",
        "fired_at",
        "resolved_at",
        "cleared_since",
        "summary",
        "labels",
        "acknowledged_at",
        "acknowledged_by",
        "ack_comment",
        "last_notified_at",
    )
    readonly_fields = tuple(f for f in fields if f != "ack_comment")

    def has_add_permission(self, request) -> bool:
        return False  # alerts come from rules, not from people


@admin.register(Silence)
class SilenceAdmin(admin.ModelAdmin):
    list_display = ("__str__", "starts_at", "ends_at", "created_by", "reason")
    search_fields = ("reason",)
    readonly_fields = ("created_by", "created_at")

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


class ChannelForm(forms.ModelForm):
    """The secret header value is write-only: blank keeps the stored one."""

    header_value = forms.CharField(
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="Stored encrypted; never shown. Leave blank to keep the current value.",
    )
    clear_header_value = forms.BooleanField(required=False, label="Remove the stored secret")
    webhook_url = forms.URLField(
        label="webhook URL", max_length=500, required=False, assume_scheme="https"
    )

    class Meta:
        model = Channel
        fields = (
            "name",
            "kind",
            "enabled",
            "email_to",
            "webhook_url",
            "header_name",
            "header_value",
            "timeout_s",
            "max_retries",
        )

    def clean_header_value(self) -> str:
        value = self.cleaned_data.get("header_value") or ""
        if not value and self.instance.pk and not self.data.get("clear_header_value"):
            return Channel.objects.get(pk=self.instance.pk).header_value
        return value


class RouteInline(admin.TabularInline):
    model = Route
    extra = 0
    fields = (
        "enabled",
        "min_severity",
        "site",
        "room",
        "rack",
        "device_role",
        "rule",
        "repeat_interval_s",
        "send_resolved",
    )


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    form = ChannelForm
    list_display = ("name", "kind", "enabled", "email_to", "webhook_url", "has_secret")
    inlines = [RouteInline]

    @admin.display(boolean=True, description="secret header")
    def has_secret(self, obj: Channel) -> bool:
        return bool(obj.header_value)


@admin.register(Route)
class RouteAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "min_severity",
        "site",
        "rack",
        "device_role",
        "rule",
        "repeat_interval_s",
        "enabled",
    )
    list_filter = ("min_severity", "enabled")
