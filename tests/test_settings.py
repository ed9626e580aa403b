"""Settings come from the environment; production refuses to start without its secrets."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FERNET_KEY = "Vn2J3rJ0mH1zkWm3P0fX6m4kX8n7b2d5hH8sQeZt1Yc="
PROD = {
    "SECRET_KEY": "a-long-random-production-secret-" + "q7Z" * 12,
    "FIELD_ENCRYPTION_KEY": FERNET_KEY,
    "ALLOWED_HOSTS": "dcim.example.com",
    "DATABASE_URL": "postgres://dcim:pw@db.invalid:5432/dcim",
    "CELERY_BROKER_URL": "redis://broker.invalid:6379/0",
}


def run_python(code: str, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """Run Python in a clean environment: only what the test gives, no .env file."""
    base = {"PATH": os.environ["PATH"], "DCIM_ENV_FILE": "/nonexistent/.env"}
    base["DJANGO_SETTINGS_MODULE"] = "dcim.settings"
    return subprocess.run(
        [sys.executable, *(["-c", code] if code else list(args))],
        cwd=ROOT,
        env=base | env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def settings_value(expr: str, env: dict[str, str]) -> str:
    result = run_python(f"from dcim import settings as s; print({expr})", env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.parametrize("missing", ["SECRET_KEY", "FIELD_ENCRYPTION_KEY"])
def test_missing_secret_stops_startup_with_one_line(missing):
    env = {k: v for k, v in PROD.items() if k != missing}
    result = run_python("import dcim.settings", env)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"dcim: {missing} is not set")


def test_debug_is_off_unless_asked_for():
    assert settings_value("s.DEBUG", PROD) == "False"
    assert settings_value("s.DEBUG", PROD | {"DEBUG": "1"}) == "True"


def test_debug_runs_without_secrets():
    assert settings_value("bool(s.SECRET_KEY)", {"DEBUG": "true"}) == "True"


def test_database_broker_hosts_and_timezone_from_environment():
    env = PROD | {"TIME_ZONE": "Europe/Paris", "ALLOWED_HOSTS": "a.example,b.example"}
    db = settings_value("(s.DATABASES['default']['HOST'], s.DATABASES['default']['NAME'])", env)
    assert db == "('db.invalid', 'dcim')"
    assert settings_value("s.CELERY_BROKER_URL", env) == PROD["CELERY_BROKER_URL"]
    assert settings_value("s.ALLOWED_HOSTS", env) == "['a.example', 'b.example']"
    assert settings_value("s.TIME_ZONE", env) == "Europe/Paris"


def test_email_settings_from_environment():
    env = PROD | {"EMAIL_HOST": "smtp.example", "EMAIL_PORT": "2525", "EMAIL_USE_TLS": "1"}
    assert settings_value("(s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_USE_TLS)", env) == (
        "('smtp.example', 2525, True)"
    )


def test_embedded_services_are_the_default(tmp_path):
    env = {k: v for k, v in PROD.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL")}
    env["DCIM_VAR_DIR"] = str(tmp_path)
    assert settings_value("s.DATABASES['default']['HOST']", env) == str(tmp_path / "pgdata")
    assert (
        settings_value("s.CELERY_BROKER_URL", env) == f"redis+socket://{tmp_path}/redis/redis.sock"
    )


def test_env_file_is_read_and_real_environment_wins(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("TIME_ZONE=Asia/Tokyo\nALLOWED_HOSTS=from.file\n")
    env = PROD | {"TIME_ZONE": "UTC"}
    env.pop("ALLOWED_HOSTS")
    result = run_python(
        "from dcim import settings as s; print(s.TIME_ZONE, s.ALLOWED_HOSTS)",
        env | {"DCIM_ENV_FILE": str(env_file)},
    )
    assert result.stdout.strip() == "UTC ['from.file']"


def test_check_deploy_passes_with_production_settings():
    result = run_python("", PROD, "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
