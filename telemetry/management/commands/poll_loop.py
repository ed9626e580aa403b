"""manage.py poll_loop: poll central targets (SNMP, Modbus, HTTP) on its own clock.

    manage.py poll_loop [--protocols snmp,modbus,http] [--tick-s 1] [--spool-dir DIR]

Keeps polling while the broker is away, and while PostgreSQL is away (results wait in a
bounded on-disk spool): see telemetry.poll_loop and ADR 0028. Stops after the current
tick on SIGTERM or SIGINT. One spool directory per running loop (it is locked).
"""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

from celery import current_app
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from telemetry.poll_loop import PollLoop, bound_publishing, protocols_from
from telemetry.spool import DEFAULT_MAX_BYTES, Spool, SpoolLocked


def default_spool_dir() -> str:
    return os.environ.get("DCIM_POLL_SPOOL_DIR") or str(Path(settings.BASE_DIR) / "var/poll-spool")


class Command(BaseCommand):
    help = "Poll due central targets every tick, with no broker on the path (ADR 0028)."

    def add_arguments(self, parser):
        parser.add_argument("--protocols", default="snmp,modbus,http", help="snmp,modbus,http")
        parser.add_argument("--tick-s", type=float, default=1.0, help="seconds between claims")
        parser.add_argument("--spool-dir", default=None, help="or env DCIM_POLL_SPOOL_DIR")
        parser.add_argument(
            "--spool-max-bytes",
            type=int,
            default=int(os.environ.get("DCIM_POLL_SPOOL_MAX_BYTES", DEFAULT_MAX_BYTES)),
        )

    def handle(self, *args, **o):
        try:
            protocols = protocols_from(o["protocols"])
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        if o["tick_s"] <= 0:
            raise CommandError("--tick-s must be positive")
        try:
            spool = Spool(o["spool_dir"] or default_spool_dir(), max_bytes=o["spool_max_bytes"])
        except SpoolLocked as exc:
            raise CommandError(f"{exc}: give each poll_loop its own --spool-dir") from None
        bound_publishing(current_app)
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        loop = PollLoop(spool, protocols)
        self.stderr.write(f"poll_loop: {','.join(protocols)} every {o['tick_s']} s")
        polls = loop.run(o["tick_s"], stop)
        self.stderr.write(
            f"poll_loop stopped after {polls} polls; "
            f"{spool.pending()} still spooled, {spool.dropped} dropped"
        )
        spool.close()
