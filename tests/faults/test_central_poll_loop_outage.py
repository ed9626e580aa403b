"""Central polls through a broker outage, and through PostgreSQL going away: the
self-timed poller (``manage.py poll_loop``) keeps reading, and every poll it logged is in
the store once.

A Modbus cooling unit (the simulator, on loopback) is polled every second by a
``poll_loop`` process, with ``TELEMETRY_CENTRAL_SELF_TIMED`` on, as in production. The
(scratch) Redis is shut down for ``DCIM_FAULT_BROKER_OUTAGE_S`` seconds (300, the issue's
five minutes, unless set lower: .ci/run does): nothing on the loop's path needs it, so
each second of the outage must be polled and stored as it happens. Then the (scratch)
PostgreSQL server is stopped for a few seconds: the loop polls the target from memory,
spools each result on disk and stores the spool, in order, once the server is back. The
loop logs each poll's target, time and number of values; the store must hold exactly
those, per poll time.
"""

from __future__ import annotations

import itertools
import os
import re
import signal
import sys
import time
from datetime import datetime

import pytest
from django.utils import timezone

from dcim.alerts.models import Alert, Rule
from dcim.inventory.tests.factories import make_credential, make_device
from telemetry import store
from telemetry.models import CollectionTarget, Protocol
from telemetry.simulators.modbus import ModbusSimulator
from tests.faults.harness import (
    FAULTS,
    count,
    logs_of,
    scratch_services,
    start_python,
    stored_values,
    wait_for,
    worker_env,
)

pytestmark = FAULTS

OUTAGE_S = float(os.environ.get("DCIM_FAULT_BROKER_OUTAGE_S", "300"))
PG_DOWN_S = 8.0
INTERVAL_S = 1
POLL_LINE = re.compile(r" poll (\d+) (\S+) (\d+) values (stored|spooled|refused)$", re.MULTILINE)


def loop_polls(text: str) -> list[tuple[datetime, int, str]]:
    return [(datetime.fromisoformat(t), int(n), how) for _, t, n, how in POLL_LINE.findall(text)]


def max_gap_s(polls: list[tuple[datetime, int, str]]) -> float:
    times = sorted(t for t, _, _ in polls)
    return max(((b - a).total_seconds() for a, b in itertools.pairwise(times)), default=0.0)


@pytest.fixture
def crah():
    with ModbusSimulator({3: "crah_stulz"}, port=0) as sim:
        yield CollectionTarget.objects.create(
            device=make_device(name="fault-loop-crah-01"),
            protocol=Protocol.MODBUS,
            address="127.0.0.1",
            port=sim.port,
            credential=make_credential(kind="modbus", modbus_unit_id=3),
            profile="crah_stulz",
            interval_s=INTERVAL_S,
            timeout_s=2,
            retries=0,
            next_poll_at=timezone.now(),
        )


def test_poll_loop_reads_through_broker_and_postgres_outages(broker, procs, crah, tmp_path):
    env = worker_env(broker, TELEMETRY_CENTRAL_SELF_TIMED="1")
    args = ["manage.py", "poll_loop", "--protocols", "modbus", "--tick-s", "0.25"]
    start_python(procs, "poll-loop", [*args, "--spool-dir", str(tmp_path / "spool")], env)
    log = procs.logs / "poll-loop.log"
    device = crah.device_id

    assert wait_for(lambda: len(loop_polls(log.read_text())) >= 3, 60, procs), logs_of(procs)
    # -- the broker away -------------------------------------------------------------------
    broker.stop()
    outage_began = time.monotonic()
    # A rule that fires on this unit's next polls: its notice goes to no broker, so the
    # loop's process handles it itself (dcim.alerts.notify.enqueue).
    metric = store.find_series(device_id=device)[0]["metric"]
    rule = Rule.objects.create(
        name="fault-loop-always", metric=metric, threshold=-1e12, device_id=device
    )
    before_outage = len(loop_polls(log.read_text()))
    while time.monotonic() - outage_began < OUTAGE_S:
        procs.check_alive()
        time.sleep(1.0)
    polls_in_outage = loop_polls(log.read_text())[before_outage:]
    stored_in_outage = stored_values([device])  # read while the broker is still away
    broker.start()
    # -- PostgreSQL away -------------------------------------------------------------------
    pg = scratch_services()
    time.sleep(2 * INTERVAL_S)
    pg.stop_postgres()
    time.sleep(PG_DOWN_S)
    pg.start_postgres()
    assert wait_for(lambda: "replayed" in log.read_text(), 60, procs), logs_of(procs)
    time.sleep(3 * INTERVAL_S)  # a few polls stored normally after the replay
    loop = procs.procs.pop("poll-loop")
    loop.send_signal(signal.SIGTERM)
    loop.wait(30)

    text = log.read_text()
    polls = loop_polls(text)
    expected = {(device, t): n for t, n, _ in polls}
    stored = stored_values([device])
    counts = count(expected, stored)
    spooled = sum(1 for _, _, how in polls if how == "spooled")
    in_outage = {(device, t): n for t, n, _ in polls_in_outage}
    line = counts.line(
        "central-poll-loop",
        outage_s=int(OUTAGE_S),
        polls=len(polls),
        polls_in_outage=len(polls_in_outage),
        stored_during_outage=len(set(in_outage) & set(stored_in_outage)),
        max_gap_s=round(max_gap_s(polls_in_outage), 2),
        notices_handled_in_loop=text.count("notify queue unreachable"),
        pg_down_s=PG_DOWN_S,
        polls_spooled=spooled,
        polls_stored=len(stored),
    )
    print(line)
    sys.stdout.flush()
    assert counts.lost == 0 and counts.doubled == 0, f"{line}\n{text[-4000:]}"
    assert len(polls) == len(stored) == len(expected)
    # Every second of the broker outage was read and stored as it happened.
    assert len(polls_in_outage) >= OUTAGE_S / INTERVAL_S - 2
    assert max_gap_s(polls_in_outage) <= 1.5 * INTERVAL_S
    assert set(in_outage) <= set(stored_in_outage)
    assert all(how == "stored" for _, _, how in polls_in_outage)
    # The alert fired during the outage; its notice, refused by the absent broker within
    # the loop's bounded publish, was handled in the loop's process, and the polls went on.
    alert = Alert.objects.get(rule=rule)
    assert alert.state == "firing" and alert.fired_at is not None
    assert "notify queue unreachable" in text and "alert evaluation failed" not in text
    # PostgreSQL away: the loop kept reading, and what it read waited on disk.
    assert spooled >= PG_DOWN_S / INTERVAL_S - 3
    assert "stopped after" in text and "0 still spooled, 0 dropped" in text
    assert loop.returncode == 0
