"""The alerting benchmark: reading ingested → alert firing → email handed to SMTP.

Setup (in a scratch database): 1,250 GPU hosts × 8 GPUs = 10,000 GPU temperature series,
covered by 10,000 per-GPU rules (device + component scoped) plus the built-in pack; one
NVML collection target per host; an email route to a real SMTP listener (aiosmtpd on
loopback). Every host is polled once first (nothing fires), so the index, marks and store
are warm as in production.

Each trial stores one poll of one host through ``telemetry.polling.store_result`` (ingest,
target health, the alert hook), with GPU 0 at 95 °C:

- ``fire_latency_s``: from before store_result until the firing alert is committed
  (store_result returns with it committed; checked);
- ``email_latency_s``: from the same instant until the SMTP listener has the message.
  Notifications go through ``notify.enqueue`` to a worker thread that runs exactly what the
  Celery task runs (``notify.process``); the broker hop of a real deployment is not in it.
"""

from __future__ import annotations

import logging
import queue
import statistics
import threading
import time
from datetime import UTC, datetime

from django.conf import settings
from django.db import close_old_connections, connections

from dcim.alerts import notify
from dcim.alerts.engine import evaluate
from dcim.alerts.models import Alert, Channel, ChannelKind, Route, Rule, State
from dcim.inventory.choices import DeviceRole
from dcim.inventory.models import GPU, Device, DeviceType, Manufacturer, Rack, Room, Site
from telemetry.models import CollectionTarget
from telemetry.polling import store_result
from telemetry.readings import PollResult

HOSTS, GPUS = 1250, 8


def _setup(hosts: int, smtp_port: int, log) -> list:
    site = Site.objects.create(name="Bench", slug="bench")
    room = Room.objects.create(site=site, name="Hall")
    rack = Rack.objects.create(room=room, name="R1")
    maker = Manufacturer.objects.create(name="Bench", slug="bench")
    dtype = DeviceType.objects.create(
        manufacturer=maker, model="G8", slug="g8", u_height=0, default_role=DeviceRole.GPU_SERVER
    )
    devices = Device.objects.bulk_create(
        Device(
            name=f"bench-gpu-{i:05d}",
            device_type=dtype,
            role=DeviceRole.GPU_SERVER,
            site=site,
            room=room,
            rack=rack,
        )
        for i in range(hosts)
    )
    GPU.objects.bulk_create(GPU(device=d, index=g) for d in devices for g in range(GPUS))
    Rule.objects.bulk_create(
        Rule(
            name=f"bench {d.name} gpu{g} hot",
            metric="gpu_temperature_celsius",
            condition="gt",
            threshold=85,
            severity="critical",
            device=d,
            component=f"gpu{g}",
            summary_template="{{ subject }} at {{ value }} °C",
        )
        for d in devices
        for g in range(GPUS)
    )
    targets = CollectionTarget.objects.bulk_create(
        CollectionTarget(device=d, protocol="nvml", address=d.name) for d in devices
    )
    channel = Channel.objects.create(
        name="bench", kind=ChannelKind.EMAIL, email_to="oncall@example.com"
    )
    Route.objects.create(channel=channel, min_severity="critical")
    log(f"setup: {hosts} hosts, {hosts * GPUS} GPU series, {Rule.objects.count()} rules")
    return targets


def _poll(target, hot: bool):
    result = PollResult(target.address, started=datetime.now(UTC))
    for g in range(GPUS):
        c = f"gpu{g}"
        result.add("gpu_temperature_celsius", 95.0 if hot and g == 0 else 60.0, "celsius", c)
        result.add("gpu_temperature_slowdown_celsius", 89.0, "celsius", c)
        result.add("gpu_power_watts", 400.0, "watts", c)
        result.add("gpu_ecc_uncorrected_volatile_total", 0.0, "count", c)
        result.add("gpu_xid_last", 0.0, "xid", c)
    return result


def run(hosts: int = HOSTS, trials: int = 20, log=print) -> dict:
    # Optional: aiosmtpd, the SMTP peer, is a test extra; the product image has no aiosmtpd.
    from dcim.alerts.tests.servers import start_smtp

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's per-command log
    controller, inbox = start_smtp()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    work: queue.Queue = queue.Queue()

    def worker() -> None:
        while (items := work.get()) is not None:
            for alert_id, kind in items:
                notify.process(alert_id, kind)
            close_old_connections()
        connections.close_all()  # this thread's connection, so the scratch DB can be dropped

    thread = threading.Thread(target=worker, daemon=True)
    thread.start()
    notify.handoff = work.put
    try:
        targets = _setup(hosts, controller.port, log)
        t = time.perf_counter()
        for target in targets:
            store_result(target, _poll(target, hot=False))
        prime = time.perf_counter() - t
        # The hook's own cost on a quiet batch (nothing changes state).
        eval_ms = []
        for target in targets[:200]:
            r = _poll(target, hot=False)
            t = time.perf_counter()
            evaluate(target.device_id, r.readings, r.started, target=target)
            eval_ms.append((time.perf_counter() - t) * 1000)
        fire, mail = [], []
        step = max(1, len(targets) // trials)
        for target in targets[::step][:trials]:
            inbox.event.clear()
            sent_before = len(inbox.messages)
            result = _poll(target, hot=True)
            t0 = time.perf_counter()
            store_result(target, result)
            t_fire = time.perf_counter()
            assert Alert.objects.filter(
                device_id=target.device_id, component="gpu0", state=State.FIRING
            ).exists()
            if not inbox.event.wait(30):
                raise RuntimeError("no email reached the SMTP listener within 30 s")
            assert len(inbox.messages) == sent_before + 1
            fire.append(t_fire - t0)
            mail.append(inbox.arrived[-1] - t0)
    finally:
        notify.handoff = None
        work.put(None)
        thread.join(5)
        controller.stop()

    def q(xs, p):
        return sorted(xs)[min(len(xs) - 1, int(p * len(xs)))]

    return {
        "fire_latency_s": round(statistics.median(fire), 4),
        "email_latency_s": round(statistics.median(mail), 4),
        "fire_latency_p95_s": round(q(fire, 0.95), 4),
        "email_latency_p95_s": round(q(mail, 0.95), 4),
        "fire_latency_max_s": round(max(fire), 4),
        "email_latency_max_s": round(max(mail), 4),
        "targets_s": {"fire_latency_s": 1.0, "email_latency_s": 5.0},
        "trials": len(fire),
        "series": hosts * GPUS,
        "rules": hosts * GPUS + 20,
        "prime_store_result_ms_per_host": round(prime / hosts * 1000, 2),
        "evaluate_quiet_batch_ms_median": round(statistics.median(eval_ms), 3),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
