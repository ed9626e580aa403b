"""The GPU-host agent: a Celery worker that reads NVML where the GPUs are.

NVML is a local library, so each GPU host runs this worker on its own queue and holds no
database credentials: it needs only the broker. Its results travel back through the
broker to the ingest workers.

    CELERY_BROKER_URL=redis://broker:6379/0 \\
      celery -A telemetry.agent worker -Q nvml.$(hostname) -c 1

One process per host (-c 1): NVML keeps per-process state (handles, event sets, the
thresholds read once per GPU), and one poll of 8 GPUs takes well under a millisecond.
"""

from __future__ import annotations

import os

from celery import Celery

from telemetry.collectors import nvml

app = Celery("dcim-gpu-agent", broker=os.environ.get("CELERY_BROKER_URL"))
app.conf.update(
    task_ignore_result=True,
    task_acks_late=True,
    worker_prefetch_multiplier=1,
    broker_connection_retry_on_startup=True,
    worker_hijack_root_logger=False,
)

INGEST_TASK = "telemetry.tasks.ingest_poll_result"
INGEST_QUEUE = "ingest"


@app.task(name="telemetry.collect_nvml")
def collect_nvml(target_id: int, host: str) -> None:
    """Poll this host's GPUs once and send the result to the ingest queue."""
    result = nvml.collect(target=host)
    app.send_task(INGEST_TASK, args=[target_id, result.to_json()], queue=INGEST_QUEUE)
