"""The series registry: series keys -> (set, slot), created on first sight, cached.

Ingest never looks a key up per value: a schema (an ordered list of keys, named by its
fingerprint) resolves once to a ``SchemaPlan`` and stays in the process cache. Unknown keys
are created in bulk (one statement for the sets, one for the series) under an advisory lock,
so concurrent workers seeing the same new host agree on one set of ids.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from django.db import transaction
from django.db.models import Count

from telemetry.store.batch import SeriesKey, schema_id, series_key
from telemetry.store.config import MAX_SET_WIDTH, SLOTS, get_config
from telemetry.store.db import new_cache, pg
from telemetry.store.models import Series

REGISTRY_LOCK_KEY = 0x7E1E_0003


@dataclass(frozen=True)
class SetPlan:
    """Where a schema's columns go in one set's row: ``gather[slot-1]`` is a column or -1."""

    set_id: int
    width: int
    gather: np.ndarray
    holes: np.ndarray  # slots this schema does not fill (gather == -1)

    @property
    def full(self) -> bool:
        return not len(self.holes)


@dataclass(frozen=True)
class SchemaPlan:
    series_ids: np.ndarray  # per column
    sets: tuple[SetPlan, ...]
    duplicate_columns: int  # columns repeating an earlier key: their values are refused


class SchemaError(ValueError):
    """A schema that cannot be stored; ``reason`` is the refusal reason counted."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


_plans = new_cache()

# Asked, when set, which of the device ids about to get new series exist; the others are
# refused ("unknown_device"). The store is a leaf and knows no inventory: the telemetry
# app registers the check (telemetry.apps), so that only a higher layer decides.
DeviceCheck = Callable[[set[int]], set[int]]
_device_check: DeviceCheck | None = None


def set_device_check(check: DeviceCheck | None) -> None:
    """Register (or clear, with None) the check of device ids that get new series."""
    global _device_check
    _device_check = check


def resolve(schemas: dict[str, Sequence]) -> dict[str, SchemaPlan | SchemaError]:
    """Plans for the given schemas (fingerprint -> keys as sent); cached ones cost nothing."""
    out: dict[str, SchemaPlan | SchemaError] = {}
    todo: dict[str, list[SeriesKey]] = {}
    cache = _plans.scope()
    for fp, keys in schemas.items():
        plan = cache.get(fp)
        if plan is not None:
            out[fp] = plan
            continue
        try:
            norm = [k if _is_norm(k) else series_key(*k) for k in keys]
        except (TypeError, ValueError) as exc:
            out[fp] = SchemaError("bad_series_key", str(exc))
            continue
        if schema_id(norm) != fp:
            out[fp] = SchemaError("schema_mismatch", f"schema {fp} does not match its keys")
            continue
        todo[fp] = norm
    if todo:
        with transaction.atomic():
            made, refused = _build_plans(todo)
        out.update(made)
        out.update(refused)
        _plans.add_on_commit(made)
    return out


def _is_norm(k: Sequence) -> bool:
    return isinstance(k, tuple) and len(k) == 5 and isinstance(k[4], str)


def _lookup(keys: list[SeriesKey]) -> dict[SeriesKey, tuple[int, int, int]]:
    """Existing series for these keys: key -> (series_id, set_id, slot)."""
    if not keys:
        return {}
    cols = list(zip(*keys, strict=True))
    # Two joins, not one with "device_id = k OR both NULL": the OR keeps PostgreSQL off the
    # unique index and scans every series (~350 ms for 5,000 keys among 100,000 series).
    rows = pg().execute(
        """
        WITH k AS MATERIALIZED (
            SELECT * FROM unnest(%s::int[], %s::text[], %s::text[], %s::text[], %s::text[])
                 WITH ORDINALITY AS k(device_id, component, metric, unit, labels_key, i)
        )
        SELECT k.i, s.id, s.set_id, s.slot FROM k JOIN telemetry_series s
          ON s.device_id = k.device_id AND s.component = k.component
         AND s.metric = k.metric AND s.unit = k.unit AND s.labels_key = k.labels_key
        UNION ALL
        SELECT k.i, s.id, s.set_id, s.slot FROM k JOIN telemetry_series s
          ON s.device_id IS NULL AND k.device_id IS NULL AND s.component = k.component
         AND s.metric = k.metric AND s.unit = k.unit AND s.labels_key = k.labels_key
        """,
        [list(c) for c in cols],
    )
    return {keys[i - 1]: (sid, set_id, slot) for i, sid, set_id, slot in rows}


