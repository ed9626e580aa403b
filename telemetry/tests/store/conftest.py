"""Fixtures for the store tests: clean caches per test, a fixed clock, batch builders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from telemetry.store import Batch
from telemetry.store.db import clear_caches, pg

NOW = datetime(2025, 6, 10, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Registry and partition caches must not outlive a test's rolled-back transaction."""
    clear_caches()
    yield
    clear_caches()


@pytest.fixture
def now() -> datetime:
    return NOW


def gpu_batch(
    device_id: int, times: list[datetime], values, metrics=("a", "b", "c"), component="gpu0"
) -> Batch:
    """A batch of one component's metrics at the given instants (values flat, row-major)."""
    b = Batch(batch_id=f"test-{device_id}")
    sid = b.add_schema([(device_id, component, f"gpu_{m}_watts", "watts", {}) for m in metrics])
    b.add_frame(sid, [t.timestamp() for t in times], list(values))
    return b


def every(start: datetime, n: int, step_s: float = 15.0) -> list[datetime]:
    return [start + timedelta(seconds=step_s * i) for i in range(n)]


def sample_rows(set_id: int | None = None) -> list[tuple]:
    """(partition, set_id, ts, vals) of every stored row, in time order."""
    q = "SELECT tableoid::regclass::text, set_id, ts, vals FROM telemetry_sample"
    params = []
    if set_id is not None:
        q += " WHERE set_id = %s"
        params.append(set_id)
    return pg().execute(q + " ORDER BY set_id, ts", params).fetchall()


def reset_store() -> None:
    """Empty the time-series tables (inside the test's transaction) for a fresh example."""
    pg().execute(
        "TRUNCATE telemetry_sample, telemetry_rollup_5m, telemetry_rollup_1h, "
        "telemetry_latest, telemetry_rollup_pending"
    )
    pg().execute(
        "UPDATE telemetry_rollupstate SET rolled_until = NULL, rolling_from = NULL, "
        "generation = generation + 1"
    )
