"""The telemetry store: time series in plain PostgreSQL. Other apps use only these names.

Write::

    ingest(batch) -> IngestResult          # a Batch or its JSON form; idempotent
    backfill(batch) -> IngestResult        # any age: older than raw retention goes into
                                           # the 5m/1h rollups; a re-import replaces its
                                           # buckets (store.backfill docstring)

Read::

    find_series(device_id=, component=, metric=, labels=) -> list[dict]
    reporting_devices(metrics) -> {metric: devices with a series of it}   # one statement
    latest(series_ids | metric= | device_ids= | component=) -> list[Latest]
    query(series_id, start, end, max_points=1000) -> QueryResult   # raw / 5m / 1h chosen
    rate(series_id, start, end, bits=64) -> QueryResult             # counters, per second
    energy(series_id, start, end) -> Energy                         # joules + coverage
    samples(series_id, start, end, counter=) -> (ts, values, res)   # what a sum should use

Read in bulk, for pages (many series in one statement; arrays where objects cost)::

    latest_many(metrics, device_ids) -> list[Latest]
    gpu_latest(metrics, device_ids) / port_latest(...) -> dict of numpy arrays
    port_rates(metrics, device_ids, since) / recent_rates(series_ids, since)
    component_names(device_ids, metric) -> {(device, hashtext(component)): component}
    summed_history(series_ids, start, end, step) -> (t, sum, n) arrays   # closed buckets cached
    summed_raw(series_ids, start, end, step) -> the same from raw samples, any step
    first_samples(series_ids, windows) -> [datetime | None]   # when data began in each window
    default_interval_s() -> float          # the poll interval the store assumes

Maintain (beat tasks in telemetry.tasks)::

    maintain() -> MaintainReport     # partitions ahead, retention
    run_rollups() -> RollupReport    # 5 min and 1 h rollups, late data included
"""

from telemetry.store.backfill import backfill
from telemetry.store.batch import Batch, Frame, SeriesKeyError, key_problem, schema_id, series_key
from telemetry.store.bulk import (
    component_names,
    gpu_latest,
    latest_many,
    port_latest,
    port_rates,
    recent_rates,
)
from telemetry.store.config import default_interval_s
from telemetry.store.counters import GAP_INTERVALS, Energy, counter_deltas, energy, rate, samples
from telemetry.store.coverage import first_samples
from telemetry.store.ingest import IngestResult, ingest
from telemetry.store.maintain import MaintainReport, maintain
from telemetry.store.queries import Latest, QueryResult, choose_resolution, latest, query
from telemetry.store.registry import find_series, reporting_devices
from telemetry.store.rollups import RollupReport, run_rollups
from telemetry.store.sums import summed_history, summed_raw

__all__ = [
    "Batch",
    "Energy",
    "Frame",
    "IngestResult",
    "Latest",
    "MaintainReport",
    "QueryResult",
    "RollupReport",
    "choose_resolution",
    "component_names",
    "default_interval_s",
    "gpu_latest",
    "latest_many",
    "port_latest",
    "port_rates",
    "recent_rates",
    "backfill",
    "summed_history",
    "summed_raw",
    "counter_deltas",
    "energy",
    "find_series",
    "first_samples",
    "ingest",
    "latest",
    "maintain",
    "query",
    "rate",
    "samples",
    "GAP_INTERVALS",
    "reporting_devices",
    "run_rollups",
    "schema_id",
    "series_key",
    "SeriesKeyError",
    "key_problem",
]
