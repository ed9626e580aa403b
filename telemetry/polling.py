"""From collection targets in the database to readings in the store.

Plain functions, called by the Celery tasks in telemetry.tasks and by tests:

- ``claim_due(now)``: which enabled targets are due, claimed atomically so that two beat
  ticks (or two dispatchers) never poll one target twice;
- ``poll_targets(ids)``: poll central targets (SNMP, Modbus, Prometheus) concurrently, then
  ``store_result`` each;
- ``store_result(target, result)``: readings → the store's ingest, health → the target,
  then the ``poll_stored`` signal (telemetry.signals) for alerting and other listeners.

NVML targets are polled on their GPU host (telemetry.agent); their results come back
through the broker and end in ``store_result`` too.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Min, Q
from django.utils import timezone

from telemetry import store
from telemetry.collectors import modbus, nvml, prometheus, snmp
from telemetry.collectors.snmp_engine import SnmpCredentials
from telemetry.models import CollectionTarget, Protocol
from telemetry.readings import PollResult
from telemetry.signals import poll_stored

log = logging.getLogger(__name__)


def claim_due(
    now: datetime | None = None, limit: int = 5000, protocols: Iterable[str] | None = None
) -> list[CollectionTarget]:
    """Enabled targets whose time has come (of ``protocols`` only, when given: a central
    poll loop never claims a GPU host's NVML target); their next_poll_at moves one
    interval on.

    One UPDATE ... RETURNING under SKIP LOCKED: concurrent dispatchers split the work
    instead of doubling it, and a target's schedule never drifts by more than a tick.
    """
    now = now or timezone.now()
    with transaction.atomic():
        due = CollectionTarget.objects.select_for_update(skip_locked=True).filter(
            enabled=True, next_poll_at__lte=now
        )
        if protocols is not None:
            due = due.filter(protocol__in=list(protocols))
        due = list(due.order_by("next_poll_at")[:limit])
        for target in due:
            # Keep the phase, but never schedule into the past after a long stop.
            step = timedelta(seconds=target.interval_s)
            nxt = target.next_poll_at + step
            target.next_poll_at = nxt if nxt > now else now + step
        CollectionTarget.objects.bulk_update(due, ["next_poll_at"])
    return due


def poll_targets(ids: Iterable[int]) -> list[PollResult]:
    """Poll central targets by id (grouped by protocol, each group concurrently), store all."""
    targets = list(
        CollectionTarget.objects.filter(pk__in=list(ids), enabled=True).select_related("credential")
    )
    by_protocol: dict[str, list[CollectionTarget]] = defaultdict(list)
    for target in targets:
        by_protocol[target.protocol].append(target)
    results: list[PollResult] = []
    for protocol, group in by_protocol.items():
        if protocol == Protocol.NVML:
            raise ValueError("NVML targets are polled on their GPU host, not centrally")
        for target, result in zip(group, poll_group(protocol, group), strict=True):
            store_isolated(target, result)
            results.append(result)
    return results


def store_isolated(target: CollectionTarget, result: PollResult) -> int:
    """``store_result``, but a failure to store one target's result is that target's
    failed poll (counted, so collector-down alerts fire), never the chunk's: the other
    targets polled with it are stored as usual."""
    try:
        return store_result(target, result)
    except Exception as exc:  # one bad result must not drop the others of its chunk
        log.exception("storing the poll of target %s failed", target.pk)
        target.refresh_from_db(fields=["consecutive_failures", "last_poll_at"])
        target.record(
            ok=False,
            at=result.started,
            latency_s=result.latency_s,
            error=printable(f"storing the poll's results failed: {type(exc).__name__}: {exc}"),
            values=0,
            skipped={"store_failed": len(result.readings)},
        )
        result.error = result.error or "storing the poll's results failed"
        return 0


def poll_group(protocol: str, targets: list[CollectionTarget]) -> list[PollResult]:
    """Results in the targets' order. A target whose settings cannot even make a poll
    (a credential the collector refuses) is that target's error, not the group's."""
    if protocol == Protocol.SNMP:
        build, poll_many = snmp_target, snmp.poll_many
    elif protocol == Protocol.MODBUS:
        build, poll_many = modbus_target, modbus.poll_many
    elif protocol == Protocol.PROMETHEUS:
        build, poll_many = scrape_target, prometheus.poll_many
    else:
        raise ValueError(f"unknown protocol {protocol!r}")
    results: list[PollResult | None] = [None] * len(targets)
    specs = []
    for i, target in enumerate(targets):
        try:
            specs.append((i, build(target)))
        except (ValueError, TypeError, KeyError) as exc:
            error = f"target settings cannot be polled: {exc}"
            results[i] = PollResult(target=str(target.pk), error=error)
    for (i, _spec), result in zip(specs, poll_many([s for _, s in specs]), strict=True):
        results[i] = result
    return results


def snmp_target(target: CollectionTarget) -> snmp.SnmpTarget:
    cred = target.credential
    if cred is None or cred.kind == "snmp_v2c":
        credentials = SnmpCredentials(version="2c", community=cred.snmp_community if cred else "")
    else:
        credentials = SnmpCredentials(
            version="3",
            user=cred.snmp_user,
            auth_protocol=cred.auth_protocol,
            auth_key=cred.auth_key,
            priv_protocol=cred.priv_protocol,
            priv_key=cred.priv_key,
        )
    return snmp.SnmpTarget(
        address=target.address,
        credentials=credentials,
        profiles=target.profile,
        port=target.port or 161,
        timeout=target.timeout_s,
        retries=target.retries,
        name=str(target.pk),
    )


def modbus_target(target: CollectionTarget) -> modbus.ModbusTarget:
    unit = target.credential.modbus_unit_id if target.credential else 1
    return modbus.ModbusTarget(
        host=target.address,
        port=target.port or 502,
        unit_id=unit,
        register_map=target.profile,
        timeout=target.timeout_s,
        retries=target.retries,
        name=str(target.pk),
    )


def scrape_target(target: CollectionTarget) -> prometheus.ScrapeTarget:
    path = target.profile or "/metrics"
    return prometheus.ScrapeTarget(
        url=f"http://{target.address}:{target.port or 9400}{path}",
        timeout=target.timeout_s,
        name=str(target.pk),
    )


def store_result(target: CollectionTarget, result: PollResult) -> int:
    """Ingest a poll's readings under the target's device and record the target's health.

    Returns how many values were stored. Ingest is idempotent (the batch is keyed by target
    and poll time), so a redelivered result stores nothing twice.
    """
    stored = 0
    skipped = {printable(str(k))[:100]: n for k, n in result.skipped.items()}
    if result.readings:
        batch = store.Batch(batch_id=f"target-{target.pk}/{result.started.isoformat()}")
        # A reading the store cannot hold (a component over its column, a NUL byte) is
        # skipped and counted here, before the write, instead of failing the batch.
        refused: Counter = Counter()
        batch.add_readings(target.device_id, result.readings, result.started, refused)
        for reason, n in refused.items():
            skipped[f"invalid:{reason}"] = skipped.get(f"invalid:{reason}", 0) + n
        if batch.frames:
            outcome = store.ingest(batch)
            stored = outcome.stored
            for reason, n in outcome.refused.items():
                skipped[f"store:{reason}"] = skipped.get(f"store:{reason}", 0) + n
    report = gpu_inventory_report(target, result) if target.protocol == Protocol.NVML else None
    target.record(
        ok=result.ok,
        at=result.started,
        latency_s=result.latency_s,
        error=printable(result.error),
        values=len(result.readings),
        skipped=skipped,
        report=report,
    )
    if result.error:
        log.info("target %s failed: %s", target.pk, result.error)
    # Alerting (and any other listener) reacts here; a failing listener never fails ingest.
    for receiver, error in poll_stored.send_robust(CollectionTarget, target=target, result=result):
        if isinstance(error, Exception):
            log.error("poll_stored receiver %r failed", receiver, exc_info=error)
    return stored


def printable(text: str) -> str:
    """Text a device sent, made storable: PostgreSQL text holds no NUL byte and psycopg
    cannot encode a lone surrogate."""
    return text.replace("\x00", "\\x00").encode("utf-8", "backslashreplace").decode()


def gpu_inventory_report(target: CollectionTarget, result: PollResult) -> dict | None:
    """Reconcile the GPUs a host reports with the inventory's: unknown and missing GPUs
    are reported on the target (admin shows them), never added or deleted silently."""
    present = [e for e in result.events if e.get("kind") == "identity"]
    if not result.ok or not present:
        return None
    recorded = target.device.gpus.values("index", "uuid", "serial", "pci_bus_id")
    outcome = nvml.reconcile(present, [{k: v for k, v in g.items() if v} for g in recorded])
    return {
        "unknown_gpus": [g.get("uuid") or g.get("serial") for g in outcome["unknown"]],
        "missing_gpus": [g.get("uuid") or f"index {g.get('index')}" for g in outcome["missing"]],
        "changed": [m["changes"] for m in outcome["matched"] if m["changes"]],
    }


def failing(min_failures: int = 1):
    """Enabled targets failing right now, worst first (for pages and alert rules)."""
    return (
        CollectionTarget.objects.filter(enabled=True, consecutive_failures__gte=min_failures)
        .select_related("device")
        .order_by(F("consecutive_failures").desc(), "device__name")
    )


def health_summary() -> dict[str, int]:
    """Counts of targets by state: up, down, new (never polled), disabled."""
    qs = CollectionTarget.objects
    return {
        "up": qs.filter(enabled=True, last_poll_at__isnull=False, consecutive_failures=0).count(),
        "down": qs.filter(enabled=True, consecutive_failures__gt=0).count(),
        "new": qs.filter(enabled=True, last_poll_at__isnull=True).count(),
        "disabled": qs.filter(~Q(enabled=True)).count(),
    }


def shortest_interval_s() -> float:
    """The shortest enabled poll interval: nothing new arrives faster than this."""
    shortest = CollectionTarget.objects.filter(enabled=True).aggregate(m=Min("interval_s"))["m"]
    return float(shortest or store.default_interval_s())
