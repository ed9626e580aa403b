"""Availability, nines, MTTR and MTBF worked out by hand (shared/REFERENCE.md):
A = (P − outage) / P = MTBF / (MTBF + MTTR), MTTR = outage / n, MTBF = (P − outage) / n.

The period in every case is November 2026 in Europe/Berlin: 1 Nov 00:00 CET to 1 Dec
00:00 CET, no DST change inside, so P = 30 × 24 h = 720 h = 43,200 min.
"""

from __future__ import annotations

import math
from datetime import timedelta

import pytest

from dcim.availability.figures import (
    calendar_period,
    figures,
    figures_without,
    group_figures,
    member_figures,
)
from dcim.availability.models import Failover, FailoverKind, MemberState
from dcim.availability.tests.conftest import BERLIN, berlin, flip, window

NOV = calendar_period("month", BERLIN, berlin(2026, 11, 15))
AFTER = berlin(2026, 12, 15)  # "now": the whole month is past
MIN = timedelta(minutes=1)


def test_the_period_is_the_calendar_month_in_site_time():
    assert NOV.start == berlin(2026, 11, 1) and NOV.end == berlin(2026, 12, 1)
    assert NOV.end - NOV.start == 43200 * MIN


def test_a_quarter_across_the_dst_change_has_its_extra_hour():
    # Q4 2026: 1 Oct 00:00 CEST (UTC+2) to 1 Jan 00:00 CET (UTC+1): 92 days of 24 h plus
    # the hour clocks went back on 25 Oct = 2,209 h.
    q4 = calendar_period("quarter", BERLIN, berlin(2026, 11, 15))
    assert q4.label == "Q4 2026"
    assert q4.end - q4.start == timedelta(hours=92 * 24 + 1)


def test_one_outage_of_43_2_minutes_is_three_nines():
    # 43.2 / 43,200 = 0.001 → A = 0.999, nines = −log10(0.001) = 3.
    # MTTR = 43.2 min / 1; MTBF = (43,200 − 43.2) / 1 = 43,156.8 min;
    # MTBF / (MTBF + MTTR) = 43,156.8 / 43,200 = 0.999.
    lo = berlin(2026, 11, 10, 3, 0)
    f = figures([(lo, lo + 43.2 * MIN)], NOV.start, NOV.end)
    assert f.outages == 1
    assert f.availability == pytest.approx(0.999)
    assert f.nines == pytest.approx(3.0)
    assert f.mttr == 43.2 * MIN
    assert f.mtbf == 43156.8 * MIN
    assert f.mtbf / (f.mtbf + f.mttr) == pytest.approx(f.availability)


def test_two_outages_give_mttr_and_mtbf_per_outage():
    # 30 + 90 = 120 min out of 43,200: A = 1 − 120/43,200 = 0.997222…;
    # nines = −log10(120/43,200) = −log10(0.0027778) = 2.5563;
    # MTTR = 120 / 2 = 60 min; MTBF = (43,200 − 120) / 2 = 21,540 min.
    a = berlin(2026, 11, 3, 8, 0)
    b = berlin(2026, 11, 20, 14, 0)
    f = figures([(a, a + 30 * MIN), (b, b + 90 * MIN)], NOV.start, NOV.end)
    assert f.outages == 2
    assert f.availability == pytest.approx(1 - 120 / 43200)
    assert f.nines == pytest.approx(2.5563, abs=1e-4)
    assert f.mttr == 60 * MIN
    assert f.mtbf == 21540 * MIN


def test_outages_crossing_the_periods_edges_are_clipped():
    # 31 Oct 23:00 → 1 Nov 01:00 counts 60 min (from 00:00); 30 Nov 23:30 → 1 Dec 00:30
    # counts 30 min (to 24:00): 90 min, 2 outages. A = 1 − 90/43,200 = 0.9979167;
    # MTTR = 45 min; MTBF = (43,200 − 90) / 2 = 21,555 min.
    f = figures(
        [
            (berlin(2026, 10, 31, 23, 0), berlin(2026, 11, 1, 1, 0)),
            (berlin(2026, 11, 30, 23, 30), berlin(2026, 12, 1, 0, 30)),
        ],
        NOV.start,
        NOV.end,
    )
    assert f.outage == 90 * MIN and f.outages == 2
    assert f.availability == pytest.approx(0.99791667, abs=1e-8)
    assert f.mttr == 45 * MIN
    assert f.mtbf == 21555 * MIN


