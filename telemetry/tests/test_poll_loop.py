"""The self-timed central poller (telemetry.poll_loop, ``manage.py poll_loop``): a tick
claims, polls and stores with no broker; PostgreSQL away, results wait in the spool and
are stored once when it is back; SIGTERM stops the command cleanly; beat leaves central
targets alone when the loop owns them; a notice published to an absent broker gives up
fast. Against the Modbus simulator on loopback; the broker really stopped for minutes is
tests/faults/test_central_poll_loop_outage.py."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from celery import Celery
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from dcim.inventory.tests.factories import make_credential, make_device
from telemetry import poll_loop, tasks
from telemetry.models import CollectionTarget, Protocol
from telemetry.simulators.modbus import ModbusSimulator
from telemetry.spool import Spool
from telemetry.tests.test_collection_e2e import database_url


@pytest.fixture
def sim():
    with ModbusSimulator({3: "crah_stulz"}, port=0) as sim:
        yield sim


def crah(port: int, name: str = "loop-crah-01", **kw) -> CollectionTarget:
    kw.setdefault("next_poll_at", timezone.now())
    return CollectionTarget.objects.create(
        device=make_device(name=name),
        protocol=Protocol.MODBUS,
        address="127.0.0.1",
        port=port,
        credential=make_credential(kind="modbus", modbus_unit_id=3),
        profile="crah_stulz",
        interval_s=1,
        timeout_s=2,
        retries=0,
        **kw,
    )


def polls_stored(device_id: int) -> dict:
    """poll time -> values held for the device."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT s.ts, count(*) FROM telemetry_sample s JOIN telemetry_series se "
            "ON se.set_id = s.set_id AND s.vals[se.slot] IS NOT NULL "
            "WHERE se.device_id = %s GROUP BY s.ts",
            [device_id],
        )
        return dict(cur.fetchall())


@pytest.mark.django_db
def test_a_tick_claims_polls_and_stores_only_due_central_targets(sim, tmp_path, caplog):
    due = crah(sim.port)
    later = crah(sim.port, "loop-crah-02", next_poll_at=timezone.now() + timedelta(hours=1))
    gpu = CollectionTarget.objects.create(
        device=make_device(name="loop-gpu-01"),
        protocol=Protocol.NVML,
        address="loop-gpu-01",
        next_poll_at=timezone.now(),
    )
    loop = poll_loop.PollLoop(Spool(tmp_path / "spool"))
    caplog.set_level("INFO", logger="telemetry.poll_loop")
    assert loop.tick() == 1
    due.refresh_from_db()
    assert due.consecutive_failures == 0 and due.last_values > 0
    (ts, n), *_ = polls_stored(due.device_id).items()
    assert ts == due.last_poll_at and n == due.last_values  # every value read is held
    assert f"poll {due.pk} {ts.isoformat()} {n} values stored" in caplog.text
    later.refresh_from_db()
    assert later.last_poll_at is None
    gpu.refresh_from_db()
    assert gpu.next_poll_at <= timezone.now()  # NVML is the agent's, never claimed here
    assert loop.tick() == 0  # claimed: next due one interval on
    assert loop.spool.pending() == 0


def test_protocols_are_named_as_on_the_command_line():
    assert poll_loop.protocols_from("snmp, http") == [Protocol.SNMP, Protocol.PROMETHEUS]
    assert poll_loop.protocols_from("") == list(poll_loop.CENTRAL)
    with pytest.raises(ValueError, match="unknown protocol 'nvml'"):
        poll_loop.protocols_from("modbus,nvml")


@pytest.mark.django_db(transaction=True)
def test_postgres_away_results_are_spooled_and_stored_once_when_back(sim, tmp_path):
    target = crah(sim.port)
    loop = poll_loop.PollLoop(Spool(tmp_path / "spool"), replay_every_s=0)
    assert loop.tick() == 1  # claimed (so known) and stored
    saved = dict(connection.settings_dict)
    connection.close()
    # Nothing listens there: every statement fails to connect, as with a server down.
    connection.settings_dict.update(HOST=str(tmp_path), PORT="5999")
    try:
        polled_away = 0
        for _ in range(3):
            time.sleep(1.05)  # the target's interval: due again from memory
            polled_away += loop.tick()  # never raises
        assert not loop.db_up
        assert polled_away == 3 and loop.spool.pending() == 3
    finally:
        connection.close()
        connection.settings_dict.update(saved)
    # Back: the 3 spooled are stored, oldest first; the target, overdue in the database
    # but polled from memory a moment ago, is claimed and not polled twice in a row.
    assert loop.tick() == 0
    assert loop.db_up and loop.spool.pending() == 0
    assert len(polls_stored(target.device_id)) == 4
    time.sleep(1.05)
    assert loop.tick() == 1
    stored = polls_stored(target.device_id)
    assert len(stored) == 5  # the first poll, 3 from the spool, 1 after
    assert len(set(stored.values())) == 1  # each poll's values held once, none doubled
    target.refresh_from_db()
    assert target.last_poll_at == max(stored)
    assert loop.spool.replay(lambda record: None) == 0  # nothing left to replay twice


