"""A bounded, on-disk, append-only spool for results that could not be published.

A GPU-host agent that cannot reach the broker keeps polling; each result it cannot send is
appended here (one JSON line, fsync'd before the poll counts as kept), and replayed in the
order it was written once the broker answers again. Ingest is idempotent (batch ids), so a
record replayed twice after a crash between publish and cursor update stores nothing twice.

Layout under ``directory``: segment files ``000000000001.jsonl``, ... (a new one every
``segment_bytes``), ``cursor`` (segment name and byte offset of the next record to
replay), ``dropped`` (records discarded so far because the spool was full, or unreadable).
Bounded: when the segments together pass ``max_bytes``, the oldest segment is dropped and
its unreplayed records are counted in ``dropped`` (a long outage loses its oldest polls,
never the newest, and says how many). One process owns a spool (an exclusive lock).
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 256 * 1024 * 1024
SUFFIX = ".jsonl"


class SpoolLocked(RuntimeError):
    """Another process owns this spool directory."""


class Spool:
    """Results kept on disk while they cannot be sent; see the module docstring."""

    def __init__(
        self, directory: Path | str, max_bytes: int = DEFAULT_MAX_BYTES, segment_bytes: int = 0
    ) -> None:
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.max_bytes = max_bytes
        # Several segments fit under the cap, so dropping one frees a part, not all.
        self.segment_bytes = segment_bytes or max(4096, min(8 * 1024 * 1024, max_bytes // 8))
        self._lock = open(self.dir / ".lock", "w")  # noqa: SIM115 - held for the spool's life
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock.close()
            raise SpoolLocked(f"{self.dir} is in use by another process") from None

    def close(self) -> None:
        self._lock.close()

    # -- state on disk ------------------------------------------------------------------

    def segments(self) -> list[Path]:
        return sorted(self.dir.glob("*" + SUFFIX))

    def _cursor(self) -> tuple[str, int]:
        try:
            name, offset = (self.dir / "cursor").read_text().split()
            return name, int(offset)
        except (OSError, ValueError):
            return "", 0

    def _set_cursor(self, name: str, offset: int, sync: bool = False) -> None:
        tmp = self.dir / "cursor.tmp"
        with open(tmp, "w") as f:
            f.write(f"{name} {offset}\n")
            if sync:
                f.flush()
                os.fsync(f.fileno())
        os.replace(tmp, self.dir / "cursor")

    @property
    def dropped(self) -> int:
        try:
            return int((self.dir / "dropped").read_text())
        except (OSError, ValueError):
            return 0

    def _add_dropped(self, n: int) -> None:
        if n:
            (self.dir / "dropped").write_text(f"{self.dropped + n}\n")

    def size_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.segments())

    def _unreplayed_lines(self, segment: Path) -> int:
        name, offset = self._cursor()
        with open(segment, "rb") as f:
            if segment.name == name:
                f.seek(offset)
            return sum(1 for line in f if line.endswith(b"\n"))

    def pending(self) -> int:
        """Records written and not yet replayed."""
        return sum(self._unreplayed_lines(p) for p in self.segments())

    # -- writing ------------------------------------------------------------------------

    def append(self, record: dict) -> None:
        """Keep one record, durably (fsync'd), dropping the oldest segment when full."""
        line = (json.dumps(record, separators=(",", ":")) + "\n").encode()
        segments = self.segments()
        tail = segments[-1] if segments else None
        if tail is None or tail.stat().st_size + len(line) > self.segment_bytes or _torn(tail):
            # Numbers are never reused: the cursor may still name a replayed segment.
            cursor_name = self._cursor()[0]
            last = max(int(tail.stem) if tail else 0, int(Path(cursor_name).stem or 0))
            tail = self.dir / f"{last + 1:012d}{SUFFIX}"
        with open(tail, "ab") as f:
            f.write(line)
            f.flush()
            os.fsync(f.fileno())
        self._enforce_cap()

    def _enforce_cap(self) -> None:
        segments = self.segments()
        total = sum(p.stat().st_size for p in segments)
        while total > self.max_bytes and len(segments) > 1:
            oldest = segments.pop(0)
            lost = self._unreplayed_lines(oldest)
            total -= oldest.stat().st_size
            oldest.unlink()
            self._add_dropped(lost)
            log.warning("spool %s full: dropped %d oldest results", self.dir, lost)

    # -- replay -------------------------------------------------------------------------

    def replay(self, publish: Callable[[dict], None]) -> int:
        """Publish every pending record, oldest first; returns how many were published.

        Stops at the first record ``publish`` raises for (the exception propagates; that
        record is the first of the next replay). Replayed segments are deleted.
        """
        sent = 0
        for segment in self.segments():
            name, offset = self._cursor()
            start = offset if segment.name == name else 0
            with open(segment, "rb") as f:
                f.seek(start)
                for line in f:
                    if not line.endswith(b"\n"):  # torn by a crash mid-write: never finished
                        self._add_dropped(1)
                        break
                    try:
                        record = json.loads(line)
                    except ValueError:
                        self._add_dropped(1)
                        start += len(line)
                        continue
                    try:
                        publish(record)
                    except BaseException:
                        self._set_cursor(segment.name, start, sync=True)
                        raise
                    start += len(line)
                    self._set_cursor(segment.name, start)
                    sent += 1
            segment.unlink()
        self._set_cursor("", 0, sync=True)
        return sent


def _torn(segment: Path) -> bool:
    """The segment ends in a record a crash cut short: append to a new one."""
    with open(segment, "rb") as f:
        size = f.seek(0, os.SEEK_END)
        if size == 0:
            return False
        f.seek(size - 1)
        return f.read(1) != b"\n"
