"""Time partitions: names from dates, creation ahead of time and on demand, listing.

Raw samples are partitioned by day, 5-minute rollups by month, hourly rollups by year (see
docs/decisions/0008-telemetry-partition-size.md). Names are generated from dates only, e.g.
``telemetry_sample_p20250601``, and every statement is composed with psycopg.sql.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import transaction
from psycopg import sql

from telemetry.store.db import new_cache, pg

PARTITION_LOCK_KEY = 0x7E1E_0002


@dataclass(frozen=True)
class Kind:
    parent: str
    unit: str  # day, month or year
    fmt: str
    # Rollup rows hold 5 arrays (up to ~4.7 kB at 128 series): keep them inline, never
    # compressed or moved to TOAST (reading one series would detoast the whole row).
    inline: bool = False

    def floor(self, t: datetime) -> datetime:
        t = t.astimezone(UTC)
        if self.unit == "day":
            return t.replace(hour=0, minute=0, second=0, microsecond=0)
        if self.unit == "month":
            return t.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        return t.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)

    def next(self, start: datetime) -> datetime:
        if self.unit == "day":
            return start + timedelta(days=1)
        if self.unit == "month":
            return start.replace(year=start.year + start.month // 12, month=start.month % 12 + 1)
        return start.replace(year=start.year + 1)

    def name(self, start: datetime) -> str:
        return f"{self.parent}_p{start.strftime(self.fmt)}"

    def parse(self, name: str) -> tuple[datetime, datetime] | None:
        m = re.fullmatch(re.escape(self.parent) + r"_p(\d{4,8})", name)
        if not m:
            return None
        start = datetime.strptime(m.group(1), self.fmt).replace(tzinfo=UTC)
        return start, self.next(start)


RAW = Kind("telemetry_sample", "day", "%Y%m%d")
ROLLUP_5M = Kind("telemetry_rollup_5m", "month", "%Y%m", inline=True)
ROLLUP_1H = Kind("telemetry_rollup_1h", "year", "%Y", inline=True)
KINDS = (RAW, ROLLUP_5M, ROLLUP_1H)

_known = new_cache()


def existing(kind: Kind) -> dict[str, tuple[datetime, datetime]]:
    """The partitions of ``kind`` that exist now: name -> [start, end)."""
    rows = (
        pg()
        .execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = %s::regclass",
            [kind.parent],
        )
        .fetchall()
    )
    out = {}
    for (name,) in rows:
        bounds = kind.parse(name)
        if bounds:
            out[name] = bounds
    return out


def ensure(kind: Kind, instants: Iterable[datetime]) -> list[str]:
    """Make sure a partition exists for each instant; returns the names created.

    Known partitions cost nothing (process cache). Missing ones are created under an
    advisory lock, so that two workers seeing the same new day do not race.
    """
    wanted = {kind.name(s): s for s in {kind.floor(t) for t in instants}}
    known = _known.scope()
    missing = [n for n in wanted if n not in known]
    if not missing:
        return []
    conn = pg()
    present = {
        r[0]
        for r in conn.execute(
            "SELECT n FROM unnest(%s::text[]) AS n WHERE to_regclass(n) IS NOT NULL", [missing]
        )
    }
    created = []
    todo = [n for n in missing if n not in present]
    if todo:
        with transaction.atomic():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", [PARTITION_LOCK_KEY])
            for name in todo:
                start = wanted[name]
                cur = conn.execute(
                    sql.SQL(
                        "SELECT to_regclass({})",
                    ).format(sql.Literal(name))
                )
                if cur.fetchone()[0] is not None:
                    continue
                stmt = "CREATE TABLE {} PARTITION OF {} FOR VALUES FROM ({}) TO ({})"
                if kind.inline:
                    stmt += " WITH (toast_tuple_target = 8160)"
                conn.execute(
                    sql.SQL(stmt).format(
                        sql.Identifier(name),
                        sql.Identifier(kind.parent),
                        sql.Literal(start),
                        sql.Literal(kind.next(start)),
                    )
                )
                created.append(name)
    _known.add_on_commit(dict.fromkeys(missing, True))
    return created


def create_ahead(now: datetime, days_ahead: int, days_back: int = 0) -> list[str]:
    """Create raw partitions from ``days_back`` days ago to ``days_ahead`` days ahead, and
    the current and next rollup partitions. Called by the beat task; idempotent."""
    days = [now + timedelta(days=d) for d in range(-days_back, days_ahead + 1)]
    created = ensure(RAW, days)
    created += ensure(ROLLUP_5M, [now, now + timedelta(days=32)])
    created += ensure(ROLLUP_1H, [now, now + timedelta(days=366)])
    return created


def forget() -> None:
    """Drop the process cache of known partitions (after retention dropped some)."""
    _known.clear()
