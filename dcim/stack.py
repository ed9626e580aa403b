"""`make run`: the whole product on one machine, from one command.

    python -m dcim.stack run

Prepares a local ``.env`` with generated secrets (first run only), starts the embedded
PostgreSQL and Redis unless DATABASE_URL / CELERY_BROKER_URL name real ones, migrates,
creates the demo admin, loads the demo data center, then runs the web server, a Celery
worker and Celery beat until Ctrl-C, and stops all of it (embedded services included).
Running it again reuses the database: nothing is created twice.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from dcim.services import BASE_DIR, EmbeddedServices, wanted

ENV_FILE = Path(os.environ.get("DCIM_ENV_FILE", BASE_DIR / ".env"))
PIDS_FILE = BASE_DIR / "var" / "stack.pids"


def ensure_env_file(path: Path = ENV_FILE) -> list[str]:
    """Write generated SECRET_KEY / FIELD_ENCRYPTION_KEY into .env when neither the
    environment nor the file has them. The key must persist: credentials stored with it
    cannot be read without it. Returns the names written."""
    from cryptography.fernet import Fernet

    existing = path.read_text() if path.exists() else ""
    names = {line.split("=", 1)[0].strip() for line in existing.splitlines() if "=" in line}
    generated = {
        "SECRET_KEY": lambda: secrets.token_urlsafe(50),
        "FIELD_ENCRYPTION_KEY": lambda: Fernet.generate_key().decode(),
    }
    added = [n for n in generated if n not in names and not os.environ.get(n)]
    if added:
        lines = [f"{n}={generated[n]()}" for n in added]
        header = "" if existing else "# Written by `make run` for this checkout. Keep it secret.\n"
        sep = "" if not existing or existing.endswith("\n") else "\n"
        path.write_text(existing + sep + header + "\n".join(lines) + "\n")
        path.chmod(0o600)
    return added


def port_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def stop_leftovers() -> None:
    """Stop processes a previous run left behind (it was killed, not interrupted)."""
    if not PIDS_FILE.exists():
        return
    for pid in (int(p) for p in PIDS_FILE.read_text().split() if p.isdigit()):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"gunicorn" in cmdline or b"celery" in cmdline:
            _signal_group(pid, signal.SIGTERM)
    PIDS_FILE.unlink()


def _signal_group(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


def prepare(out=sys.stdout) -> None:
    """Migrate, collect static files, ensure the demo admin and the demo data center."""
    import django
    from django.core.management import call_command
    from django.db import connections

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    print("database migrated", file=out)
    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("ensure_admin", stdout=out)
    call_command("seed_demo", stdout=out)
    connections.close_all()


def processes(port: int) -> dict[str, list[str]]:
    bin_dir = Path(sys.executable).parent
    return {
        "web": [
            str(bin_dir / "gunicorn"), "dcim.wsgi:application",
            "--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "4",
            "--graceful-timeout", "5", "--log-level", "warning",
        ],
        "worker": [str(bin_dir / "celery"), "-A", "dcim", "worker", "-l", "WARNING", "-c", "2"],
        "beat": [str(bin_dir / "celery"), "-A", "dcim", "beat", "-l", "WARNING"],
    }  # fmt: skip


def run() -> int:
    os.chdir(BASE_DIR)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dcim.settings")
    os.environ.setdefault("DCIM_HTTPS", "0")  # plain http on loopback for the local stack
    port = int(os.environ.get("PORT", "8000"))
    if written := ensure_env_file():
        print(f"wrote {', '.join(written)} to {ENV_FILE}")
    stop_leftovers()
    if not port_free(port):
        print(f"dcim: port {port} is in use; set PORT to another one.", file=sys.stderr)
        return 1

    services = EmbeddedServices.from_env()
    need_pg, need_redis = wanted()
    services.up(postgres=need_pg, redis=need_redis)
    where = f"embedded in {services.var_dir}"
    print(f"PostgreSQL: {where if need_pg else 'DATABASE_URL'}")
    print(f"Redis:      {where if need_redis else 'CELERY_BROKER_URL'}")
    prepare()

    children: dict[str, subprocess.Popen] = {}
    stopping = False

    def stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        for name, cmd in processes(port).items():
            # Own session: Ctrl-C reaches only this process, which stops children in order.
            children[name] = subprocess.Popen(cmd, start_new_session=True)
        PIDS_FILE.write_text(" ".join(str(p.pid) for p in children.values()))
        print(f"\nDCIM is running at http://127.0.0.1:{port}/  (admin: /admin/)  Ctrl-C stops it.")
        while not stopping:
            for name, proc in children.items():
                if proc.poll() is not None:
                    print(f"dcim: {name} exited with code {proc.returncode}; stopping.")
                    stopping = True
            time.sleep(0.5)
    finally:
        print("\nstopping web, worker and beat ...")
        shutdown(children)
        PIDS_FILE.unlink(missing_ok=True)
        if need_pg or need_redis:
            services.down()
        print("stopped.")
    return 0


def shutdown(children: dict[str, subprocess.Popen], grace: float = 10.0) -> None:
    for proc in children.values():
        if proc.poll() is None:
            _signal_group(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    for proc in children.values():
        try:
            proc.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            _signal_group(proc.pid, signal.SIGKILL)
            proc.wait()


if __name__ == "__main__":
    if sys.argv[1:] != ["run"]:
        sys.exit("usage: python -m dcim.stack run")
    sys.exit(run())
