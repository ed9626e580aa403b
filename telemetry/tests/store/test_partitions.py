"""Partitions: created ahead, pruned by queries, dropped whole by retention."""

from __future__ import annotations

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings

from telemetry import store, tasks
from telemetry.store import partitions
from telemetry.store.db import pg
from telemetry.store.retention import apply_retention
from telemetry.tests.store.conftest import every, gpu_batch

pytestmark = pytest.mark.django_db


def names(kind) -> list[str]:
    return sorted(partitions.existing(kind))


def test_maintain_creates_partitions_ahead_and_back_to_retention(now):
    report = store.maintain(now)
    raw = names(partitions.RAW)
    assert raw[0] == f"telemetry_sample_p{now - timedelta(days=14):%Y%m%d}"
    assert raw[-1] == f"telemetry_sample_p{now + timedelta(days=3):%Y%m%d}"
    assert len(raw) == 18
    assert "telemetry_rollup_5m_p202506" in names(partitions.ROLLUP_5M)
    assert "telemetry_rollup_5m_p202507" in names(partitions.ROLLUP_5M)
    assert "telemetry_rollup_1h_p2025" in names(partitions.ROLLUP_1H)
    assert len(report.created) == 18 + 2 + 2
    assert store.maintain(now).created == []  # idempotent


def test_a_query_over_one_hour_reads_one_partition(now):
    store.maintain(now)
    store.ingest(gpu_batch(1, every(now - timedelta(days=2), 10), range(30)), now=now)
    series = store.find_series(device_id=1)[0]["id"]
    plan = "\n".join(
        r[0]
        for r in pg().execute(
            "EXPLAIN SELECT ts, vals[1] FROM telemetry_sample WHERE set_id = %s "
            "AND ts >= %s AND ts < %s",
            [series // 256, now - timedelta(hours=1), now],
        )
    )
    scanned = set(re.findall(r" on (telemetry_sample_p\d+)", plan))
    assert scanned == {f"telemetry_sample_p{now:%Y%m%d}"}, plan


def test_retention_drops_only_expired_partitions(now):
    partitions.create_ahead(now - timedelta(days=30), 3, days_back=14)
    partitions.create_ahead(now, 3, days_back=14)
    before = names(partitions.RAW)
    dropped = apply_retention(now)
    cutoff = now - timedelta(days=14)
    expected = [n for n in before if partitions.RAW.parse(n)[1] <= cutoff]
    assert sorted(dropped) == expected and expected
    kept = names(partitions.RAW)
    assert kept == [n for n in before if n not in expected]
    # the partition holding the cutoff instant itself is kept (part of it is not expired)
    assert f"telemetry_sample_p{cutoff:%Y%m%d}" in kept


def test_retention_per_resolution(now):
    cfg = {"raw_retention": timedelta(days=2), "rollup_5m_retention": timedelta(days=40)}
    with override_settings(TELEMETRY_STORE=cfg):
        for months_ago in (0, 1, 2):
            partitions.ensure(partitions.ROLLUP_5M, [now - timedelta(days=31 * months_ago)])
        partitions.ensure(partitions.ROLLUP_1H, [now - timedelta(days=800)])
        dropped = apply_retention(now)
    assert "telemetry_rollup_5m_p202504" in dropped
    assert "telemetry_rollup_5m_p202505" in names(partitions.ROLLUP_5M)  # ends May 31: kept
    assert "telemetry_rollup_1h_p2023" in names(partitions.ROLLUP_1H)  # hourly: kept forever


def test_ingest_creates_a_missing_partition_on_demand(now):
    r = store.ingest(gpu_batch(1, [now - timedelta(days=5)], [1, 2, 3]), now=now)
    assert r.stored == 3
    assert names(partitions.RAW) == [f"telemetry_sample_p{now - timedelta(days=5):%Y%m%d}"]


def test_the_management_command_and_the_tasks_run():
    out = StringIO()
    call_command("telemetry_maintain", "--rollups", stdout=out)
    assert "created" in out.getvalue() and "rollups:" in out.getvalue()
    assert tasks.maintain_store()["created"] == []  # already done: idempotent
    assert tasks.rollup_store()["rows_5m"] == 0
