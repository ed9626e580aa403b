"""Subscriptions fire at the site's local time across a DST change, once per occurrence
(the beat tick of the Reports page's subscriptions)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from dcim.inventory.tests.factories import make_site
from dcim.reports import delivery, tasks
from dcim.reports.models import Delivery, Subscription
from dcim.reports.tests.conftest import daily_seven

pytestmark = pytest.mark.django_db


def test_daily_0700_berlin_fires_at_local_time_across_the_october_dst_change():
    """Europe/Berlin leaves summer time on 25 October 2026 at 03:00 CEST: 07:00 local is
    05:00 UTC on the 24th and 06:00 UTC on the 25th and after."""
    site = make_site(name="Berlin", slug="berlin", timezone="Europe/Berlin")
    t = datetime(2026, 10, 23, 12, 0, tzinfo=UTC)
    sub = Subscription(
        name="Morning report",
        report="daily_operations",
        site=site,
        addresses="ops@example.net",
        rule="FREQ=DAILY;BYHOUR=7;BYMINUTE=0",
        starts_on=date(2026, 10, 1),
    )
    sub.save(now=t)
    fired = []
    for _ in range(4):
        t = sub.next_run_at
        fired += delivery.fire_due(t)
        sub.refresh_from_db()
    runs = list(Delivery.objects.order_by("occurrence").values_list("occurrence", flat=True))
    assert [r.astimezone(UTC) for r in runs] == [
        datetime(2026, 10, 24, 5, 0, tzinfo=UTC),
        datetime(2026, 10, 25, 6, 0, tzinfo=UTC),
        datetime(2026, 10, 26, 6, 0, tzinfo=UTC),
        datetime(2026, 10, 27, 6, 0, tzinfo=UTC),
    ]
    assert len(fired) == 4


def test_new_york_monthly_on_the_first_at_0700_across_the_march_change():
    """America/New_York: 07:00 EST is 12:00 UTC (1 March), 07:00 EDT 11:00 UTC (1 April)."""
    site = make_site(name="NYC", slug="nyc", timezone="America/New_York")
    sub = Subscription(
        name="Energy",
        report="monthly_energy",
        site=site,
        addresses="cfo@example.net",
        rule="FREQ=MONTHLY;BYMONTHDAY=1;BYHOUR=7;BYMINUTE=0",
        starts_on=date(2027, 1, 1),
    )
    sub.save(now=datetime(2027, 2, 15, tzinfo=UTC))
    assert sub.next_run_at.astimezone(UTC) == datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
    delivery.fire_due(sub.next_run_at)
    sub.refresh_from_db()
    assert sub.next_run_at.astimezone(UTC) == datetime(2027, 4, 1, 11, 0, tzinfo=UTC)


def test_a_subscription_fires_once_per_occurrence_however_often_beat_runs():
    site = make_site(name="Berlin", slug="berlin", timezone="Europe/Berlin")
    sub = Subscription(
        name="Morning",
        report="daily_operations",
        site=site,
        addresses="ops@example.net",
        rule="FREQ=DAILY;BYHOUR=7;BYMINUTE=0",
        starts_on=date(2026, 10, 1),
    )
    sub.save(now=datetime(2026, 11, 9, 12, 0, tzinfo=UTC))
    due = sub.next_run_at  # 10 November, 07:00 CET = 06:00 UTC
    assert delivery.fire_due(due - timedelta(seconds=1)) == []
    first = delivery.fire_due(due)
    again = delivery.fire_due(due + timedelta(seconds=30))
    assert len(first) == 1 and again == []
    assert Delivery.objects.filter(subscription=sub).count() == 1


def test_beat_down_for_days_sends_once_not_once_per_missed_day():
    site = make_site(name="Berlin", slug="berlin", timezone="Europe/Berlin")
    sub = Subscription(
        name="Morning",
        report="daily_operations",
        site=site,
        addresses="ops@example.net",
        rule="FREQ=DAILY;BYHOUR=7;BYMINUTE=0",
        starts_on=date(2026, 10, 1),
    )
    sub.save(now=datetime(2026, 11, 9, 12, 0, tzinfo=UTC))
    back = datetime(2026, 11, 13, 9, 0, tzinfo=UTC)
    assert len(delivery.fire_due(back)) == 1
    sub.refresh_from_db()
    assert sub.next_run_at.astimezone(UTC) == datetime(2026, 11, 14, 6, 0, tzinfo=UTC)


def test_a_bad_rule_is_refused_with_a_message():
    site = make_site(name="Berlin", slug="berlin", timezone="Europe/Berlin")
    sub = Subscription(name="x", report="daily_operations", site=site, rule="FREQ=MINUTELY")
    with pytest.raises(Exception, match="hourly"):
        sub.full_clean()


def test_beat_tick_sends_the_due_report_to_the_smtp_listener(
    smtp, django_capture_on_commit_callbacks
):
    """The whole scheduled path: beat's tick finds the due subscription, and the report
    reaches a real SMTP listener (sent in-process here: REPORTS_SEND_SYNC)."""
    site = make_site(name="Berlin", slug="berlin", timezone="Europe/Berlin")
    sub = daily_seven(site, starts_on=date(2026, 1, 1))
    Subscription.objects.filter(pk=sub.pk).update(next_run_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.tick()["fired"] == 1
    [msg] = smtp.messages
    assert msg["Subject"].startswith("[DCIM] Daily operations: Berlin")
    [d] = Delivery.objects.all()
    assert d.status == "sent" and d.occurrence is not None and d.pdf


def test_archived_pdfs_past_retention_are_deleted_and_the_record_stays(settings, media):
    settings.REPORTS_ARCHIVE_DAYS = 30
    site = make_site(name="Berlin", slug="berlin", timezone="Europe/Berlin")
    d = delivery.create("daily_operations", site, trigger="manual", recipients=["a@b.example"])
    d.pdf.save("old.pdf", ContentFile(b"%PDF-1.4 old"))
    path = d.pdf.path
    assert delivery.purge_archive(timezone.now() + timedelta(days=29)) == 0
    assert delivery.purge_archive(timezone.now() + timedelta(days=31)) == 1
    d.refresh_from_db()
    assert not d.pdf and d.pdf_purged_at is not None
    assert not Path(path).exists()
