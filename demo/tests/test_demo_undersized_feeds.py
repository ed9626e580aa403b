"""The demo's undersized feeds make "PDU above available feed power" show in every hour.

Eight racks of the demo are on older 63 A circuits (``layout.UNDERSIZED_FEED_RACKS``, 36.2 kW
available). The hourly feed_loss fault trips the A feed of a busy full rack, preferring the
one whose B feed can carry the least; on an undersized rack the B PDU then draws past its
feed's available power. The rule waits 60 s and the demo polls PDUs every 30 s, so the
overload must hold 60 s and two polls. Checked over the plan read from the seeded inventory,
through the building model's own PDU readings, for each hour of a UTC week.
"""

from __future__ import annotations

import pytest

from demo import building_plan
from demo.inventory import layout, seed_demo
from telemetry.simulators.building import Building, faults, jobs

pytestmark = pytest.mark.django_db

POLL_S = 30
RULE_FOR_S = 60
WEEK = 1_796_000_000 // jobs.WEEK_S  # the UTC week of 2026-11-29


def longest(flags: list[bool], step: float) -> float:
    run = best = 0.0
    for flag in flags:
        run = run + step if flag else 0.0
        best = max(best, run)
    return best


@pytest.fixture
def plan():
    seed_demo()
    return building_plan.build()


def test_undersized_racks_are_full_training_racks_on_63_a_feeds(plan):
    full = faults._full_training_racks(plan)
    feed_w = {p.name: p.feed_available_w for p in plan.pdus}
    for rack in layout.UNDERSIZED_FEED_RACKS:
        assert rack in full, rack
        for side in "AB":
            assert feed_w[f"{rack}-PDU-{side}"] == 36_228  # 415 V × 63 A × √3 × 80 %
    others = {w for name, w in feed_w.items() if name[:6] not in layout.UNDERSIZED_FEED_RACKS}
    assert others == {46_003}


def test_every_hours_feed_loss_takes_a_pdu_past_its_available_power(plan):
    """Read at the poll interval, as the demo reads it: 168 hours of a building take a while."""
    building = Building(plan)
    feed_w = {p.name: p.feed_available_w for p in plan.pdus}
    short = []
    for hour in range(WEEK * 168, WEEK * 168 + 168):
        (loss,) = [f for f in faults._hour(plan, hour) if f.kind == "feed_loss"]
        other = loss.target.removesuffix("A") + "B"
        steps = range(int(loss.start), int(loss.end), POLL_S)
        over = [building.value(f"pdu/{other}/power_w", t) > feed_w[other] for t in steps]
        if longest(over, POLL_S) < RULE_FOR_S + 2 * POLL_S:
            short.append((hour, loss.target, longest(over, POLL_S)))
    assert not short, short
