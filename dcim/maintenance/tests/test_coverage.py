"""Planned intervals per device for availability: merged, clipped, actual times when known."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dcim.maintenance.coverage import planned_intervals
from dcim.maintenance.tests.conftest import window

pytestmark = pytest.mark.django_db
T = datetime(2026, 6, 1, 8, tzinfo=UTC)
H = timedelta(hours=1)


def test_intervals_merge_clip_and_follow_carriers(hall):
    s0, s1 = hall.servers
    window(hall, start=T, hours=2, devices=[s0])
    window(hall, start=T + H, hours=2, racks=[hall.rack])  # overlaps the first for s0
    window(hall, start=T + 10 * H, hours=1, power_feeds=[hall.feed_b])
    cancelled = window(hall, start=T + 20 * H, hours=1, devices=[s0])
    cancelled.cancel()
    got = planned_intervals([s0.pk, s1.pk, hall.lonely.pk], T - H, T + 10.5 * H)
    assert got[s0.pk] == [(T, T + 3 * H), (T + 10 * H, T + 10.5 * H)]
    assert got[s1.pk] == [(T + H, T + 3 * H), (T + 10 * H, T + 10.5 * H)]
    assert got[hall.lonely.pk] == []


def test_a_done_window_counts_its_actual_times(hall):
    w = window(hall, start=T, hours=2, devices=[hall.lonely])
    w.start(at=T + 0.5 * H)
    w.finish(at=T + 4 * H)
    assert planned_intervals([hall.lonely.pk], T - H, T + 10 * H) == {
        hall.lonely.pk: [(T + 0.5 * H, T + 4 * H)]
    }
