"""The subscription form of the Reports page (Admins and Operators)."""

from __future__ import annotations

from django import forms

from dcim.reports.models import Subscription


class SubscriptionForm(forms.ModelForm):
    class Meta:
        model = Subscription
        fields = ["name", "report", "site", "users", "groups", "addresses", "rule", "starts_on"]
        widgets = {
            "addresses": forms.Textarea(attrs={"rows": 2}),
            "starts_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rule"].required = False
        self.fields["rule"].help_text += " Empty: the report's usual schedule."

    def clean(self):
        data = super().clean()
        if not (data.get("users") or data.get("groups") or data.get("addresses")):
            raise forms.ValidationError(
                "Give at least one recipient: a user, a group or an address."
            )
        return data
