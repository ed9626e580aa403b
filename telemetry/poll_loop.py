"""The self-timed central poller: SNMP, Modbus and HTTP targets polled with no broker.

Beat's ``dispatch_polls`` hands central polls to Celery workers through the broker, so
while the broker is away nothing polls them. ``manage.py poll_loop`` polls them itself,
every tick: it claims the due central targets (``claim_due``, the same UPDATE under SKIP
LOCKED as beat's, so several loops, or a loop beside beat, split the work instead of
doubling it), polls each protocol's group concurrently (``polling`` collectors) and stores
each result (``polling.store_result``) straight into PostgreSQL. Nothing on that path
needs the broker. With ``TELEMETRY_CENTRAL_SELF_TIMED`` on, beat leaves central targets
to the loop (ADR 0028).

What follows a store may publish: the ``poll_stored`` receivers (alerting) queue
notifications through Celery. In this process a publish to an absent broker gives up at
once (0.2 s refused, 1 s connect timeout; ``bound_publishing``): the reading is already
stored, the alert's transition committed; only that notice is lost (a firing alert is
notified again by the repeat sweep; a resolved notice is not).

PostgreSQL away: the loop keeps running. It polls the targets it claimed recently on their
own intervals, appends each result to a bounded on-disk spool (telemetry.spool) and
replays it, in order, once PostgreSQL answers again. Ingest is idempotent per value (the
batch is keyed by target and poll time), so a record replayed twice stores nothing twice.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import psycopg
from celery import Celery
from django.db import (
    InterfaceError,
    OperationalError,
    close_old_connections,
    connection,
)

from telemetry import polling
from telemetry.models import CollectionTarget, Protocol
from telemetry.readings import PollResult
from telemetry.spool import Spool

log = logging.getLogger("telemetry.poll_loop")

CENTRAL = (Protocol.SNMP, Protocol.MODBUS, Protocol.PROMETHEUS)
# The database going away or a dropped connection: spool and retry; anything else is not.
# (The store writes through psycopg itself, so its errors come unwrapped.)
DB_DOWN = (OperationalError, InterfaceError, psycopg.OperationalError, psycopg.InterfaceError)
# While results are spooled, try PostgreSQL again this often (not on every tick).
REPLAY_EVERY_S = 5.0
# A notice published from a poll_stored receiver: 2 quick tries, then given up.
PUBLISH_RETRY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}


def protocols_from(text: str) -> list[str]:
    """``snmp,modbus,http`` (``http`` and ``prometheus`` are one) → Protocol values."""
    names = {"snmp": Protocol.SNMP, "modbus": Protocol.MODBUS, "http": Protocol.PROMETHEUS}
    names["prometheus"] = Protocol.PROMETHEUS
    out = []
    for word in (w.strip().lower() for w in text.split(",") if w.strip()):
        if word not in names:
            raise ValueError(f"unknown protocol {word!r}: use snmp, modbus, http")
        out.append(names[word])
    return out or list(CENTRAL)


def claim_due(
    protocols: Iterable[str], now: datetime | None = None, limit: int = 5000
) -> list[CollectionTarget]:
    """``polling.claim_due`` for the given protocols only (a central loop must not claim
    NVML targets; beat, with ``TELEMETRY_CENTRAL_SELF_TIMED``, must not claim central
    ones)."""
    return polling.claim_due(now, limit, protocols=protocols)


def bound_publishing(app: Celery) -> None:
    """Publishes from this process give up fast when the broker is away (a poll tick must
    not wait on Celery's default retries or a 4 s connect timeout per notice)."""
    app.conf.task_publish_retry_policy = PUBLISH_RETRY
    app.conf.broker_connection_timeout = 1.0
    app.conf.broker_connection_max_retries = 1


@dataclass
class Known:
    """A target this loop claimed, kept so it can be polled while PostgreSQL is away."""

    target: CollectionTarget
    due: float  # monotonic time of its next poll when polling from memory
    claimed: float  # monotonic time it was last claimed
    from_memory_at: float | None = None  # last polled while the database was away


class PollLoop:
    """One tick: replay the spool if due, claim, poll, store (or spool). See the module."""

    def __init__(
        self,
        spool: Spool,
        protocols: Iterable[str] = CENTRAL,
        replay_every_s: float = REPLAY_EVERY_S,
    ) -> None:
        self.spool, self.protocols, self.replay_every_s = spool, list(protocols), replay_every_s
        self.known: dict[int, Known] = {}
        self.next_replay = 0.0
        self.db_up = True

    # -- which targets ---------------------------------------------------------------------

    def due_targets(self) -> list[CollectionTarget]:
        """Claimed from the database; from memory while the database is away."""
        now = time.monotonic()
        try:
            claimed = claim_due(self.protocols)
            ids = [t.pk for t in claimed]
            targets = list(CollectionTarget.objects.filter(pk__in=ids).select_related("credential"))
        except DB_DOWN as exc:
            self._db_lost(exc)
            return self._due_from_memory(now)
        if not self.db_up:
            log.info("database back")
        self.db_up = True
        polled = []
        for t in targets:
            k = self.known.get(t.pk)
            self.known[t.pk] = Known(t, now + t.interval_s, now)
            # Claimed late (its time passed while the database was away) but just polled
            # from memory: that poll counts; the claim already set the next one.
            if k is None or k.from_memory_at is None or now - k.from_memory_at >= t.interval_s:
                polled.append(t)
        # A target not claimed here for two intervals is someone else's (another loop).
        stale = [pk for pk, k in self.known.items() if now - k.claimed > 2 * k.target.interval_s]
        for pk in stale:
            del self.known[pk]
        return polled

    def _due_from_memory(self, now: float) -> list[CollectionTarget]:
        out = []
        for k in self.known.values():
            if k.due <= now:
                out.append(k.target)
                k.due = max(k.due + k.target.interval_s, now)
                k.from_memory_at = now
        return out

    def _db_lost(self, exc: Exception) -> None:
        if self.db_up:
            log.warning("database unreachable (%s): polling known targets, spooling", exc)
        self.db_up = False
        with contextlib.suppress(Exception):
            connection.close()  # the next statement connects afresh (to a restarted server)

    # -- one tick --------------------------------------------------------------------------

    def tick(self) -> int:
        """Poll what is due now; returns how many targets were polled."""
        if self.spool.segments() and time.monotonic() >= self.next_replay:
            self.replay()
        targets = self.due_targets()
        by_protocol: dict[str, list[CollectionTarget]] = defaultdict(list)
        for t in targets:
            by_protocol[t.protocol].append(t)
        for protocol, group in by_protocol.items():
            # The pollers' own grouping (polling.poll_targets would re-read the targets
            # from the database, which this loop must do without while it is away).
            for target, result in zip(group, polling.poll_group(protocol, group), strict=True):
                outcome = self.keep(target, result)
                log.info(
                    "poll %s %s %d values %s",
                    target.pk,
                    result.started.isoformat(),
                    len(result.readings),
                    outcome,
                )
        return len(targets)

    def keep(self, target: CollectionTarget, result: PollResult) -> str:
        """'stored', or 'spooled' (on disk, stored later); never loses a result."""
        # Keep the order: while anything is spooled, a new result goes behind it.
        if self.spool.segments():
            self._spool(target, result)
            return "spooled"
        try:
            return self._store(target, result)
        except DB_DOWN as exc:
            self._db_lost(exc)
            self._spool(target, result)
            self.next_replay = time.monotonic() + self.replay_every_s
            return "spooled"

    @staticmethod
    def _store(target: CollectionTarget, result: PollResult) -> str:
        try:
            polling.store_result(target, result)
        except DB_DOWN:
            raise
        except Exception:
            # Not the database being away: a result the store cannot take is the target's
            # failed poll (counted, so collector-down alerts fire), never spooled forever.
            polling.store_isolated(target, result)
            return "refused"
        return "stored"

    def _spool(self, target: CollectionTarget, result: PollResult) -> None:
        self.spool.append({"target": target.pk, "result": result.to_json()})

    def replay(self) -> int:
        """Store spooled results, oldest first; stops (and waits) if the database is away."""
        try:
            stored = self.spool.replay(self._store_record)
        except DB_DOWN as exc:
            self._db_lost(exc)
            self.next_replay = time.monotonic() + self.replay_every_s
            return 0
        log.info("database back: replayed %d spooled results", stored)
        return stored

    def _store_record(self, record: dict) -> None:
        target = CollectionTarget.objects.filter(pk=record["target"]).first()
        if target is None:  # deleted while its result waited on disk
            return
        self._store(target, PollResult.from_json(record["result"]))

    # -- the loop --------------------------------------------------------------------------

    def run(self, tick_s: float, stop: threading.Event) -> int:
        """Tick every ``tick_s`` until ``stop`` is set; returns how many polls were made.
        A failure of one tick is logged and the loop goes on (it must outlive outages)."""
        polls = 0
        next_at = time.monotonic()
        while not stop.is_set():
            try:
                close_old_connections()  # CONN_MAX_AGE, and a connection left broken
                polls += self.tick()
            except Exception:
                log.exception("poll tick failed")
                with contextlib.suppress(Exception):
                    connection.close()
            next_at += tick_s
            if next_at < time.monotonic():  # a slow tick: do not try to catch up in a burst
                next_at = time.monotonic()
            stop.wait(max(0.0, next_at - time.monotonic()))
        return polls
