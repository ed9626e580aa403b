"""Test settings: production settings with plain-http cookies and fixed test secrets."""

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-" + "k" * 40)
# A fixed, valid Fernet key for tests only.
os.environ.setdefault("FIELD_ENCRYPTION_KEY", "Vn2J3rJ0mH1zkWm3P0fX6m4kX8n7b2d5hH8sQeZt1Yc=")
os.environ.setdefault("DCIM_HTTPS", "0")

from dcim.caches import cache_settings  # noqa: E402
from dcim.settings import *  # noqa: E402,F403

# The suite starts only PostgreSQL (no Redis): each test process keeps its own cache.
CACHES = cache_settings(None)

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CONN_MAX_AGE = 0
# The webhook tests' receivers listen on loopback (production refuses it by default).
ALERTS_WEBHOOK_ALLOW_LOOPBACK = True
# Login throttling off for the suite (Client.login passes no request, which django-axes
# refuses); dcim/accounts/tests/test_lockout.py turns it on.
AXES_ENABLED = False
