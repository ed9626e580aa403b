"""Secrets encrypted at rest with FIELD_ENCRYPTION_KEY.

Why not a field library: the maintained ones derive their key from SECRET_KEY (rotating the
session secret would then lose every stored credential) and return the ciphertext when
decryption fails. Here the key is its own setting, a comma-separated list of Fernet keys
(the first encrypts, all decrypt, so keys rotate without downtime), and a value that cannot
be decrypted is an error, never silently passed through.
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import models

PREFIX = "fernet:"


@lru_cache(maxsize=4)
def _fernet(keys: str) -> MultiFernet:
    parts = [k.strip() for k in keys.split(",") if k.strip()]
    if not parts:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY is not set: secrets cannot be stored.")
    try:
        return MultiFernet([Fernet(k) for k in parts])
    except ValueError as exc:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEY must be Fernet keys (32 url-safe base64-encoded bytes)."
        ) from exc


def encrypt(plaintext: str) -> str:
    return PREFIX + _fernet(settings.FIELD_ENCRYPTION_KEY).encrypt(plaintext.encode()).decode()


def decrypt(stored: str) -> str:
    if not stored.startswith(PREFIX):
        raise ValueError("stored secret is not in the encrypted format")
    try:
        return _fernet(settings.FIELD_ENCRYPTION_KEY).decrypt(stored[len(PREFIX) :]).decode()
    except InvalidToken as exc:
        raise ValueError("stored secret cannot be decrypted with FIELD_ENCRYPTION_KEY") from exc


class EncryptedTextField(models.TextField):
    """A text column holding Fernet ciphertext; Python code sees the plaintext.

    Empty values are stored as "" (not encrypted) so that "not set" stays queryable.
    """

    def from_db_value(self, value, expression, connection):
        if not value:
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if not value:
            return value or ""
        return encrypt(value)


@checks.register(checks.Tags.security, deploy=True)
def check_encryption_key(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """``check --deploy`` fails on a FIELD_ENCRYPTION_KEY that is not a list of Fernet keys:
    otherwise the first credential saved in production is the first to find out."""
    keys = getattr(settings, "FIELD_ENCRYPTION_KEY", "") or ""
    parts = [k.strip() for k in keys.split(",") if k.strip()]
    if not parts:
        return [checks.Error("FIELD_ENCRYPTION_KEY is not set.", hint=KEY_HINT, id="dcim.E001")]
    bad = []
    for i, key in enumerate(parts, start=1):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            bad.append(i)
    if bad:
        which = ", ".join(f"#{i}" for i in bad)
        return [
            checks.Error(
                f"FIELD_ENCRYPTION_KEY key {which} of {len(parts)} is not a Fernet key "
                "(32 url-safe base64-encoded bytes).",
                hint=KEY_HINT,
                id="dcim.E002",
            )
        ]
    return []


KEY_HINT = (
    "Generate one with: python -c 'from cryptography.fernet import Fernet; "
    "print(Fernet.generate_key().decode())'"
)
