"""Credentials the collectors use to reach devices. Secrets are encrypted at rest."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from dcim.crypto import EncryptedTextField
from dcim.inventory.choices import CredentialKind, SnmpAuthProtocol, SnmpPrivProtocol

SECRET_FIELDS = ("snmp_community", "auth_key", "priv_key")


class Credential(models.Model):
    """SNMP v2c community, SNMP v3 USM user and keys, or a Modbus unit id.

    Secret fields are never rendered back (admin shows only whether they are set), are
    left out of the change history, and are not part of __str__ or any export.
    """

    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=10, choices=CredentialKind.choices)
    snmp_community = EncryptedTextField("SNMP community", blank=True)
    snmp_user = models.CharField("SNMP v3 user", max_length=64, blank=True)
    auth_protocol = models.CharField(
        max_length=8, choices=SnmpAuthProtocol.choices, default=SnmpAuthProtocol.NONE
    )
    auth_key = EncryptedTextField(blank=True)
    priv_protocol = models.CharField(
        max_length=8, choices=SnmpPrivProtocol.choices, default=SnmpPrivProtocol.NONE
    )
    priv_key = EncryptedTextField(blank=True)
    modbus_unit_id = models.PositiveSmallIntegerField(
        "Modbus unit id", null=True, blank=True, validators=[MaxValueValidator(247)]
    )
    description = models.CharField(max_length=200, blank=True)
    history = HistoricalRecords(excluded_fields=list(SECRET_FIELDS))

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    def __repr__(self) -> str:
        return f"<Credential {self.pk}: {self.name}>"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.kind == CredentialKind.SNMP_V2C and not self.snmp_community:
            errors["snmp_community"] = "An SNMP v2c credential needs a community."
        if self.kind == CredentialKind.SNMP_V3:
            if not self.snmp_user:
                errors["snmp_user"] = "An SNMP v3 credential needs a user name."
            if self.auth_protocol != SnmpAuthProtocol.NONE and len(self.auth_key or "") < 8:
                errors["auth_key"] = (
                    "The authentication key must be at least 8 characters (RFC 3414)."
                )
            if self.priv_protocol != SnmpPrivProtocol.NONE:
                if self.auth_protocol == SnmpAuthProtocol.NONE:
                    errors["priv_protocol"] = "Privacy (encryption) needs authentication too."
                elif len(self.priv_key or "") < 8:
                    errors["priv_key"] = "The privacy key must be at least 8 characters (RFC 3414)."
        if self.kind == CredentialKind.MODBUS and self.modbus_unit_id is None:
            errors["modbus_unit_id"] = "A Modbus credential needs a unit id (0–247)."
        if errors:
            raise ValidationError(errors)

    @property
    def security_level(self) -> str:
        """SNMP v3 security level: noAuthNoPriv, authNoPriv or authPriv."""
        if self.auth_protocol == SnmpAuthProtocol.NONE:
            return "noAuthNoPriv"
        return "authNoPriv" if self.priv_protocol == SnmpPrivProtocol.NONE else "authPriv"
