"""Admin forms that need more than the ModelAdmin defaults."""

from __future__ import annotations

from typing import Any

from django import forms

from dcim.inventory.models import Credential
from dcim.inventory.models.credential import SECRET_FIELDS


def clear_field_name(secret: str) -> str:
    return f"clear_{secret}"


class CredentialForm(forms.ModelForm):
    """Secrets are write-only: typed in, never shown back, kept when left blank.

    Why: a page that renders a secret (even in a hidden value attribute) leaks it to the
    browser cache, screenshots and anyone reading over a shoulder. So the secret inputs are
    password boxes that never render a value, their initial value is dropped (the plaintext
    never reaches the template), blank means "keep what is stored", and a checkbox per
    secret is the explicit way to erase one.
    """

    snmp_community = forms.CharField(
        label="SNMP community",
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    auth_key = forms.CharField(
        label="Auth key",
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    priv_key = forms.CharField(
        label="Priv key",
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    clear_snmp_community = forms.BooleanField(label="Clear the community", required=False)
    clear_auth_key = forms.BooleanField(label="Clear the auth key", required=False)
    clear_priv_key = forms.BooleanField(label="Clear the priv key", required=False)

    class Meta:
        model = Credential
        fields = (
            "name",
            "kind",
            "description",
            "snmp_community",
            "snmp_user",
            "auth_protocol",
            "auth_key",
            "priv_protocol",
            "priv_key",
            "modbus_unit_id",
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        stored = self.instance if self.instance.pk else None
        for secret in SECRET_FIELDS:
            if secret not in self.fields:
                continue
            # The plaintext must not reach the template, even where the widget hides it.
            self.initial[secret] = ""
            is_set = bool(stored and getattr(stored, secret))
            self.fields[secret].help_text = (
                "Set (hidden). Leave blank to keep it, or type a new value to replace it."
                if is_set
                else "Not set."
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for secret in SECRET_FIELDS:
            if secret not in self.fields:
                continue
            typed = cleaned.get(secret) or ""
            clear = cleaned.get(clear_field_name(secret), False)
            if typed and clear:
                self.add_error(secret, "Type a new value or tick 'clear', not both.")
            elif clear:
                cleaned[secret] = ""
            elif not typed:
                cleaned[secret] = getattr(self.instance, secret) if self.instance.pk else ""
        return cleaned
