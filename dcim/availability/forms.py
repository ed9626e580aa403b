"""Forms Operators use on the HA pages: record a failover, annotate a detected one,
record a drill with its timed steps and follow-up actions.

Times are entered in the site's wall-clock time: the views parse them under the site's
zone (``timezone.override``), as the pages show them.
"""

from __future__ import annotations

from django import forms
from django.forms import inlineformset_factory

from dcim.availability.models import (
    DrillRecord,
    DrillStepRun,
    Failover,
    FollowUpAction,
    Member,
)

LOCAL = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DURATION_HELP = "As HH:MM:SS, e.g. 00:05:00 for five minutes; blank when unknown."


def _review_link() -> forms.URLField:
    return forms.URLField(label="Post-incident review", required=False, assume_scheme="https")


class FailoverForm(forms.ModelForm):
    post_incident_url = _review_link()

    class Meta:
        model = Failover
        fields = [
            "group",
            "kind",
            "old_active",
            "new_active",
            "detected_at",
            "started_at",
            "restored_at",
            "cause",
            "impact",
            "data_loss",
            "notes",
            "post_incident_url",
        ]
        widgets = {f: LOCAL for f in ("detected_at", "started_at", "restored_at")}
        help_texts = {"data_loss": DURATION_HELP}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        members = Member.objects.select_related("device", "group").order_by("group__name")
        for name in ("old_active", "new_active"):
            self.fields[name].queryset = members


class AnnotateForm(forms.ModelForm):
    """What an Operator adds to a detected record; the detection's facts stay as read."""

    post_incident_url = _review_link()

    class Meta:
        model = Failover
        fields = ["kind", "started_at", "restored_at", "cause", "impact", "data_loss", "notes",
                  "post_incident_url"]  # fmt: skip
        widgets = {f: LOCAL for f in ("started_at", "restored_at")}
        help_texts = {"data_loss": DURATION_HELP}


class DrillForm(forms.ModelForm):
    class Meta:
        model = DrillRecord
        fields = ["plan", "started_at", "ended_at", "led_by", "outcome", "findings"]
        widgets = {"started_at": LOCAL, "ended_at": LOCAL}


StepRunFormSet = inlineformset_factory(
    DrillRecord,
    DrillStepRun,
    fields=["step", "started_at", "ended_at", "notes"],
    widgets={"started_at": LOCAL, "ended_at": LOCAL},
    extra=3,
    can_delete=False,
)
ActionFormSet = inlineformset_factory(
    DrillRecord,
    FollowUpAction,
    fields=["title", "owner", "due"],
    widgets={"due": forms.DateInput(attrs={"type": "date"})},
    extra=2,
    can_delete=False,
)
