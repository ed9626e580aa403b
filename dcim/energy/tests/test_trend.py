"""PUE per local day (``dcim.energy.trend.daily``): each day equals ``figures.compute`` for
that day, days are the site's (23 and 25 hours when clocks change), a poorly covered day is
withheld with its reason, and the energy by kind adds up to the facility's."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from dcim.energy.figures import compute
from dcim.energy.models import BoundaryHour
from dcim.energy.periods import Period, period
from dcim.energy.tests.page_site import in_first_local_hour, seed
from dcim.energy.trend import daily

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")


def local_midnight(d: date) -> datetime:
    return datetime.combine(d, datetime.min.time(), BERLIN).astimezone(UTC)


def test_each_day_equals_compute_for_that_day():
    now = timezone.now()
    site = seed(now)["site"]
    p = period("7d", site.timezone, now=now)
    days = daily(site, p, category="PUE2", now=now)
    assert len(days) == 7 - in_first_local_hour(now)
    for d in days:
        f = compute(site, period("day", site.timezone, now=now, on=d.day), now=now)
        assert (d.elapsed_hours, d.covered_hours) == (f.elapsed_hours, f.covered_hours)
        assert d.pue == pytest.approx(f.pue, abs=1e-12)
        assert d.e_dc_kwh == pytest.approx(f.e_dc_kwh, abs=1e-9)
        assert d.it_kwh == pytest.approx(f.e_it_kwh, abs=1e-9)
        assert d.it_kwh + d.cooling_kwh + d.losses_kwh == pytest.approx(d.e_dc_kwh)


@pytest.fixture
def spring(site):
    """Boundary hours around the spring clock change (Sunday 29 March 2026 has 23 hours
    in Berlin): facility 1.5 kWh and IT 1.0 kWh every hour, except on 30 March, when ten
    hours were only half covered by the facility meter."""
    start, end = local_midnight(date(2026, 3, 28)), local_midnight(date(2026, 3, 31))
    rows, t = [], start
    while t < end:
        poor = t.astimezone(BERLIN).date() == date(2026, 3, 30) and t.astimezone(BERLIN).hour < 10
        rows.append(
            BoundaryHour(
                site=site, hour=t, facility_kwh=1.5, facility_cov=0.5 if poor else 1.0,
                it_pdu_kwh=1.0, it_pdu_cov=1.0,
            )
        )  # fmt: skip
        t += timedelta(hours=1)
    BoundaryHour.objects.bulk_create(rows)
    return Period(local_midnight(date(2026, 3, 27)), end, "4 days")


def test_days_are_local_days_with_their_own_length(site, spring):
    days = daily(site, spring, now=spring.end + timedelta(days=1))
    assert [(d.day, d.elapsed_hours) for d in days] == [
        (date(2026, 3, 27), 24),
        (date(2026, 3, 28), 24),
        (date(2026, 3, 29), 23),
        (date(2026, 3, 30), 24),
    ]
    assert days[0].withheld == "No ledger hour on this day: no meter had reported yet."
    assert days[0].pue is None
    assert days[2].covered_hours == 23 and days[2].pue == pytest.approx(1.5)
    assert days[2].losses_kwh == pytest.approx(23 * 0.5)


def test_a_poorly_covered_day_is_withheld_with_its_reason(site, spring):
    days = daily(site, spring, now=spring.end + timedelta(days=1))
    poor = days[3]
    assert poor.pue is None and poor.covered_hours == 14
    assert poor.withheld == "Coverage 58% is below 80%: 14 of 24 hours were covered by every meter."
    f = compute(site, Period(local_midnight(date(2026, 3, 30)), spring.end, "d"), now=spring.end)
    assert f.withheld == poor.withheld


def test_an_open_day_counts_only_its_ended_hours(site, spring):
    now = local_midnight(date(2026, 3, 29)) + timedelta(hours=5, minutes=40)
    days = daily(site, spring, now=now)
    assert [d.day for d in days][-1] == date(2026, 3, 29)
    assert days[-1].elapsed_hours == 5 and days[-1].covered_hours == 5
