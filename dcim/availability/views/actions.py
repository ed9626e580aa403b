"""What Operators do on the HA pages: record a failover, annotate a detected one, record
a drill, mark a follow-up action done.

Every action checks the Operator's permission on this app first, for GET as well as POST
(a Viewer gets 403, not a form it cannot send); POSTs carry CSRF. Invalid input shows
the form again with its errors and writes nothing (a drill and its steps and actions are
saved in one transaction).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from dcim.availability.forms import (
    ActionFormSet,
    AnnotateForm,
    DrillForm,
    FailoverForm,
    StepRunFormSet,
)
from dcim.availability.models import DRPlan, Failover, FollowUpAction, RedundancyGroup
from dcim.inventory.models import Site
from dcim.ui.json_twin import fleet_tz
from dcim.ui.sites import first_site


def _require(request: HttpRequest, perm: str, what: str) -> None:
    if not request.user.has_perm(f"availability.{perm}"):
        raise PermissionDenied(f"{what} needs the Operator role.")


def _zone(site: Site | None) -> ZoneInfo:
    return ZoneInfo(site.timezone) if site else fleet_tz()


@require_http_methods(["GET", "POST"])
def failover_new(request: HttpRequest) -> HttpResponse:
    _require(request, "add_failover", "Recording a failover")
    group = (
        RedundancyGroup.objects.select_related("site")
        .filter(slug=request.GET.get("group", ""))
        .first()
    )
    tz = _zone(group.site if group else first_site())
    with timezone.override(tz):
        form = FailoverForm(request.POST or None, initial={"group": group} if group else None)
        if request.method == "POST" and form.is_valid():
            failover = form.save(commit=False)
            failover.annotated_by = request.user
            failover.annotated_at = timezone.now()
            failover.save()
            messages.success(request, f"Recorded: {failover}.")
            return redirect("availability:failover", failover.pk)
        return render(request, "availability/failover_form.html", {"form": form, "tz": tz})


@require_http_methods(["GET", "POST"])
def failover_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The record, readable by all; Operators annotate it here (POST)."""
    failover = get_object_or_404(
        Failover.objects.select_related("group__site", "old_active__device", "new_active__device"),
        pk=pk,
    )
    can_act = request.user.has_perm("availability.change_failover")
    if request.method == "POST":
        _require(request, "change_failover", "Annotating a failover")
    tz = ZoneInfo(failover.group.site.timezone)
    with timezone.override(tz):
        form = AnnotateForm(request.POST or None, instance=failover) if can_act else None
        if request.method == "POST" and form.is_valid():
            failover = form.save(commit=False)
            failover.annotated_by = request.user
            failover.annotated_at = timezone.now()
            failover.save()
            messages.success(request, "Annotation saved.")
            return redirect("availability:failover", failover.pk)
        return render(
            request,
            "availability/failover.html",
            {"failover": failover, "form": form, "tz": tz, "can_act": can_act},
        )


@require_http_methods(["GET", "POST"])
def drill_new(request: HttpRequest) -> HttpResponse:
    _require(request, "add_drillrecord", "Recording a drill")
    plan = DRPlan.objects.select_related("site").filter(pk=request.GET.get("plan") or 0).first()
    tz = _zone(plan.site if plan else first_site())
    with timezone.override(tz):
        data = request.POST or None
        form = DrillForm(data, initial={"plan": plan} if plan else None)
        steps = StepRunFormSet(data, prefix="steps")
        actions = ActionFormSet(data, prefix="actions")
        if plan is not None:
            for f in steps.forms:
                f.fields["step"].queryset = plan.steps.all()
        if request.method == "POST" and form.is_valid() and steps.is_valid() and actions.is_valid():
            with transaction.atomic():
                drill = form.save(commit=False)
                drill.recorded_by = request.user
                drill.save()
                steps.instance = actions.instance = drill
                steps.save()
                actions.save()
            messages.success(request, f"Drill recorded: {drill}.")
            return redirect("availability:plan", drill.plan_id)
        return render(
            request,
            "availability/drill_form.html",
            {"form": form, "steps": steps, "actions": actions, "tz": tz, "plan": plan},
        )


@require_POST
def action_done(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "change_followupaction", "Closing a follow-up action")
    action = get_object_or_404(FollowUpAction.objects.select_related("drill"), pk=pk)
    if action.done_at is None:
        action.done_at = timezone.now()
        action.save(update_fields=["done_at"])
        messages.success(request, f"Done: {action.title}.")
    return redirect("availability:plan", action.drill.plan_id)
