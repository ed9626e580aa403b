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


@pytest.mark.parametrize(
    "key",
    [
        "not-a-fernet-key",
        "Vn2J3rJ0mH1zkWm3P0fX6m4kX8n7b2d5hH8sQeZt1Y",  # cut short
        "Vn2J3rJ0mH1zkWm3P0fX6m4kX8n7b2d5hH8sQeZt1Yc=,oops",  # the second of a rotation
    ],
)
def test_check_deploy_fails_on_a_malformed_encryption_key(key):
    from tests.test_settings import PROD, run_python

    result = run_python("", PROD | {"FIELD_ENCRYPTION_KEY": key}, "manage.py", "check", "--deploy")
    assert result.returncode != 0
    assert "dcim.E002" in result.stderr and "is not a Fernet key" in result.stderr
    assert key not in result.stderr  # the key itself is a secret: never echoed


def test_the_check_passes_a_good_rotation(settings):
    settings.FIELD_ENCRYPTION_KEY = (
        f"{Fernet.generate_key().decode()},{Fernet.generate_key().decode()}"
    )
    assert crypto.check_encryption_key() == []
