"""A poller killed mid-poll: the poll is delivered again and re-run, nothing already
stored is stored twice, no target is left without its poll.

One poll message names eight targets: four Modbus cooling units (the simulator) and four
dcgm-exporter endpoints (a loopback HTTP server that holds its first answers). The poller
polls and stores the Modbus group, then hangs in the HTTP group; it is SIGKILLed there,
with the message taken and not acknowledged (``acks_late``). A second poller gets the
message back after the visibility timeout and runs the whole poll again, at a new poll
time: the Modbus values stored before the kill must still be there exactly once, and every
target must have its poll stored. (With the product's longer visibility timeout the
message has expired by then and the next beat cycle polls instead: the same outcome.)
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.utils import timezone

from dcim.inventory.tests.factories import make_credential, make_device
from telemetry.models import CollectionTarget, DeadLetter, Protocol
from telemetry.simulators.modbus import ModbusSimulator
from tests.faults.harness import (
    FAULTS,
    await_redelivery,
    count,
    kill_group,
    logs_of,
    start_worker,
    stored_values,
    wait_for,
    worker_env,
)

pytestmark = FAULTS

FIXTURE = Path(__file__).resolve().parents[2] / "telemetry/tests/fixtures/dcgm_h100_node.txt"
PER_PROTOCOL = 4
POLL_QUEUES = "poll.snmp,poll.modbus,poll.http"


class HoldingExporter:
    """dcgm-exporter text on loopback; holds its first answers until released."""

    def __init__(self) -> None:
        body = FIXTURE.read_bytes()
        self.requests, self.release = 0, threading.Event()
        exporter = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                exporter.requests += 1
                exporter.release.wait(30)
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; version=0.0.4")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def exporter():
    exporter = HoldingExporter()
    yield exporter
    exporter.close()


def make_targets(modbus_port: int, http_port: int) -> tuple[list, list]:
    # Device names order the poll (a- before b-): the Modbus group is polled and stored
    # before the HTTP group starts.
    common = {"address": "127.0.0.1", "interval_s": 60, "timeout_s": 20, "retries": 0}
    common["next_poll_at"] = timezone.now()
    modbus = [
        CollectionTarget.objects.create(
            device=make_device(name=f"a-fault-crah-{i}"),
            protocol=Protocol.MODBUS,
            port=modbus_port,
            credential=make_credential(kind="modbus", modbus_unit_id=3),
            profile="crah_stulz",
            **common,
        )
        for i in range(PER_PROTOCOL)
    ]
    http = [
        CollectionTarget.objects.create(
            device=make_device(name=f"b-fault-gpu-node-{i}"),
            protocol=Protocol.PROMETHEUS,
            port=http_port,
            profile="/metrics",
            **common,
        )
        for i in range(PER_PROTOCOL)
    ]
    return modbus, http


def test_poller_killed_mid_poll_reruns_and_doubles_nothing(broker, procs, exporter):
    with ModbusSimulator({3: "crah_stulz"}, port=0) as sim:
        modbus, http = make_targets(sim.port, exporter.port)
        targets = modbus + http
        devices = [t.device_id for t in targets]
        start_worker(procs, "poller-a", POLL_QUEUES, worker_env(broker), concurrency=1)
        broker.app.send_task(
            "telemetry.tasks.poll_targets",
            args=[[t.pk for t in targets]],
            queue="poll.http",
            expires=120,
        )
        mid_poll = wait_for(lambda: exporter.requests >= PER_PROTOCOL, 60, procs)
        assert mid_poll, logs_of(procs)
        before = stored_values(devices)  # the Modbus group's poll, stored before the kill
        kill_group(procs, "poller-a")
        exporter.release.set()
        await_redelivery()
        start_worker(procs, "poller-b", POLL_QUEUES, worker_env(broker), concurrency=1)

        def every_target_polled_again() -> bool:
            return all(
                t.last_poll_at
                and t.last_poll_at > max((ts for _, ts in before), default=t.last_poll_at)
                for t in CollectionTarget.objects.filter(pk__in=[x.pk for x in targets])
            )

        done = wait_for(every_target_polled_again, 90, procs, 1.0)
        assert done, logs_of(procs)

    polled = {t.pk: t for t in CollectionTarget.objects.filter(pk__in=[x.pk for x in targets])}
    # What the polls produced: the first Modbus poll as stored before the kill, and the
    # re-run's values for every target (as its health records them).
    expected = dict(before)
    for t in polled.values():
        expected[(t.device_id, t.last_poll_at)] = t.last_values
    after = stored_values(devices)
    counts = count(expected, after)
    first_poll_kept = {k: after.get(k) for k in before}
    print(
        counts.line(
            "poller-killed",
            targets=len(targets),
            stored_before_kill=sum(before.values()),
            polls_stored=len(after),
        )
    )
    assert {d for d, _ in before} == {t.device_id for t in modbus}  # the kill was mid-poll
    assert first_poll_kept == before  # nothing already stored was stored again
    assert counts.lost == 0 and counts.doubled == 0
    assert all(t.consecutive_failures == 0 and t.last_values > 0 for t in polled.values())
    assert not DeadLetter.objects.exists()
