"""The Redis broker transport, with a copy of each task message kept until a worker has it.

Why: kombu's Redis transport takes a message off its queue (``BRPOP``) and only afterwards,
in the worker's own process, writes it to the unacked set that redelivery restores from
(``QoS.append``). A worker killed between the two (SIGKILL, the OOM killer, a lost host)
loses that message: it is then neither queued nor unacked (kombu issue #305). The
ingest-worker fault test lost one result of 300 that way in CI (ADR 0028).

How: publishing a task message first writes a copy (its queue key and exact payload), then
queues it. A worker that takes the message records it unacked, then deletes the copy. So a
copy outlives its queue entry without an unacked record only when the message was lost in
between. Each visibility-timeout sweep (kombu's ``restore_visible``: at every worker's
start, then about every 100 s) also runs one Lua script that re-queues a copy older than
the visibility timeout that is neither on its queue nor unacked. Any step cut short leaves
more, never less: a copy with an unacked record is dropped by the sweep, a copy of a
message still queued is looked at again one timeout later.

The price is one more round trip per message on each side, and a queued message's bytes
held twice until a worker takes it. Delivery stays at least once:
a message can come twice (as with kombu's own redelivery), which the tasks allow (ingest is
idempotent, notices are keyed). Messages without a task header (remote-control replies,
consumed without acknowledgement) get no copy.

Registered in place of kombu's ``redis``/``rediss`` transports on import, by the Celery
apps (``dcim.celery`` and the GPU-host agent).
"""

from __future__ import annotations

import logging
from time import time

from kombu.transport import TRANSPORT_ALIASES
from kombu.transport import redis as kombu_redis
from kombu.utils.json import dumps

COPIES = "dcim_queued"  # hash: delivery tag -> "<queue key>\n<payload as queued>"
COPIES_INDEX = "dcim_queued_index"  # zset: delivery tag -> when queued or last looked at
log = logging.getLogger(__name__)
SWEEP_LIMIT = 200  # copies looked at per sweep: bounds the script's time in Redis

# KEYS: copies, copies index, unacked hash. ARGV: older than, now, limit.
# A queue key is read from the copy; LPOS with RANK -1 looks from the oldest end, where an
# old message still queued sits.
RESTORE_LOST = """
local tags = redis.call('ZRANGE', KEYS[2], '-inf', ARGV[1], 'BYSCORE', 'LIMIT', 0, ARGV[3])
local restored = 0
for _, tag in ipairs(tags) do
  local entry = redis.call('HGET', KEYS[1], tag)
  if (not entry) or redis.call('HEXISTS', KEYS[3], tag) == 1 then
    redis.call('HDEL', KEYS[1], tag)
    redis.call('ZREM', KEYS[2], tag)
  else
    local cut = string.find(entry, '\\n', 1, true)
    local key = string.sub(entry, 1, cut - 1)
    local payload = string.sub(entry, cut + 1)
    if not redis.call('LPOS', key, payload, 'RANK', -1) then
      redis.call('RPUSH', key, payload)
      restored = restored + 1
    end
    redis.call('ZADD', KEYS[2], ARGV[2], tag)
  end
end
return restored
"""


def is_task(message: dict) -> bool:
    return bool((message.get("headers") or {}).get("task"))


class QoS(kombu_redis.QoS):
    def append(self, message, delivery_tag) -> None:
        # Unacked first: cut short here, the copy is dropped by the next sweep.
        super().append(message, delivery_tag)
        if is_task(message._raw):
            with self.channel.conn_or_acquire() as client:
                client.pipeline().hdel(COPIES, delivery_tag).zrem(
                    COPIES_INDEX, delivery_tag
                ).execute()

    def restore_visible(self, start=0, num=10, interval=10) -> None:
        super().restore_visible(start, num, interval)
        if (self._vrestore_count - 1) % (interval or 1) == 0:  # kombu's throttle: it scanned
            self.restore_lost()

    def restore_lost(self) -> int:
        """Re-queue task messages taken off their queue by a worker that died before it
        recorded them unacked. Returns how many."""
        now = time()
        with self.channel.conn_or_acquire() as client:
            restored = int(
                client.eval(
                    RESTORE_LOST,
                    3,
                    COPIES,
                    COPIES_INDEX,
                    self.unacked_key,
                    now - self.visibility_timeout,
                    now,
                    SWEEP_LIMIT,
                )
            )
        if restored:
            log.warning("queued again %d task message(s) lost between BRPOP and unacked", restored)
        return restored


class Channel(kombu_redis.Channel):
    QoS = QoS

    def _put(self, queue, message, **kwargs) -> None:
        if is_task(message):
            key = self._q_for_pri(queue, self._get_message_priority(message, reverse=False))
            self._keep_copy(key, message, kwargs.get("_publish_batch"))
        super()._put(queue, message, **kwargs)

    def _do_restore_message(self, payload, exchange, routing_key, pipe, leftmost=False):
        # kombu's redelivery queues the message again: it is as exposed as a new one.
        super()._do_restore_message(payload, exchange, routing_key, pipe, leftmost)
        if is_task(payload):
            pri = self._get_message_priority(payload, reverse=False)
            for queue in self._lookup(exchange, routing_key):
                self._keep_copy(self._q_for_pri(queue, pri), payload, pipe)

    def _keep_copy(self, key: str, message: dict, into=None) -> None:
        """Write the copy: at once, before the caller queues the message; or into the
        publish batch or restore transaction (``into``) that queues it."""
        tag = message["properties"]["delivery_tag"]
        entry = f"{key}\n{dumps(message)}"
        if into is None:
            with self.conn_or_acquire() as client:
                client.pipeline().hset(COPIES, tag, entry).zadd(
                    COPIES_INDEX, {tag: time()}
                ).execute()
        elif isinstance(into, kombu_redis.PublishBatch):
            into.add("hset", COPIES, tag, entry)
            into.add("zadd", COPIES_INDEX, {tag: time()})
        else:
            into.hset(COPIES, tag, entry).zadd(COPIES_INDEX, {tag: time()})


class Transport(kombu_redis.Transport):
    Channel = Channel


TRANSPORT_ALIASES["redis"] = TRANSPORT_ALIASES["rediss"] = f"{__name__}:Transport"
