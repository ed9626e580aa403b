"""The GPU agent's self-timed mode: results it cannot publish are spooled on disk and
replayed in order once the broker answers; beat sends self-timed agents no polls.

Against a real Redis (a private one on a unix socket) and one that is not there; the
broker really stopped and started again is tests/faults/test_broker_outage.py."""

from __future__ import annotations

import base64
import json

import pytest
import redis
from celery import Celery
from django.utils import timezone

from dcim.inventory.tests.factories import make_device
from telemetry import agent, tasks
from telemetry.models import CollectionTarget, Protocol
from telemetry.spool import Spool


def queued(broker_url: str) -> list[int]:
    """The target ids (first argument) of the ingest messages queued, oldest first."""
    client = redis.Redis(unix_socket_path=broker_url.removeprefix("redis+socket://"))
    messages = [json.loads(raw) for raw in reversed(client.lrange("ingest", 0, -1))]
    return [json.loads(base64.b64decode(m["body"]))[0][0] for m in messages]


def test_publisher_spools_while_the_broker_is_away_and_replays_in_order(tmp_path, private_redis):
    away = Celery("agent-test", broker=f"redis+socket://{tmp_path}/no-broker.sock")
    publisher = agent.Publisher(Spool(tmp_path / "spool"), replay_every_s=0, via=away)
    assert [publisher.deliver([n, {}, "h", "sig"]) for n in (1, 2, 3)] == ["spooled"] * 3
    assert publisher.spool.pending() == 3
    publisher.app = Celery("agent-test", broker=private_redis)  # the broker answers again
    assert publisher.deliver([4, {}, "h", "sig"]) == "published"  # behind the spooled ones
    assert publisher.spool.pending() == 0
    assert publisher.deliver([5, {}, "h", "sig"]) == "published"
    assert queued(private_redis) == [1, 2, 3, 4, 5]


@pytest.mark.django_db
def test_beat_sends_no_polls_to_self_timed_agents(settings, monkeypatch):
    sent = []

    class Recorder:  # the broker is not what this test is about: record what is sent
        def send_task(self, name, **kw):
            sent.append((name, kw["queue"]))

    monkeypatch.setattr(tasks, "current_app", Recorder())
    CollectionTarget.objects.create(
        device=make_device(name="self-timed-01"),
        protocol=Protocol.NVML,
        address="self-timed-01",
        next_poll_at=timezone.now(),
    )
    settings.TELEMETRY_AGENTS_SELF_TIMED = True
    assert tasks.dispatch_polls() == {}
    assert sent == []
    CollectionTarget.objects.update(next_poll_at=timezone.now())
    settings.TELEMETRY_AGENTS_SELF_TIMED = False
    assert tasks.dispatch_polls() == {"nvml.self-timed-01": 1}
    assert sent == [("telemetry.collect_nvml", "nvml.self-timed-01")]
