"""Feeds in the budget outlook: each feed is measured by the PDUs wired to it, against its
breaker rating (80 % of it is the feed's available power, the NEC continuous limit)."""

from datetime import UTC, datetime, timedelta

import pytest

from dcim.energy.ledger import update_ledger
from dcim.energy.models import Meter, MeterKind
from dcim.energy.tests.samples import every, write
from dcim.energy.views import outlook
from dcim.inventory.tests.factories import (
    make_pdu,
    make_power_feed,
    make_power_panel,
    make_power_port,
    make_rack,
)

pytestmark = pytest.mark.django_db


def test_a_feed_is_measured_by_its_pdus_against_its_breaker_rating(site, room):
    rack = make_rack(room=room, name="R01")
    # 230 V x 32 A single phase at 80 %: 5,888 W available, a 7.36 kW breaker.
    feed = make_power_feed(make_power_panel(site=site), rack=rack, name="R01-A")
    pdu = make_pdu(rack=rack, site=site, room=room, name="R01-PDU-A")
    make_power_port(device=pdu, feed=feed)
    meter = Meter.objects.create(
        name="R01-PDU-A",
        kind=MeterKind.IT_PDU_OUTPUT,
        site=site,
        room=room,
        device=pdu,
        metric="pdu_power_watts",
    )
    # Nine days at 4.4 kW, rising by 0.1 kW a day from the third day on.
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    start = now - timedelta(days=9)

    def watts(t: float) -> float:
        return 4_400.0 + 100.0 * max(0.0, t / 86_400 - 2)

    write(pdu, "pdu_power_watts", "watts", every(start, now, 600, watts))
    update_ledger(now=now)
    meter.refresh_from_db()
    assert outlook._feed_series(site) == {feed.pk: ("R01-A", "Hall 1", 7.36, {meter.series_id})}
    rows = [r for r in outlook._budget_records(site, now) if r["kind"] == "Feed"]
    assert [r["name"] for r in rows] == ["R01-A"]
    assert rows[0]["budget_kw"] == pytest.approx(7.36)
    # 80 % of 7.36 kW is 5.888 kW; the daily peak grows 0.1 kW a day from ~5.1 kW now.
    assert rows[0]["reach_date"] is not None
    assert 0.09 < rows[0]["slope_kw_per_day"] < 0.11
