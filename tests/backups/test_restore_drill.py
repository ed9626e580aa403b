"""Restore drill: back up a database holding inventory, configuration and samples in two
day partitions, restore it into a new database, and find everything there, counted and
summed. Then the refusals: a damaged dump, and a restore over an existing database."""

from __future__ import annotations

from datetime import timedelta

import psycopg
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone
from psycopg import sql

from dcim.backups import dump
from dcim.inventory.tests.factories import make_device, make_site
from telemetry.store import Batch, ingest
from telemetry.store.db import clear_caches

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def scratch_name():
    """A database name for the restore, dropped afterwards whatever happened."""
    name = f"{settings.DATABASES['default']['NAME']}_restore_drill"
    _drop(name)
    yield name
    _drop(name)


def _drop(name: str) -> None:
    with dump._connect(settings.DATABASES["default"], "postgres") as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def _seed() -> tuple[int, float]:
    """A site, a device and 2 × 240 samples a day apart (two raw partitions), in a store
    emptied first: earlier transactional tests leave committed samples behind (the store's
    tables are not Django models, so the test database's flush does not empty them)."""
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE telemetry_sample, telemetry_rollup_5m, telemetry_rollup_1h")
    clear_caches()
    site = make_site(name="Drill site", slug="drill")
    device = make_device(name="drill-gpu-01", site=site)
    now = timezone.now().replace(microsecond=0)
    batch = Batch(batch_id="restore-drill")
    schema = batch.add_schema([(device.id, "gpu0", "gpu_power_watts", "watts", {})])
    times = [now - timedelta(days=1, seconds=15 * i) for i in range(240)]
    times += [now - timedelta(seconds=15 * i) for i in range(240)]
    values = [100.0 + i for i in range(len(times))]
    batch.add_frame(schema, [t.timestamp() for t in times], values)
    ingest(batch)
    return len(times), sum(values)


def _sample_figures(name: str) -> tuple[int, float]:
    db = settings.DATABASES["default"]
    with dump._connect(db, name) as conn:
        rows = conn.execute("SELECT vals FROM telemetry_sample").fetchall()
    values = [v for (vals,) in rows for v in vals if v is not None]
    return len(values), sum(values)


def test_backup_then_restore_finds_every_row(tmp_path, scratch_name, capsys):
    sent, total = _seed()
    call_command("backup", "--dir", str(tmp_path))
    (folder,) = tmp_path.iterdir()
    call_command("restore", str(folder), "--database", scratch_name)
    out = capsys.readouterr().out
    print(out)  # the drill's figures, in the test log
    assert "every count equal to the manifest" in out

    assert _sample_figures(scratch_name) == (sent, pytest.approx(total))
    live = dump.table_counts(settings.DATABASES["default"])
    restored = dump.table_counts(settings.DATABASES["default"], scratch_name)
    assert restored == live
    assert restored["inventory_device"] >= 1
    assert sum(1 for t in restored if t.startswith("telemetry_sample_p")) >= 2


def test_config_only_backup_keeps_schema_but_no_samples(tmp_path, scratch_name):
    _seed()
    backup = dump.create(tmp_path, config_only=True)
    dump.restore(backup.folder, scratch_name)
    assert _sample_figures(scratch_name) == (0, 0)
    restored = dump.table_counts(settings.DATABASES["default"], scratch_name)
    assert restored["inventory_device"] >= 1


def test_damaged_dump_is_refused_before_anything_is_created(tmp_path, scratch_name):
    _seed()
    backup = dump.create(tmp_path, config_only=True)
    with backup.dump.open("r+b") as f:
        f.seek(100)
        f.write(b"\x00damaged\x00")
    with pytest.raises(CommandError, match="checksum differs"):
        call_command("restore", str(backup.folder), "--database", scratch_name)
    with pytest.raises(psycopg.OperationalError):
        dump._connect(settings.DATABASES["default"], scratch_name).close()


def test_restore_never_overwrites_an_existing_database(tmp_path):
    _seed()
    backup = dump.create(tmp_path, config_only=True)
    live = settings.DATABASES["default"]["NAME"]
    with pytest.raises(CommandError, match="exists: restore into a new database"):
        call_command("restore", str(backup.folder), "--database", live)
