"""``store.backfill``: history older than raw retention becomes 5-minute and hourly rollups
equal to a brute-force aggregate; a re-import replaces its buckets and changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings

from telemetry import store
from telemetry.store import Batch
from telemetry.store.db import pg
from telemetry.store.rollups import FIVE, HOUR, floor_to
from telemetry.tests.store.conftest import NOW, reset_store
from telemetry.tests.store.test_rollups import assert_same, brute, stored

pytestmark = pytest.mark.django_db

KEYS = [(1, "pdu0", f"pdu_m{c}_watts", "watts", {}) for c in range(2)]
OLD = NOW - timedelta(days=30)  # older than the 14 days of raw retention


def batch(points: list[tuple[float, int, float]], start=OLD) -> Batch:
    """(second after ``start``, column, value) as rows of the two-series schema."""
    by_sec: dict = {}
    for sec, col, v in points:
        by_sec.setdefault(sec, [None, None])[col] = v
    b = Batch(batch_id="history")
    sid = b.add_schema(KEYS)
    secs = sorted(by_sec, reverse=True)  # out of order on purpose
    b.add_frame(
        sid,
        [(start + timedelta(seconds=s)).timestamp() for s in secs],
        [v for s in secs for v in by_sec[s]],
    )
    return b


def ids() -> list[int]:
    return [store.find_series(device_id=1, metric=k[2])[0]["id"] for k in KEYS]


def count(table: str) -> int:
    q = f"SELECT count(*) FROM {table}"  # noqa: S608 (constant table names)
    return pg().execute(q).fetchone()[0]


def expected(points, start=OLD) -> dict:
    """brute() of test_rollups counts seconds from its START; shift to ours."""
    shift = (start - (NOW - timedelta(hours=3))).total_seconds()
    return {(col, sec + shift): v for sec, col, v in points}


POINTS = [
    (s, c, float((s * 7 + c * 13) % 101) - 20.0)
    for s in range(0, 3 * 3600, 97)
    for c in (0, 1)
    if (s + c) % 3
]


def test_history_becomes_rollups_equal_to_brute_force():
    reset_store()
    result = store.backfill(batch(POINTS), now=NOW)
    assert set(result.refused) <= {"missing"}  # a row's None where a column has no value
    assert result.stored == len(POINTS) == result.rolled_up
    assert count("telemetry_sample") == 0  # never a raw row retention would drop at once
    assert_same(stored("telemetry_rollup_5m", ids()), brute(expected(POINTS), FIVE))
    assert_same(stored("telemetry_rollup_1h", ids()), brute(expected(POINTS), HOUR))
    # readers see it: the watermark was set where the job would start
    ts, v, res = store.samples(ids()[0], OLD, OLD + HOUR, counter=True, now=NOW)
    assert res == "5m" and len(ts) == 12
    last_of_first_bucket = [p for p in POINTS if p[1] == 0 and p[0] < 300][-1][2]
    assert v[0] == last_of_first_bucket


def test_importing_twice_changes_nothing():
    reset_store()
    store.backfill(batch(POINTS), now=NOW)
    before = (stored("telemetry_rollup_5m", ids()), stored("telemetry_rollup_1h", ids()))
    again = store.backfill(batch(POINTS), now=NOW)
    assert again.stored == 0 and again.duplicate == len(POINTS) and again.rows == 0
    after = (stored("telemetry_rollup_5m", ids()), stored("telemetry_rollup_1h", ids()))
    assert after == before


def test_a_re_import_replaces_the_buckets_it_gives_and_keeps_the_rest():
    reset_store()
    store.backfill(batch(POINTS), now=NOW)
    # column 0 only, every bucket of the first hour, other values: those buckets are
    # replaced (not added to), column 1 and the later hours are kept
    fix = [(s + d, 0, 1000.0 + s + d) for s in range(0, 3600, 300) for d in (0, 150)]
    result = store.backfill(batch(fix), now=NOW)
    assert result.stored == len(fix)
    want = brute(expected([p for p in POINTS if not (p[1] == 0 and p[0] < 3600)] + fix), FIVE)
    assert_same(stored("telemetry_rollup_5m", ids()), want)
    want_h = brute(expected([p for p in POINTS if not (p[1] == 0 and p[0] < 3600)] + fix), HOUR)
    assert_same(stored("telemetry_rollup_1h", ids()), want_h)


def test_the_bucket_at_the_cut_stays_whole_in_raw():
    """Raw retention's cut at 12:02: the 12:00 bucket's samples before the cut are stored
    raw with the rest of the bucket, so the rollup job's recompute of it is complete; a
    bucket whose day partition still holds raw rows takes its backfilled samples raw too;
    the 11:55 bucket has none and becomes a rollup row that the job leaves alone."""
    reset_store()
    now = NOW + timedelta(minutes=2)
    cut = now - timedelta(days=14)  # 12:02
    edge = floor_to(cut, FIVE)  # 12:00
    live = Batch(batch_id="live")
    sid = live.add_schema(KEYS[:1])
    live.add_frame(sid, [(edge - timedelta(minutes=10)).timestamp()], [1.0])  # 11:50, raw
    store.ingest(live, now=edge)  # stored while it was recent
    b = Batch(batch_id="history")
    sid = b.add_schema(KEYS[:1])
    offsets = [-8, -2, 0.5, 1, 3, 6]  # minutes from the edge
    b.add_frame(
        sid, [(edge + timedelta(minutes=m)).timestamp() for m in offsets], [2, 3, 4, 5, 6, 7]
    )
    result = store.backfill(b, now=now)
    assert result.stored == 6 and result.rolled_up == 1  # only 11:58 is history
    raw = [r[0] for r in pg().execute("SELECT ts FROM telemetry_sample ORDER BY ts").fetchall()]
    assert raw == [edge + timedelta(minutes=m) for m in (-10, -8, 0.5, 1, 3, 6)]
    store.run_rollups(now=now + timedelta(minutes=10))
    series = store.find_series(device_id=1, metric=KEYS[0][2])[0]["id"]
    q = store.query(series, edge - FIVE * 2, edge + FIVE * 2, resolution="5m", now=now)
    assert q.ts.astype("datetime64[m]").tolist() == [
        (edge + FIVE * k).replace(tzinfo=None) for k in (-2, -1, 0, 1)
    ]
    assert q.count.tolist() == [2, 1, 3, 1]  # 11:50 raw + backfilled, 11:55 history
    assert q.last.tolist() == [2.0, 3.0, 6.0, 7.0]
    hour = store.query(series, edge - HOUR, edge, resolution="1h", now=now)
    assert (hour.count.tolist(), hour.last.tolist()) == ([3], [3.0])


def test_history_past_5_minute_retention_goes_to_hours_and_past_all_is_refused():
    reset_store()
    start = NOW - timedelta(days=500)
    points = [(s, 0, float(s)) for s in range(0, 7200, 600)]
    result = store.backfill(batch(points, start=start), now=NOW)
    assert result.stored == len(points)
    assert count("telemetry_rollup_5m") == 0
    got = stored("telemetry_rollup_1h", ids())
    assert_same(got, brute(expected(points, start), HOUR))
    with override_settings(TELEMETRY_STORE={"rollup_1h_retention": timedelta(days=100)}):
        refused = store.backfill(batch(points, start=start), now=NOW)
    assert refused.refused["older_than_retention"] == len(points) and refused.stored == 0


def test_without_raw_retention_backfill_is_ingest():
    reset_store()
    with override_settings(TELEMETRY_STORE={"raw_retention": None}):
        result = store.backfill(batch(POINTS[:10]), now=NOW)
    assert result.stored == 10 and result.rolled_up == 0
    assert count("telemetry_sample") > 0 and count("telemetry_rollup_5m") == 0
