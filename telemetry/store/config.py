"""Store settings: defaults here, overridable with a ``TELEMETRY_STORE`` dict in settings.

Retention and partition sizes are read on every call (cheap), so a test can override them
with ``settings.TELEMETRY_STORE = {...}``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings

# Series ids are set_id * SLOTS + slot, so rollups can name a series without a join.
SLOTS = 256
# A wide row holds at most this many values: 128 float8 values make a ~1.1 kB row, well
# under PostgreSQL's 2 kB TOAST threshold (a TOASTed array would be compressed, slowly).
MAX_SET_WIDTH = 128
ROLLUP_LOCK_KEY = 0x7E1E_0001  # advisory lock shared by ingest, exclusive for the watermark


@dataclass(frozen=True)
class StoreConfig:
    raw_retention: timedelta | None = timedelta(days=14)
    rollup_5m_retention: timedelta | None = timedelta(days=400)
    rollup_1h_retention: timedelta | None = None  # kept
    days_ahead: int = 3  # raw partitions created ahead of today
    max_future: timedelta = timedelta(minutes=10)  # clock-skew allowance for agents
    rollup_grace: timedelta = timedelta(minutes=1)  # a bucket is rolled this long after it ends
    default_interval_s: float = 15.0  # poll interval assumed when a query is not told one
    # A device with more series than this gets no new ones (refused "series_cap"): the
    # biggest real devices (a 64-port switch, an 8-GPU host) have a few thousand at most,
    # so only a runaway label or component (one series per request id ...) reaches it.
    max_series_per_device: int = 20_000


def get_config() -> StoreConfig:
    """The configuration now in force (settings.TELEMETRY_STORE overrides the defaults)."""
    overrides = getattr(settings, "TELEMETRY_STORE", None) or {}
    return StoreConfig(**overrides)


def default_interval_s() -> float:
    """The poll interval the store assumes where a caller does not say (gaps, staleness)."""
    return float(get_config().default_interval_s)