@pytest.mark.django_db(transaction=True)
def test_the_command_stops_cleanly_on_sigterm(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": database_url(connection.settings_dict),
        "CELERY_BROKER_URL": f"redis+socket://{tmp_path}/no-broker.sock",
    }
    command = [sys.executable, "manage.py", "poll_loop", "--tick-s", "0.2"]
    proc = subprocess.Popen(  # noqa: S603 - our own interpreter and manage.py
        [*command, "--spool-dir", str(tmp_path / "spool")],
        cwd=django_settings.BASE_DIR,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first = proc.stderr.readline()
        assert first.startswith("poll_loop: snmp,modbus,prometheus every 0.2 s"), first
        time.sleep(1.0)  # a few ticks
        proc.send_signal(signal.SIGTERM)
        _, rest = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, rest
    assert "poll_loop stopped after 0 polls; 0 still spooled, 0 dropped" in rest
    # Bad options are a clear error, before anything runs.
    again = subprocess.run(  # noqa: S603
        [*command, "--spool-dir", str(tmp_path / "spool"), "--tick-s", "0"],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert again.returncode == 1 and "--tick-s must be positive" in again.stderr


@pytest.mark.django_db
def test_beat_leaves_central_targets_to_the_loop(settings, monkeypatch, sim):
    sent = []

    class Recorder:  # the broker is not what this test is about: record what is sent
        def send_task(self, name, **kw):
            sent.append((name, kw["queue"]))

    monkeypatch.setattr(tasks, "current_app", Recorder())
    monkeypatch.setattr(tasks.poll_targets, "apply_async", lambda **kw: sent.append(kw))
    central = crah(sim.port)
    CollectionTarget.objects.create(
        device=make_device(name="loop-gpu-02"),
        protocol=Protocol.NVML,
        address="loop-gpu-02",
        next_poll_at=timezone.now(),
    )
    settings.TELEMETRY_CENTRAL_SELF_TIMED = True
    assert tasks.dispatch_polls() == {"nvml.loop-gpu-02": 1}
    assert sent == [("telemetry.collect_nvml", "nvml.loop-gpu-02")]
    before = central.next_poll_at
    central.refresh_from_db()
    assert central.next_poll_at == before  # unclaimed: the loop's to claim
    settings.TELEMETRY_AGENTS_SELF_TIMED = True
    CollectionTarget.objects.update(next_poll_at=timezone.now())
    assert tasks.dispatch_polls() == {}
    settings.TELEMETRY_CENTRAL_SELF_TIMED = False
    settings.TELEMETRY_AGENTS_SELF_TIMED = False
    assert tasks.dispatch_polls() == {"poll.modbus": 1, "nvml.loop-gpu-02": 1}


def test_a_notice_published_to_an_absent_broker_gives_up_fast(tmp_path):
    """What an alert's notice costs the loop while the broker is away (TCP and socket)."""
    for url in ("redis://127.0.0.1:1/0", f"redis+socket://{tmp_path}/no-broker.sock"):
        app = Celery("poll-loop-test", broker=url)
        poll_loop.bound_publishing(app)
        began = time.monotonic()
        with pytest.raises((BrokerError, OSError)):
            app.send_task("dcim.alerts.tasks.notify_alert", args=[1, "firing"], queue="notify")
        assert time.monotonic() - began < 3.0


def test_sigterm_ends_run_after_the_current_tick(tmp_path):
    class Counting(poll_loop.PollLoop):
        def tick(self) -> int:
            return 1

    loop = Counting(Spool(Path(tmp_path) / "spool"))
    stop = threading.Event()
    threading.Timer(0.35, stop.set).start()
    began = time.monotonic()
    assert loop.run(0.1, stop) in (3, 4, 5)
    assert time.monotonic() - began < 1.0
