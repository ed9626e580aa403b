"""Rules: what to watch, where, for how long, how bad it is, and what to say."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.template import TemplateSyntaxError

from dcim.alerts.catalog import is_known_metric
from dcim.alerts.models.choices import Condition, Reference, Severity, Source
from dcim.alerts.models.scope import PlaceScope
from dcim.alerts.summary_template import compile_summary, plain_rule, render_summary_text

NEEDS_THRESHOLD = {
    Condition.GT,
    Condition.GE,
    Condition.LT,
    Condition.LE,
    Condition.EQ,
    Condition.NE,
    Condition.OUTSIDE,
    Condition.RATE_GT,
}
COUNTER_CONDITIONS = {Condition.INCREASE, Condition.RATE_GT}
DEFAULT_TEMPLATE = "{{ rule.name }} on {{ subject }}: {{ value|floatformat:2 }}"


class Rule(PlaceScope):
    """One condition over a metric (or a collector's health), in a scope, for a duration.

    The subject of an alert is the device and component a reading belongs to (a GPU, a
    port, a PDU inlet), or the collection target for collector rules: one open alert per
    rule and subject. ``keep_firing_for_s`` is the hysteresis against flapping: a firing
    alert resolves only once its condition has been false that long.
    """

    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True, help_text="Why this matters, and its source.")
    enabled = models.BooleanField(default=True)
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.WARNING)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.METRIC)
    metric = models.CharField(max_length=120, blank=True, db_index=True)
    condition = models.CharField(max_length=10, choices=Condition.choices, default=Condition.GT)
    threshold = models.FloatField(
        null=True,
        blank=True,
        help_text="Collector rules: the number of consecutive failures (≥).",
    )
    threshold_high = models.FloatField(null=True, blank=True, help_text="Upper bound (outside).")
    values = models.CharField(
        max_length=200, blank=True, help_text='For "one of": comma-separated numbers, e.g. 48,79.'
    )
    reference = models.CharField(
        max_length=10, choices=Reference.choices, default=Reference.NONE, blank=True
    )
    reference_metric = models.CharField(
        max_length=120,
        blank=True,
        help_text="Sibling metric (same device and component) subtracted from the value.",
    )
    for_s = models.PositiveIntegerField(
        "for (s)",
        default=0,
        validators=[MaxValueValidator(86400)],
        help_text="The condition must hold this long before the alert fires (pending until).",
    )
    keep_firing_for_s = models.PositiveIntegerField(
        "keep firing for (s)",
        default=0,
        validators=[MaxValueValidator(86400)],
        help_text="Resolve only after the condition has been false this long (anti-flap).",
    )
    absent_for_s = models.PositiveIntegerField(
        "absent for (s)",
        default=600,
        validators=[MaxValueValidator(7 * 86400)],
        help_text="Absence rules: no data for this long fires.",
    )
    # Scope, beside PlaceScope's place and role: every field given must match.
    device = models.ForeignKey(
        "inventory.Device", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    gpu = models.ForeignKey(
        "inventory.GPU",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="GPU",
    )
    component = models.CharField(
        max_length=120,
        blank=True,
        help_text='Component pattern, shell-style: "gpu*", "if:Eth1/*", "sensor:Rack inlet".',
    )
    labels = models.JSONField(default=dict, blank=True, help_text="Extra labels for routing.")
    summary_template = models.TextField(
        default=DEFAULT_TEMPLATE,
        help_text="Django template. Context: rule, subject, value, threshold, device, "
        "component, labels.",
    )
    builtin = models.BooleanField(default=False, editable=False)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def value_list(self) -> list[float]:
        return [float(v) for v in self.values.replace(" ", "").split(",") if v]

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.source == Source.METRIC:
            if not self.metric:
                errors["metric"] = "A metric rule names a metric."
            elif not is_known_metric(self.metric):
                errors["metric"] = (
                    f"Unknown metric {self.metric!r}: no collector produces it and the store "
                    "has no series of that name. Check the spelling (e.g. gpu_temperature_celsius)."
                )
        elif self.threshold is None:
            errors["threshold"] = "A collector rule needs the number of consecutive failures."
        if self.source == Source.METRIC:
            errors.update(self._condition_errors())
        if self.gpu_id and self.device_id and self.gpu.device_id != self.device_id:
            errors["gpu"] = "This GPU is not in the device chosen."
        errors.update(self._template_errors())
        if errors:
            raise ValidationError(errors)

    def _condition_errors(self) -> dict[str, str]:
        errors = {}
        if self.condition in NEEDS_THRESHOLD and self.threshold is None:
            errors["threshold"] = f'"{self.get_condition_display()}" needs a threshold.'
        if self.condition == Condition.OUTSIDE and (
            self.threshold_high is None
            or (self.threshold is not None and self.threshold_high <= self.threshold)
        ):
            errors["threshold_high"] = "Outside a range needs an upper bound above the threshold."
        if self.condition == Condition.IN:
            try:
                if not self.value_list():
                    errors["values"] = "List at least one value."
            except ValueError:
                errors["values"] = "Values must be numbers separated by commas."
        if self.reference == Reference.SIBLING:
            if not self.reference_metric:
                errors["reference_metric"] = "Name the sibling metric to compare against."
            elif not is_known_metric(self.reference_metric):
                errors["reference_metric"] = f"Unknown metric {self.reference_metric!r}."
        if self.reference and self.condition in (*COUNTER_CONDITIONS, Condition.ABSENT):
            errors["reference"] = "Counters and absence rules take no reference."
        return errors

    def _template_errors(self) -> dict[str, str]:
        """Render the template with a sample context: a typo is refused here, not at 3 am."""
        try:
            render_summary_text(compile_summary(self.summary_template), sample_context(self))
        except TemplateSyntaxError as exc:
            return {"summary_template": f"Template error: {exc}"}
        except Exception as exc:  # a filter that raises on the sample value
            return {"summary_template": f"Template fails on a sample alert: {exc}"}
        return {}


def sample_context(rule: Rule) -> dict:
    """What a summary template sees, with plausible values (admin validation, previews).
    ``shown`` is the value as pages show it (``dcim.alerts.values``: "down", "14 min")."""
    return {
        "rule": plain_rule(rule),
        "subject": "gpu-01 gpu0",
        "value": 42.0,
        "shown": "42",
        "threshold": rule.threshold,
        "device": "gpu-01",
        "component": "gpu0",
        "labels": dict(rule.labels or {}),
    }
