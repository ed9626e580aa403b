"""Forms of the operator actions: acknowledge, silence, and the history filters."""

from __future__ import annotations

from django import forms

from dcim.alerts.models import Rule, Severity, State
from dcim.ui.bad_input import storable_time

DURATIONS = [
    (1, "1 hour"),
    (4, "4 hours"),
    (12, "12 hours"),
    (24, "1 day"),
    (72, "3 days"),
    (168, "1 week"),
]


class AckForm(forms.Form):
    comment = forms.CharField(max_length=500, required=False)
    undo = forms.BooleanField(required=False)


class SilenceForm(forms.Form):
    hours = forms.TypedChoiceField(choices=DURATIONS, coerce=int, initial=4)
    reason = forms.CharField(max_length=500)
    scope = forms.ChoiceField(
        choices=[("subject", "this rule on this subject"), ("device", "every rule on this device")],
        initial="subject",
    )


class HistoryFilter(forms.Form):
    state = forms.ChoiceField(choices=[("", "any state"), *State.choices], required=False)
    severity = forms.ChoiceField(choices=[("", "any severity"), *Severity.choices], required=False)
    rule = forms.ModelChoiceField(Rule.objects.all(), required=False, empty_label="any rule")
    # Typed in ISO form in the site's time (the view parses it in that zone): a
    # datetime-local input shows the browser's locale, mm/dd/yyyy in en-US.
    since = forms.DateTimeField(
        required=False,
        widget=forms.DateTimeInput(
            format="%Y-%m-%d %H:%M",
            attrs={
                "placeholder": "YYYY-MM-DD HH:MM",
                "pattern": r"\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2})?)?",
                "size": 16,
                "aria-label": "Since (site time, YYYY-MM-DD HH:MM)",
            },
        ),
    )

    def clean_since(self):
        """A time no query can use (an offset no zone has, year 1 east of Greenwich) is a
        form error, not a database error; a good one is compared in UTC."""
        since = self.cleaned_data["since"]
        if since is None:
            return since
        try:
            return storable_time(since)
        except ValueError as exc:
            raise forms.ValidationError(f"{str(exc).capitalize()}.") from None
