"""The telemetry store: time series in plain PostgreSQL. Other apps use only these names.

Write::

    ingest(batch) -> IngestResult          # a Batch or its JSON form; idempotent

Read::

    find_series(device_id=, component=, metric=, labels=) -> list[dict]
    latest(series_ids | metric= | device_ids= | component=) -> list[Latest]
    query(series_id, start, end, max_points=1000) -> QueryResult   # raw / 5m / 1h chosen
    rate(series_id, start, end, bits=64) -> QueryResult             # counters, per second
    energy(series_id, start, end) -> Energy                         # joules + coverage

Maintain (beat tasks in telemetry.tasks)::

    maintain() -> MaintainReport     # partitions ahead, retention
    run_rollups() -> RollupReport    # 5 min and 1 h rollups, late data included
"""

from telemetry.store.batch import Batch, Frame, schema_id, series_key
from telemetry.store.counters import Energy, counter_deltas, energy, rate
from telemetry.store.ingest import IngestResult, ingest
from telemetry.store.maintain import MaintainReport, maintain
from telemetry.store.queries import Latest, QueryResult, choose_resolution, latest, query
from telemetry.store.registry import find_series
from telemetry.store.rollups import RollupReport, run_rollups

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
    "counter_deltas",
    "energy",
    "find_series",
    "ingest",
    "latest",
    "maintain",
    "query",
    "rate",
    "run_rollups",
    "schema_id",
    "series_key",
]
