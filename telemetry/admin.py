"""Admin for collection targets: edit what is polled, see how each target is doing."""

from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html

from telemetry.models import CollectionTarget, DeadLetter, TargetFlip


class TargetFlipInline(admin.TabularInline):
    model = TargetFlip
    extra = 0
    can_delete = False
    fields = ("at", "up", "error")
    readonly_fields = fields
    ordering = ("-at",)
    max_num = 0
    verbose_name_plural = "up/down history"

    def get_queryset(self, request):
        return super().get_queryset(request).order_by("-at")


@admin.register(CollectionTarget)
class CollectionTargetAdmin(admin.ModelAdmin):
    list_display = (
        "device",
        "protocol",
        "endpoint",
        "profile",
        "interval_s",
        "enabled",
        "state_badge",
        "last_success_at",
        "last_latency_ms",
        "consecutive_failures",
        "short_error",
    )
    list_filter = ("protocol", "enabled", ("last_error_at", admin.EmptyFieldListFilter))
    search_fields = ("device__name", "address", "profile", "last_error")
    list_select_related = ("device",)
    autocomplete_fields = ("device", "credential")
    actions = ("enable", "disable", "poll_now")
    inlines = (TargetFlipInline,)
    fieldsets = (
        (None, {"fields": ("device", "protocol", "address", "port", "credential", "profile")}),
        ("Schedule", {"fields": ("enabled", "interval_s", "timeout_s", "retries", "next_poll_at")}),
        (
            "Health",
            {
                "fields": (
                    "last_poll_at",
                    "last_success_at",
                    "last_error_at",
                    "last_error",
                    "last_latency_ms",
                    "last_values",
                    "consecutive_failures",
                    "last_skipped",
                    "last_report",
                )
            },
        ),
    )
    readonly_fields = (
        "next_poll_at",
        "last_poll_at",
        "last_success_at",
        "last_error_at",
        "last_error",
        "last_latency_ms",
        "last_values",
        "consecutive_failures",
        "last_skipped",
        "last_report",
    )

    @admin.display(description="state")
    def state_badge(self, obj: CollectionTarget) -> str:
        return format_html('<span class="target-{}">{}</span>', obj.state, obj.state)

    @admin.display(description="last error")
    def short_error(self, obj: CollectionTarget) -> str:
        return (obj.last_error[:80] + "…") if len(obj.last_error) > 80 else obj.last_error

    @admin.action(description="Enable selected targets", permissions=["change"])
    def enable(self, request, queryset):
        self.message_user(request, f"{queryset.update(enabled=True)} target(s) enabled.")

    @admin.action(description="Disable selected targets", permissions=["change"])
    def disable(self, request, queryset):
        self.message_user(request, f"{queryset.update(enabled=False)} target(s) disabled.")

    @admin.action(description="Poll at the next dispatch", permissions=["change"])
    def poll_now(self, request, queryset):
        n = queryset.update(next_poll_at=timezone.now())
        self.message_user(request, f"{n} target(s) will be polled within seconds.")


@admin.register(DeadLetter)
class DeadLetterAdmin(admin.ModelAdmin):
    """Messages given up on (telemetry.dead_letters): read-only evidence for an Admin.
    Every app's tasks are guarded (the Celery app's default task class), so letters of
    alerts, reports, energy ... land here too; the task id matches the worker's log."""

    list_display = ("at", "task", "task_id", "reason", "attempts", "short_error")
    list_filter = ("reason", "task")
    search_fields = ("task", "task_id", "error")
    date_hierarchy = "at"
    readonly_fields = ("at", "task", "task_id", "reason", "attempts", "error", "payload")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="error")
    def short_error(self, obj: DeadLetter) -> str:
        return obj.error[:120]
