"""The broker transport's copies (telemetry/broker.py): a task message taken off its queue
by a worker that dies before recording it unacked comes back; nothing else does.

Against a real Redis of the test's own. "The worker dies after BRPOP" is a plain BRPOP by
another client, the message's bytes then dropped: exactly what a SIGKILL at that moment
leaves. The whole worker killed mid-stream is tests/faults/test_ingest_worker_killed.py.
"""

from __future__ import annotations

import json

import pytest
import redis
from celery import Celery
from kombu import Connection, Queue

from telemetry import broker

QUEUE = "ingest"


@pytest.fixture
def client(private_redis):
    return redis.Redis(unix_socket_path=private_redis.removeprefix("redis+socket://"))


def send(url: str, n: int) -> None:
    Celery("copies-test", broker=url).send_task("tests.echo", args=[n], queue=QUEUE)


def sweep(url: str, visibility_timeout: float) -> int:
    with Connection(url, transport_options={"visibility_timeout": visibility_timeout}) as conn:
        return conn.default_channel.qos.restore_lost()


def take(url: str) -> list[int]:
    """Consume and acknowledge everything queued (as a worker does); the args, in order."""
    got = []
    with Connection(url) as conn, conn.SimpleQueue(QUEUE) as queue:
        while True:
            try:
                message = queue.get(timeout=0.5)
            except queue.Empty:
                return got
            got.append(message.payload[0][0])
            message.ack()


def test_the_transport_is_the_one_kombu_uses_for_redis_urls(private_redis):
    with Connection(private_redis) as conn:
        assert isinstance(conn.default_channel, broker.Channel)


def test_a_copy_lives_from_publish_until_a_worker_records_the_message(private_redis, client):
    send(private_redis, 1)
    assert client.hlen(broker.COPIES) == 1 and client.zcard(broker.COPIES_INDEX) == 1
    with Connection(private_redis) as conn, conn.SimpleQueue(QUEUE) as queue:
        message = queue.get(timeout=2)
        # Taken: unacked holds it now, the copy is gone.
        assert client.hlen(broker.COPIES) == 0 and client.zcard(broker.COPIES_INDEX) == 0
        assert client.hexists("unacked", message.delivery_tag)
        message.ack()
    assert client.hlen("unacked") == 0


def test_a_message_lost_between_brpop_and_unacked_is_queued_again(private_redis, client):
    for n in (1, 2, 3):
        send(private_redis, n)
    assert client.brpop([QUEUE], timeout=2)  # taken, then the taker is killed: no unacked
    assert client.llen(QUEUE) == 2 and client.hlen("unacked") == 0
    assert sweep(private_redis, visibility_timeout=3600) == 0  # not due yet
    assert sweep(private_redis, visibility_timeout=0) == 1
    assert sorted(take(private_redis)) == [1, 2, 3]
    assert client.hlen(broker.COPIES) == 0 and client.hlen("unacked") == 0
    assert sweep(private_redis, visibility_timeout=0) == 0


def test_a_sweep_never_doubles_a_message_still_queued_or_unacked(private_redis, client):
    send(private_redis, 1)  # still queued
    send(private_redis, 2)
    with Connection(private_redis) as conn, conn.SimpleQueue(QUEUE) as queue:
        taken = queue.get(timeout=2)  # the oldest: unacked now, its copy gone
        client.hset(broker.COPIES, taken.delivery_tag, f"{QUEUE}\n{json.dumps(taken._raw)}")
        client.zadd(broker.COPIES_INDEX, {taken.delivery_tag: 0})  # as if append was cut short
        assert sweep(private_redis, visibility_timeout=0) == 0
        assert client.llen(QUEUE) == 1 and client.hlen(broker.COPIES) == 1  # only the queued one's
        taken.ack()
    assert take(private_redis) == [2]


def test_redelivery_of_an_unacked_message_keeps_a_copy_again(private_redis, client):
    send(private_redis, 7)
    with Connection(private_redis) as conn, conn.SimpleQueue(QUEUE) as queue:
        message = queue.get(timeout=2)
        message.requeue()  # kombu's restore path: queued again
    assert client.hlen(broker.COPIES) == 1
    client.brpop([QUEUE], timeout=2)  # and lost again between BRPOP and unacked
    assert sweep(private_redis, visibility_timeout=0) == 1
    assert take(private_redis) == [7]


def test_messages_that_are_not_tasks_get_no_copy(private_redis, client):
    with Connection(private_redis) as conn:
        conn.Producer().publish({"reply": 1}, routing_key="replies", declare=[Queue("replies")])
    assert client.llen("replies") == 1 and client.hlen(broker.COPIES) == 0
