"""manage.py bench_broker: what the broker transport's copies cost (telemetry/broker.py).

Task messages are published through Celery and taken and acknowledged as a worker takes
them (kombu's QoS ledger), on a private Redis of this run's own, first with kombu's own
Redis transport (the baseline), then with the product's, alternating, ``--reps`` times
each; the median of each is kept. The body is an ingest result's size (an 8-GPU host's
poll, about 80 kB as JSON) unless ``--body-kb`` says otherwise. Writes
var/bench/broker.json with messages per second and the ratios to the baseline.
"""

from __future__ import annotations

import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import redis
from celery import Celery
from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from kombu import Connection
from kombu.transport import TRANSPORT_ALIASES

from devstack.services import EmbeddedServices

QUEUE = "ingest"
BASELINE = "komburedis"  # an alias for kombu's own Redis transport, for this run only


class Command(BaseCommand):
    help = "Benchmark publishing and taking task messages with and without the copies."

    def add_arguments(self, parser: CommandParser) -> None:
        a = parser.add_argument
        a("--out", default=str(Path(settings.BASE_DIR) / "var" / "bench" / "broker.json"))
        a("--messages", type=int, default=3000)
        a("--body-kb", type=float, default=80.0)
        a("--reps", type=int, default=3)

    def handle(self, *args: object, **o: object) -> None:
        TRANSPORT_ALIASES[BASELINE] = "kombu.transport.redis:Transport"
        workdir = Path(tempfile.mkdtemp(prefix="bb-", dir="/tmp"))  # a short socket path
        services = EmbeddedServices(workdir / "var")
        services.up(postgres=False, redis=True)
        try:
            url = services.broker_url()
            client = redis.Redis(unix_socket_path=str(services.redis_socket))
            urls = {"kombu": url.replace("redis+", f"{BASELINE}+", 1), "product": url}
            body = [0.5] * int(float(o["body_kb"]) * 1024 / 5)  # "0.5, " is 5 bytes
            runs: dict[str, list[tuple[float, float]]] = {name: [] for name in urls}
            for rep in range(int(o["reps"])):
                for name, u in urls.items():
                    client.flushdb()
                    runs[name].append(self._one(u, int(o["messages"]), body, client, name))
                    self.stdout.write(f"rep {rep + 1} {name}: {self._rates(runs[name][-1])}")
                    assert client.hlen("dcim_queued") == 0, "a copy was left behind"
        finally:
            services.stop_redis()
            shutil.rmtree(workdir, ignore_errors=True)
        result = self._summary(runs, o)
        out = Path(str(o["out"]))
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result, indent=2) + "\n")
        self.stdout.write(json.dumps(result["ratios"]))
        self.stdout.write(f"written to {out}")

    def _one(self, url: str, n: int, body: list, client, name: str) -> tuple[float, float]:
        """(seconds to publish n task messages, seconds to take and acknowledge them)."""
        app = Celery("bench-broker", broker=url)
        with app.producer_or_acquire() as producer:
            t0 = time.perf_counter()
            for i in range(n):
                app.send_task("tests.nothing", args=[i, body], queue=QUEUE, producer=producer)
            published = time.perf_counter() - t0
        # The baseline keeps no copies, the product one per queued message.
        assert client.hlen("dcim_queued") == (n if name == "product" else 0), name
        with Connection(url) as conn, conn.SimpleQueue(QUEUE) as queue:
            t0 = time.perf_counter()
            for _ in range(n):
                queue.get(timeout=5).ack()
            taken = time.perf_counter() - t0
        return published, taken

    @staticmethod
    def _rates(run: tuple[float, float]) -> str:
        return f"publish {run[0]:.2f} s, take+ack {run[1]:.2f} s"

    def _summary(self, runs: dict, o: dict) -> dict:
        n = int(o["messages"])
        median = {
            name: {
                "publish_per_s": round(n / statistics.median(r[0] for r in rs)),
                "take_ack_per_s": round(n / statistics.median(r[1] for r in rs)),
            }
            for name, rs in runs.items()
        }
        base, ours = median["kombu"], median["product"]
        return {
            "messages": n,
            "body_kb": o["body_kb"],
            "reps": o["reps"],
            "median": median,
            "ratios": {
                "publish_vs_kombu": round(ours["publish_per_s"] / base["publish_per_s"], 3),
                "take_ack_vs_kombu": round(ours["take_ack_per_s"] / base["take_ack_per_s"], 3),
            },
        }
