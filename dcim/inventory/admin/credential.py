"""Admin for collector credentials: secrets can be typed in, never read back.

The change form uses CredentialForm (password boxes that render no value, blank keeps the
stored secret, a checkbox clears it). Lists and read-only views show only whether each
secret is set, computed in SQL so the changelist never even decrypts them. Secrets are not
searchable either: a search box over them would be an oracle for guessing a community.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.http import HttpRequest

from dcim.inventory.admin.base import HistoryAdmin
from dcim.inventory.forms import CredentialForm, clear_field_name
from dcim.inventory.models import Credential
from dcim.inventory.models.credential import SECRET_FIELDS


def _is_set(field: str) -> ExpressionWrapper:
    # Empty secrets are stored as "" (not encrypted), so "set" is a plain SQL test.
    return ExpressionWrapper(~Q(**{field: ""}), output_field=BooleanField())


@admin.register(Credential)
class CredentialAdmin(HistoryAdmin):
    form = CredentialForm
    list_display = (
        "name",
        "kind",
        "snmp_user",
        "auth_protocol",
        "priv_protocol",
        "modbus_unit_id",
        "community_is_set",
        "auth_key_is_set",
        "priv_key_is_set",
    )
    list_filter = ("kind", "auth_protocol", "priv_protocol")
    search_fields = ("name", "snmp_user", "description")
    readonly_fields = ("community_is_set", "auth_key_is_set", "priv_key_is_set")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Credential]:
        return (
            super()
            .get_queryset(request)
            .annotate(**{f"{name}_set": _is_set(name) for name in SECRET_FIELDS})
        )

    def get_changelist(self, request: HttpRequest, **kwargs):
        """The list needs only the "is set" flags, so it does not load the ciphertext."""
        changelist = super().get_changelist(request, **kwargs)

        class SecretFreeChangeList(changelist):
            def get_queryset(self, request, exclude_parameters=None):
                return super().get_queryset(request, exclude_parameters).defer(*SECRET_FIELDS)

        return SecretFreeChangeList

    def get_fieldsets(self, request: HttpRequest, obj: Credential | None = None):
        if obj is None:
            editable = self.has_add_permission(request)
        else:
            editable = self.has_change_permission(request, obj)

        def secret(name: str, status: str) -> tuple[str, ...]:
            if not editable:
                return (status,)
            return (name,) if obj is None else (name, clear_field_name(name))

        return (
            (None, {"fields": ("name", "kind", "description")}),
            ("SNMP v2c", {"fields": secret("snmp_community", "community_is_set")}),
            (
                "SNMP v3",
                {
                    "fields": (
                        "snmp_user",
                        "auth_protocol",
                        *secret("auth_key", "auth_key_is_set"),
                        "priv_protocol",
                        *secret("priv_key", "priv_key_is_set"),
                    )
                },
            ),
            ("Modbus", {"fields": ("modbus_unit_id",)}),
        )

    @admin.display(description="community set", boolean=True)
    def community_is_set(self, obj: Credential) -> bool:
        return self._flag(obj, "snmp_community")

    @admin.display(description="auth key set", boolean=True)
    def auth_key_is_set(self, obj: Credential) -> bool:
        return self._flag(obj, "auth_key")

    @admin.display(description="priv key set", boolean=True)
    def priv_key_is_set(self, obj: Credential) -> bool:
        return self._flag(obj, "priv_key")

    @staticmethod
    def _flag(obj: Credential, field: str) -> bool:
        annotated = getattr(obj, f"{field}_set", None)
        return bool(getattr(obj, field)) if annotated is None else annotated
