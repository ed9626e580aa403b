"""Backup and restore with PostgreSQL's own tools, checked against a manifest.

Why pg_dump, not Django's dumpdata: the store keeps samples in partitioned tables outside
the ORM (millions of rows a day), and dumpdata would load every row into Python. pg_dump's
custom format is compressed, consistent (one snapshot for the whole database, so a dump taken
during full-rate ingest is still a single point in time) and restored in parallel by
pg_restore.

A backup is a folder: ``database.dump`` and ``manifest.json`` (when, which server, the
dump's SHA-256, and the row count of every table at the dump's snapshot). Restore refuses a
dump whose checksum does not match, restores into a database that must not exist yet (never
over the live one by accident), then compares every table's row count with the manifest:
a restore that lost rows fails loudly instead of looking fine.

Secrets in the dump (device credentials, channel secrets) stay encrypted with
FIELD_ENCRYPTION_KEY; the key is not in the backup and must be kept apart from it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from django.conf import settings
from psycopg import sql

DUMP_FILE = "database.dump"
MANIFEST_FILE = "manifest.json"

# The store's sample tables: with ``config_only`` their rows are left out (schema kept), so
# a configuration backup of a busy site is megabytes, not gigabytes.
SAMPLE_TABLES = ("telemetry_sample*", "telemetry_rollup*")


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, for an operator."""


@dataclass(frozen=True)
class Backup:
    folder: Path
    manifest: dict

    @property
    def dump(self) -> Path:
        return self.folder / DUMP_FILE


def _tool(name: str, server_version: str) -> str:
    """pg_dump / pg_restore of the server's major version: from PG_BIN_DIRS (the embedded
    wheel ships one per major version), else from PATH. pg_dump refuses a newer server, and
    an older pg_restore cannot read a newer dump, so the versions must agree."""
    major = server_version.split(".")[0]
    candidates = [Path(d) / name for d in getattr(settings, "PG_BIN_DIRS", [])]
    if found := shutil.which(name):
        candidates.append(Path(found))
    seen = []
    for tool in candidates:
        if not tool.exists():
            continue
        version = subprocess.run([str(tool), "--version"], capture_output=True, text=True)
        tool_major = version.stdout.split()[-1].split(".")[0] if version.stdout else "?"
        if tool_major == major:
            return str(tool)
        seen.append(f"{tool} ({tool_major})")
    raise BackupError(
        f"no {name} for PostgreSQL {major}: found {', '.join(seen) or 'none'}; "
        "install that version's client tools or set PG_BIN_DIRS"
    )


def server_version(db: dict) -> str:
    with _connect(db) as conn:
        return conn.execute("SHOW server_version").fetchone()[0]


def _conn_args(db: dict, name: str | None = None) -> tuple[list[str], dict[str, str]]:
    """Command-line arguments and environment that reach ``db`` (a DATABASES entry)."""
    args = ["--dbname", name or db["NAME"]]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def _connect(db: dict, name: str | None = None) -> psycopg.Connection:
    return psycopg.connect(
        dbname=name or db["NAME"],
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        autocommit=True,
    )


def table_counts(db: dict, name: str | None = None) -> dict[str, int]:
    """Exact row count of every ordinary table (leaf partitions included) in ``public``."""
    with _connect(db, name) as conn:
        return _counts_in(conn)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _run(cmd: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{Path(cmd[0]).name} failed: {done.stderr.strip()[-2000:]}")


def create(target_dir: Path, config_only: bool = False, db: dict | None = None) -> Backup:
    """Dump the database into a new folder under ``target_dir``; return it with its manifest.

    The counts are taken in the same snapshot pg_dump uses (an exported snapshot held open by
    a repeatable-read transaction), so they describe exactly what the dump holds even while
    ingest goes on.
    """
    db = db or settings.DATABASES["default"]
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    folder = Path(target_dir) / f"dcim-{stamp}"
    folder.mkdir(parents=True, exist_ok=False)
    args, env = _conn_args(db)
    with _connect(db) as conn:
        conn.autocommit = False
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        version = conn.execute("SHOW server_version").fetchone()[0]
        cmd = [_tool("pg_dump", version), *args, "--format=custom", "--no-owner", "--no-privileges"]
        cmd += ["--snapshot", snapshot, "--file", str(folder / DUMP_FILE)]
        if config_only:
            for pattern in SAMPLE_TABLES:
                cmd += ["--exclude-table-data", pattern]
        counts = _counts_in(conn)
        try:
            _run(cmd, env)
        except BackupError:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        conn.rollback()
    if config_only:
        counts = {t: (0 if _is_sample_table(t) else n) for t, n in counts.items()}
    manifest = {
        "created": datetime.now(UTC).isoformat(),
        "database": db["NAME"],
        "server_version": version,
        "config_only": config_only,
        "sha256": _sha256(folder / DUMP_FILE),
        "size_bytes": (folder / DUMP_FILE).stat().st_size,
        "tables": counts,
    }
    (folder / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2, sort_keys=True))
    return Backup(folder, manifest)


def _is_sample_table(table: str) -> bool:
    return any(table.startswith(p.rstrip("*")) for p in SAMPLE_TABLES)


def _counts_in(conn: psycopg.Connection) -> dict[str, int]:
    tables = [
        r[0]
        for r in conn.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY c.relname"
        )
    ]
    return {
        t: conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(t))).fetchone()[0]
        for t in tables
    }


def load(folder: Path) -> Backup:
    """A backup folder, its manifest read and its dump's checksum verified."""
    folder = Path(folder)
    try:
        manifest = json.loads((folder / MANIFEST_FILE).read_text())
    except (OSError, ValueError) as exc:
        raise BackupError(f"{folder}: no readable {MANIFEST_FILE} ({exc})") from exc
    backup = Backup(folder, manifest)
    if not backup.dump.exists():
        raise BackupError(f"{folder}: {DUMP_FILE} is missing")
    if _sha256(backup.dump) != manifest.get("sha256"):
        raise BackupError(f"{backup.dump}: checksum differs from the manifest (damaged copy?)")
    return backup


def restore(folder: Path, database: str, db: dict | None = None, jobs: int = 2) -> dict[str, int]:
    """Restore a backup into ``database`` (created here; it must not exist) and verify it.

    Returns the restored row counts; raises BackupError naming every table whose count
    differs from the manifest.
    """
    db = db or settings.DATABASES["default"]
    backup = load(folder)
    with _connect(db, "postgres") as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
        if exists:
            raise BackupError(
                f"database {database!r} exists: restore into a new database, then switch over"
            )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
    args, env = _conn_args(db, database)
    cmd = [
        _tool("pg_restore", server_version(db)),
        *args,
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
    ]
    _run([*cmd, f"--jobs={max(1, jobs)}", str(backup.dump)], env)
    restored = table_counts(db, database)
    wrong = {
        t: (n, restored.get(t))
        for t, n in backup.manifest["tables"].items()
        if restored.get(t) != n
    }
    if wrong:
        lines = ", ".join(
            f"{t}: {want} in the manifest, {got} restored" for t, (want, got) in wrong.items()
        )
        raise BackupError(f"restore into {database!r} does not match the manifest: {lines}")
    return restored