def test_no_outage_is_100_percent_with_no_finite_nines_mttr_or_mtbf():
    f = figures([], NOV.start, NOV.end)
    assert f.availability == 1.0
    assert f.outages == 0
    assert f.nines is None and f.mttr is None and f.mtbf is None


def test_planned_maintenance_leaves_the_period_and_the_outage():
    # Outage 10 Nov 02:00–04:00 (120 min); planned window 01:00–03:00 (120 min).
    # With maintenance: A = 1 − 120/43,200 = 0.9972222.
    # Without: P' = 43,200 − 120 = 43,080 min; unplanned outage 03:00–04:00 = 60 min;
    # A' = 1 − 60/43,080 = 0.99860724.
    outage = [(berlin(2026, 11, 10, 2), berlin(2026, 11, 10, 4))]
    planned = [(berlin(2026, 11, 10, 1), berlin(2026, 11, 10, 3))]
    with_maintenance = figures(outage, NOV.start, NOV.end)
    without = figures_without(outage, planned, NOV.start, NOV.end)
    assert with_maintenance.availability == pytest.approx(0.99722222, abs=1e-8)
    assert without.period == 43080 * MIN
    assert without.outage == 60 * MIN and without.outages == 1
    assert without.availability == pytest.approx(0.99860724, abs=1e-8)


def test_an_outage_wholly_inside_a_window_is_not_counted_without_maintenance():
    # Outage 02:00–02:30 inside the 01:00–03:00 window: P' = 43,080 min, no outage, A' = 1.
    outage = [(berlin(2026, 11, 10, 2), berlin(2026, 11, 10, 2, 30))]
    planned = [(berlin(2026, 11, 10, 1), berlin(2026, 11, 10, 3))]
    without = figures_without(outage, planned, NOV.start, NOV.end)
    assert without.outages == 0 and without.availability == 1.0


def test_a_2n_group_is_out_only_while_both_members_are_down(ha):
    # UPS-A down 5 Nov 10:00–12:00, UPS-B down 11:00–13:00. The 2N pair may lose one,
    # so it is out only 11:00–12:00 = 60 min: A = 1 − 60/43,200 = 0.99861111.
    # UPS-A alone: 120 min, A = 1 − 120/43,200 = 0.99722222; UPS-B the same.
    flip(ha.ups_a, berlin(2026, 11, 1, 0, 0), MemberState.ACTIVE)
    flip(ha.ups_a, berlin(2026, 11, 5, 10), MemberState.DOWN)
    flip(ha.ups_a, berlin(2026, 11, 5, 12), MemberState.ACTIVE)
    flip(ha.ups_b, berlin(2026, 11, 5, 11), MemberState.DOWN)
    flip(ha.ups_b, berlin(2026, 11, 5, 13), MemberState.ACTIVE)
    g = group_figures([ha.ups], NOV, now=AFTER)[ha.ups.pk]
    assert g.all.outage == 60 * MIN and g.all.outages == 1
    assert g.all.availability == pytest.approx(0.99861111, abs=1e-8)
    m = member_figures([ha.ups_a, ha.ups_b], NOV, now=AFTER)
    assert m[ha.ups_a.pk].all.outage == 120 * MIN
    assert m[ha.ups_a.pk].all.availability == pytest.approx(0.99722222, abs=1e-8)
    assert m[ha.ups_b.pk].all.outage == 120 * MIN


def test_a_member_down_since_before_the_period_counts_from_its_start(ha):
    # Down since 28 Oct, back 2 Nov 06:00: 30 h in November = 1,800 min;
    # A = 1 − 1,800/43,200 = 0.95833333.
    flip(ha.ups_a, berlin(2026, 10, 28), MemberState.DOWN)
    flip(ha.ups_a, berlin(2026, 11, 2, 6), MemberState.ACTIVE)
    m = member_figures([ha.ups_a], NOV, now=AFTER)[ha.ups_a.pk]
    assert m.all.outage == 1800 * MIN
    assert m.all.availability == pytest.approx(0.95833333, abs=1e-8)


