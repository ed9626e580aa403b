"""RRULE expansion and window generation: across a DST change, with EXDATE, run twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dcim.maintenance.generate import generate
from dcim.maintenance.models import ChecklistTemplate, MaintenanceWindow, Schedule
from dcim.maintenance.recurrence import RecurrenceError, occurrences
from dcim.maintenance.tests.conftest import BERLIN


def test_weekly_0700_stays_0700_local_across_the_spring_change_and_skips_the_exdate():
    # Berlin goes from CET (+01) to CEST (+02) on Sunday 29 March 2026.
    got = occurrences(
        "FREQ=WEEKLY;BYDAY=SA",
        datetime(2026, 3, 21, 7, tzinfo=BERLIN),
        datetime(2026, 4, 12, tzinfo=BERLIN),
        exdates=[datetime(2026, 4, 4, 7, tzinfo=BERLIN)],
    )
    assert [g.astimezone(BERLIN).strftime("%m-%d %H:%M") for g in got] == [
        "03-21 07:00",
        "03-28 07:00",
        "04-11 07:00",
    ]
    # Worked by hand: 07:00 CET is 06:00 UTC; 07:00 CEST is 05:00 UTC.
    assert [g.astimezone(UTC).hour for g in got] == [6, 6, 5]


def test_an_exdate_given_in_utc_matches_the_same_instant():
    got = occurrences(
        "FREQ=DAILY;COUNT=3",
        datetime(2026, 10, 24, 7, tzinfo=BERLIN),
        datetime(2026, 12, 1, tzinfo=BERLIN),
        exdates=[datetime(2026, 10, 25, 6, tzinfo=UTC)],  # 07:00 CET after the autumn change
    )
    assert [g.day for g in got] == [24, 26]


@pytest.mark.parametrize(
    "rule, words",
    [
        ("", "Enter a recurrence rule"),
        ("FREQ=MINUTELY", "at most hourly"),
        ("FREQ=FOO", "RFC 5545"),
    ],
)
def test_bad_rules_are_refused_with_a_clear_message(rule, words):
    with pytest.raises(RecurrenceError, match=words):
        occurrences(rule, datetime(2026, 1, 1, tzinfo=BERLIN), datetime(2026, 2, 1, tzinfo=BERLIN))


@pytest.mark.django_db
def test_generation_across_dst_with_exdate_run_twice_doubles_nothing(hall):
    template = ChecklistTemplate.objects.get(name="Generator weekly inspection")
    schedule = Schedule.objects.create(
        site=hall.site,
        title="Generator weekly inspection",
        template=template,
        rrule="FREQ=WEEKLY;BYDAY=SA",
        first_start=datetime(2026, 3, 21, 7, tzinfo=BERLIN),
        duration_minutes=30,
        exdates=[datetime(2026, 4, 4, 7, tzinfo=BERLIN)],
        lead_days=23,
    )
    schedule.devices.set([hall.servers[0]])
    now = datetime(2026, 3, 20, 12, tzinfo=UTC)
    first = generate(now=now)
    second = generate(now=now)
    assert (first.created, second.created, second.existing) == (3, 0, 3)
    windows = list(MaintenanceWindow.objects.filter(schedule=schedule))
    local = [w.starts_at.astimezone(BERLIN) for w in windows]
    assert [f"{t:%m-%d %H:%M}" for t in local] == ["03-21 07:00", "03-28 07:00", "04-11 07:00"]
    assert all(w.ends_at - w.starts_at == timedelta(minutes=30) for w in windows)
    assert all(list(w.devices.all()) == [hall.servers[0]] for w in windows)
    assert windows[0].work_order.items.count() == template.items.count() == 5
    # A week later the horizon moved: one more, none doubled.
    assert generate(now=now + timedelta(days=7)).created == 1


@pytest.mark.django_db
def test_one_bad_schedule_is_reported_and_the_others_still_run(hall):
    start = datetime(2026, 5, 1, 7, tzinfo=BERLIN)
    Schedule.objects.create(site=hall.site, title="bad", rrule="FREQ=NOPE", first_start=start)
    Schedule.objects.create(
        site=hall.site, title="good", rrule="FREQ=MONTHLY", first_start=start, lead_days=40
    )
    r = generate(now=datetime(2026, 4, 30, tzinfo=UTC))
    assert r.created == 2 and len(r.errors) == 1 and r.errors[0].startswith("bad:")
