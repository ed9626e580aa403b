"""The agent's on-disk spool: order kept, replay resumes where a failure stopped it,
bounded with the oldest dropped and counted, a torn last line never corrupts the next."""

from __future__ import annotations

import pytest

from telemetry.spool import Spool, SpoolLocked


class Refused(Exception):
    pass


def test_replays_in_written_order_then_is_empty(tmp_path):
    spool = Spool(tmp_path, segment_bytes=64)  # a few records a segment: several segments
    for i in range(20):
        spool.append({"n": i})
    assert spool.pending() == 20
    assert len(spool.segments()) >= 3
    seen = []
    assert spool.replay(lambda r: seen.append(r["n"])) == 20
    assert seen == list(range(20))
    assert spool.pending() == 0 and spool.segments() == []


def test_a_failed_publish_stops_the_replay_and_the_next_resumes_there(tmp_path):
    spool = Spool(tmp_path, segment_bytes=64)
    for i in range(10):
        spool.append({"n": i})
    seen, down = [], [True]

    def flaky(record):
        if record["n"] == 6 and down[0]:
            raise Refused
        seen.append(record["n"])

    with pytest.raises(Refused):
        spool.replay(flaky)
    assert spool.pending() == 4
    spool.append({"n": 10})  # written while the broker was still away: goes behind
    down[0] = False
    assert spool.replay(flaky) == 5
    assert seen == list(range(11))


def test_full_spool_drops_the_oldest_and_counts_them(tmp_path):
    spool = Spool(tmp_path, max_bytes=1000, segment_bytes=200)
    for i in range(200):  # 9 to 11 bytes a record: about 2,090 in all, 11 segments
        spool.append({"n": i})
    assert spool.size_bytes() <= 1000
    kept = []
    spool.replay(lambda r: kept.append(r["n"]))
    assert spool.dropped == 200 - len(kept) > 0
    assert kept == list(range(200 - len(kept), 200))  # the newest are the ones kept


def test_a_torn_last_line_is_counted_and_never_joins_the_next_record(tmp_path):
    spool = Spool(tmp_path)
    spool.append({"n": 1})
    with open(spool.segments()[-1], "ab") as f:
        f.write(b'{"n": 2')  # a crash in the middle of a write
    spool.append({"n": 3})
    seen = []
    spool.replay(lambda r: seen.append(r["n"]))
    assert seen == [1, 3]
    assert spool.dropped == 1


def test_spool_survives_a_restart_of_its_process(tmp_path):
    spool = Spool(tmp_path, segment_bytes=64)
    for i in range(8):
        spool.append({"n": i})
    with pytest.raises(Refused):
        spool.replay(lambda r: (_ for _ in ()).throw(Refused) if r["n"] == 3 else None)
    spool.close()
    again = Spool(tmp_path, segment_bytes=64)
    seen = []
    again.replay(lambda r: seen.append(r["n"]))
    assert seen == [3, 4, 5, 6, 7]


def test_one_process_owns_a_spool(tmp_path):
    owner = Spool(tmp_path)
    with pytest.raises(SpoolLocked):
        Spool(tmp_path)
    owner.close()
    Spool(tmp_path).close()  # free again once its owner is gone