def test_maintenance_windows_from_the_maintenance_app(ha):
    # As the 2N case, plus a window on UPS-A 5 Nov 09:00–11:30 (150 min).
    # Group: planned = 09:00–11:30; outage 11:00–12:00 → unplanned 11:30–12:00 = 30 min;
    # P' = 43,200 − 150 = 43,050 min; A' = 1 − 30/43,050 = 0.99930314.
    # UPS-A: outage 10:00–12:00 → unplanned 11:30–12:00 = 30 min; same P', same A'.
    flip(ha.ups_a, berlin(2026, 11, 5, 10), MemberState.DOWN)
    flip(ha.ups_a, berlin(2026, 11, 5, 12), MemberState.ACTIVE)
    flip(ha.ups_b, berlin(2026, 11, 5, 11), MemberState.DOWN)
    flip(ha.ups_b, berlin(2026, 11, 5, 13), MemberState.ACTIVE)
    window(ha.site, [ha.ups_a.device], berlin(2026, 11, 5, 9), berlin(2026, 11, 5, 11, 30))
    g = group_figures([ha.ups], NOV, now=AFTER)[ha.ups.pk]
    assert g.all.availability == pytest.approx(1 - 60 / 43200)
    assert g.unplanned.period == 43050 * MIN
    assert g.unplanned.outage == 30 * MIN
    assert g.unplanned.availability == pytest.approx(0.99930314, abs=1e-8)
    m = member_figures([ha.ups_a], NOV, now=AFTER)[ha.ups_a.pk]
    assert m.unplanned.outage == 30 * MIN
    assert m.unplanned.availability == pytest.approx(0.99930314, abs=1e-8)


def test_failover_interruptions_and_the_share_within_rto_and_rpo(ha):
    # LB group: RTO 5 min, RPO 30 s. Failover 1: 20 Nov 10:00 → 10:03 (3 min ≤ 5: met),
    # data loss 10 s (≤ 30 s: met). Failover 2: 12:00 → 12:10 (10 min > 5: missed),
    # data loss unknown. Outage 13 min, 2 outages: MTTR 6.5 min,
    # MTBF = (43,200 − 13) / 2 = 21,593.5 min; A = 1 − 13/43,200 = 0.99969907.
    # Within RTO: 1 of 2; within RPO: 1 of 1 known.
    for start, minutes, loss in ((10, 3, timedelta(seconds=10)), (12, 10, None)):
        t = berlin(2026, 11, 20, start)
        Failover.objects.create(
            group=ha.lb, kind=FailoverKind.AUTOMATIC, detected_at=t, started_at=t,
            restored_at=t + minutes * MIN, data_loss=loss, old_active=ha.lb_1,
            new_active=ha.lb_2,
        )  # fmt: skip
    g = group_figures([ha.lb], NOV, now=AFTER)[ha.lb.pk]
    assert g.all.outage == 13 * MIN and g.all.outages == 2
    assert g.all.mttr == 6.5 * MIN
    assert g.all.mtbf == 21593.5 * MIN
    assert g.all.availability == pytest.approx(0.99969907, abs=1e-8)
    assert (g.events, g.rto_met, g.rto_known, g.rpo_met, g.rpo_known) == (2, 1, 2, 1, 1)


def test_a_period_still_running_stops_at_now(ha):
    # "Now" is 11 Nov 00:00: P = 10 days = 14,400 min; UPS-A down since 10 Nov 12:00
    # (still down) = 720 min; A = 1 − 720/14,400 = 0.95, nines = −log10(0.05) = 1.30103.
    flip(ha.ups_a, berlin(2026, 11, 10, 12), MemberState.DOWN)
    m = member_figures([ha.ups_a], NOV, now=berlin(2026, 11, 11))[ha.ups_a.pk]
    assert m.all.period == 14400 * MIN
    assert m.all.outage == 720 * MIN
    assert m.all.availability == pytest.approx(0.95)
    assert m.all.nines == pytest.approx(-math.log10(0.05))


def test_an_interruption_from_before_the_period_counts_from_its_start(ha):
    # Failover started 31 Oct 23:50, restored 1 Nov 00:20: 20 min in November;
    # A = 1 − 20/43,200 = 0.99953704. It was detected in October: no event of November.
    t = berlin(2026, 10, 31, 23, 50)
    Failover.objects.create(
        group=ha.lb, kind=FailoverKind.AUTOMATIC, detected_at=t, started_at=t,
        restored_at=t + 30 * MIN,
    )  # fmt: skip
    g = group_figures([ha.lb], NOV, now=AFTER)[ha.lb.pk]
    assert g.all.outage == 20 * MIN and g.all.outages == 1
    assert g.all.availability == pytest.approx(0.99953704, abs=1e-8)
    assert g.events == 0
