"""Secrets at rest: encrypted with FIELD_ENCRYPTION_KEY, rotatable, never passed through."""

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from dcim import crypto


def test_round_trip_and_ciphertext_differs(settings):
    stored = crypto.encrypt("s3cret-community")
    assert "s3cret" not in stored
    assert crypto.decrypt(stored) == "s3cret-community"
    assert crypto.encrypt("s3cret-community") != stored  # random IV


def test_rotation_old_key_still_decrypts(settings):
    old = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEY = old
    stored = crypto.encrypt("v2c")
    settings.FIELD_ENCRYPTION_KEY = f"{Fernet.generate_key().decode()},{old}"
    assert crypto.decrypt(stored) == "v2c"


def test_wrong_key_is_an_error_not_ciphertext(settings):
    stored = crypto.encrypt("v2c")
    settings.FIELD_ENCRYPTION_KEY = Fernet.generate_key().decode()
    with pytest.raises(ValueError, match="cannot be decrypted"):
        crypto.decrypt(stored)


def test_bad_key_is_a_clear_configuration_error(settings):
    settings.FIELD_ENCRYPTION_KEY = "not-a-key"
    with pytest.raises(ImproperlyConfigured, match="Fernet"):
        crypto.encrypt("x")
