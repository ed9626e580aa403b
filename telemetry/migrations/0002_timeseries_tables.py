"""The time-series tables: partitioned samples and rollups, latest values, rollup marks.

Partitions themselves are created by telemetry.store.partitions (ahead of time by the beat
task, on demand by ingest and rollups), never here.
"""

from django.db import migrations

SQL = r"""
-- Wide rows: the values of one series set at one instant; vals[slot] is series
-- set_id * 256 + slot. The primary key is the dedup guard and the query index.
CREATE TABLE telemetry_sample (
    set_id integer NOT NULL,
    ts timestamptz NOT NULL,
    vals float8[] NOT NULL,
    PRIMARY KEY (set_id, ts)
) PARTITION BY RANGE (ts);

-- Rollups are wide too: per set and bucket, one array per aggregate, indexed by slot.
-- An empty slot has cnt 0, sm 0 and NaN elsewhere (no NULLs: fixed layout, numpy-friendly).
CREATE TABLE telemetry_rollup_5m (
    set_id integer NOT NULL,
    bucket timestamptz NOT NULL,
    cnt integer[] NOT NULL,
    mn float8[] NOT NULL,
    mx float8[] NOT NULL,
    sm float8[] NOT NULL,
    lst float8[] NOT NULL,
    PRIMARY KEY (set_id, bucket)
) PARTITION BY RANGE (bucket);

CREATE TABLE telemetry_rollup_1h (
    set_id integer NOT NULL,
    bucket timestamptz NOT NULL,
    cnt integer[] NOT NULL,
    mn float8[] NOT NULL,
    mx float8[] NOT NULL,
    sm float8[] NOT NULL,
    lst float8[] NOT NULL,
    PRIMARY KEY (set_id, bucket)
) PARTITION BY RANGE (bucket);

-- Newest values per set. slot_ts is NULL when every value is at ts (the usual case).
-- Rebuildable from the samples, updated in place with each batch: fillfactor leaves room
-- for HOT updates.
CREATE TABLE telemetry_latest (
    set_id integer PRIMARY KEY,
    ts timestamptz NOT NULL,
    vals float8[] NOT NULL,
    slot_ts timestamptz[]
) WITH (fillfactor = 50);

-- (set, 5-min bucket) pairs that received late samples after the bucket was rolled up.
CREATE TABLE telemetry_rollup_pending (
    set_id integer NOT NULL,
    bucket timestamptz NOT NULL,
    PRIMARY KEY (set_id, bucket)
);

-- Fill the NULL slots of a stored row from a re-delivered one (first write wins).
CREATE FUNCTION telemetry_fill(old float8[], new float8[]) RETURNS float8[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT array_agg(coalesce(o, n) ORDER BY i)
    FROM unnest(old, new) WITH ORDINALITY AS x(o, n, i)
$$;

CREATE FUNCTION telemetry_fills(old float8[], new float8[]) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT EXISTS (SELECT 1 FROM unnest(old, new) AS x(o, n) WHERE o IS NULL AND n IS NOT NULL)
$$;

-- Merge a newer-or-older row into the latest values slot by slot (the slow path: the
-- ingest statement only calls this when the new row is incomplete or out of order).
CREATE FUNCTION telemetry_latest_merge(
    o_ts timestamptz, o_v float8[], o_st timestamptz[], n_ts timestamptz, n_v float8[],
    OUT ts timestamptz, OUT vals float8[], OUT slot_ts timestamptz[])
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    SELECT max(t), array_agg(v ORDER BY i), array_agg(t ORDER BY i)
      INTO ts, vals, slot_ts
      FROM (SELECT i,
                   CASE WHEN take THEN nv ELSE ov END AS v,
                   CASE WHEN take THEN n_ts WHEN ov IS NOT NULL THEN coalesce(ot, o_ts) END AS t
              FROM (SELECT i, ov, nv, ot,
                           nv IS NOT NULL AND (ov IS NULL OR n_ts > coalesce(ot, o_ts)) AS take
                      FROM unnest(o_v, n_v, o_st) WITH ORDINALITY AS x(ov, nv, ot, i)) s) m;
    IF NOT EXISTS (SELECT 1 FROM unnest(slot_ts) AS u(t) WHERE t IS NOT NULL AND t <> ts) THEN
        slot_ts := NULL;
    END IF;
END
$$;

INSERT INTO telemetry_rollupstate (id, rolled_until) VALUES (1, NULL);
"""

REVERSE = r"""
DROP TABLE IF EXISTS telemetry_sample, telemetry_rollup_5m, telemetry_rollup_1h,
    telemetry_latest, telemetry_rollup_pending CASCADE;
DROP FUNCTION IF EXISTS telemetry_fill(float8[], float8[]);
DROP FUNCTION IF EXISTS telemetry_fills(float8[], float8[]);
DROP FUNCTION IF EXISTS telemetry_latest_merge(
    timestamptz, float8[], timestamptz[], timestamptz, float8[]);
DELETE FROM telemetry_rollupstate;
"""


class Migration(migrations.Migration):
    dependencies = [("telemetry", "0001_initial")]

    operations = [migrations.RunSQL(SQL, REVERSE)]