def _create(missing: list[SeriesKey]) -> dict[SeriesKey, tuple[int, int, int]]:
    """Create sets (per device, at most MAX_SET_WIDTH wide, evenly split) and series."""
    by_device: dict[int | None, list[SeriesKey]] = {}
    for k in missing:
        by_device.setdefault(k[0], []).append(k)
    chunks: list[tuple[int | None, list[SeriesKey]]] = []
    for device_id, keys in by_device.items():
        n = -(-len(keys) // MAX_SET_WIDTH)
        size = -(-len(keys) // n)
        chunks += [(device_id, keys[i : i + size]) for i in range(0, len(keys), size)]
    conn = pg()
    ids = [
        r[0]
        for r in conn.execute(
            "SELECT nextval(pg_get_serial_sequence('telemetry_seriesset', 'id')) "
            "FROM generate_series(1, %s)",
            [len(chunks)],
        )
    ]
    conn.execute(
        "INSERT INTO telemetry_seriesset (id, device_id, width, created) "
        "SELECT * , now() FROM unnest(%s::int[], %s::int[], %s::int[])",
        [ids, [d for d, _ in chunks], [len(c) for _, c in chunks]],
    )
    made: dict[SeriesKey, tuple[int, int, int]] = {}
    for set_id, (_, keys) in zip(ids, chunks, strict=True):
        for slot, k in enumerate(keys, start=1):
            made[k] = (set_id * SLOTS + slot, set_id, slot)
    rows = [(v[0], v[1], v[2], *k) for k, v in made.items()]
    cols = list(zip(*rows, strict=True))
    conn.execute(
        """
        INSERT INTO telemetry_series
            (id, set_id, slot, device_id, component, metric, unit, labels_key, labels, created)
        SELECT id, set_id, slot, device_id, component, metric, unit, lk, lk::jsonb, now()
        FROM unnest(%s::bigint[], %s::int[], %s::int[], %s::int[], %s::text[], %s::text[],
                    %s::text[], %s::text[])
             AS r(id, set_id, slot, device_id, component, metric, unit, lk)
        """,
        [list(c) for c in cols],
    )
    return made


def _refusals(missing: list[SeriesKey]) -> dict[SeriesKey, str]:
    """New keys that must not become series: their device is unknown (when a device check
    is registered) or already has ``max_series_per_device`` series."""
    devices = {k[0] for k in missing if k[0] is not None}
    if not devices:
        return {}
    out: dict[SeriesKey, str] = {}
    if _device_check is not None:
        known = _device_check(devices)
        out.update({k: "unknown_device" for k in missing if k[0] in devices - known})
    cap = get_config().max_series_per_device
    have = dict(
        pg()
        .execute(
            "SELECT device_id, count(*) FROM telemetry_series WHERE device_id = ANY(%s) "
            "GROUP BY device_id",
            [sorted(devices)],
        )
        .fetchall()
    )
    adding: dict[int, int] = {}
    for k in missing:
        if k[0] is None or k in out:
            continue
        adding[k[0]] = adding.get(k[0], 0) + 1
        if have.get(k[0], 0) + adding[k[0]] > cap:
            out[k] = "series_cap"
    return out


def _build_plans(
    todo: dict[str, list[SeriesKey]],
) -> tuple[dict[str, SchemaPlan], dict[str, SchemaError]]:
    wanted = list(dict.fromkeys(k for keys in todo.values() for k in keys))
    found = _lookup(wanted)
    missing = [k for k in wanted if k not in found]
    refused_schemas: dict[str, SchemaError] = {}
    if missing:
        pg().execute("SELECT pg_advisory_xact_lock(%s)", [REGISTRY_LOCK_KEY])
        found.update(_lookup(missing))  # another worker may have just created them
        missing = [k for k in wanted if k not in found]
        refused = _refusals(missing)
        if refused:
            for fp, keys in list(todo.items()):
                reason = next((refused[k] for k in keys if k in refused), None)
                if reason:
                    refused_schemas[fp] = SchemaError(reason, f"schema {fp}: {reason}")
                    del todo[fp]
            still = {k for keys in todo.values() for k in keys}
            missing = [k for k in missing if k in still and k not in refused]
        if missing:
            found.update(_create(missing))
    set_ids = sorted({v[1] for v in found.values()})
    widths = dict(
        pg()
        .execute("SELECT id, width FROM telemetry_seriesset WHERE id = ANY(%s)", [set_ids])
        .fetchall()
    )
    plans = {}
    for fp, keys in todo.items():
        gathers: dict[int, np.ndarray] = {}
        dup = 0
        for col, k in enumerate(keys):
            _, set_id, slot = found[k]
            g = gathers.get(set_id)
            if g is None:
                g = gathers[set_id] = np.full(widths[set_id], -1, dtype=np.intp)
            if g[slot - 1] >= 0:
                dup += 1
            else:
                g[slot - 1] = col
        plans[fp] = SchemaPlan(
            series_ids=np.array([found[k][0] for k in keys], dtype=np.int64),
            sets=tuple(SetPlan(s, len(g), g, np.flatnonzero(g < 0)) for s, g in gathers.items()),
            duplicate_columns=dup,
        )
    return plans, refused_schemas


def find_series(
    *,
    device_id: int | None = None,
    component: str | None = None,
    metric: str | None = None,
    labels: dict[str, str] | None = None,
) -> list[dict]:
    """Series matching the filters given, as dicts (id, device_id, component, metric, unit,
    labels). The way other apps learn series ids without touching the tables."""
    qs = Series.objects.all()
    if device_id is not None:
        qs = qs.filter(device_id=device_id)
    if component is not None:
        qs = qs.filter(component=component)
    if metric is not None:
        qs = qs.filter(metric=metric)
    if labels is not None:
        qs = qs.filter(labels_key=json.dumps(labels, sort_keys=True, separators=(",", ":")))
    return list(
        qs.order_by("id").values("id", "device_id", "component", "metric", "unit", "labels")
    )


def reporting_devices(metrics: Iterable[str]) -> dict[str, int]:
    """{metric: number of devices with a series of it}, for many metrics in one statement
    (an admin list of rules asks for all its rows at once); a metric no device has is left
    out. The registry keeps a series once created: this says "has reported", not "now"."""
    names = sorted(set(metrics))
    if not names:
        return {}
    rows = (
        Series.objects.filter(metric__in=names, device_id__isnull=False)
        .values("metric")
        .annotate(n=Count("device_id", distinct=True))
        .values_list("metric", "n")
    )
    return dict(rows)


def cached(fp: str) -> SchemaPlan | None:
    """The plan of a schema this process has seen before (a batch may omit known schemas)."""
    return _plans.get(fp)


def clear_cache() -> None:
    _plans.clear()
