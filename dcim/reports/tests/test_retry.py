"""An SMTP server that refuses the first attempt: the delivery is retried (with backoff on
the notify queue; at once here, as Celery runs retries of an eager task at once) and the
archive shows both attempts."""

from __future__ import annotations

import pytest

from dcim.reports import delivery, tasks
from dcim.reports.choices import AttemptResult, DeliveryStatus, Trigger
from dcim.reports.models import Subscription

pytestmark = pytest.mark.django_db


def test_refused_first_attempt_is_retried_and_both_attempts_are_on_record(
    refusing_smtp, rhine, django_capture_on_commit_callbacks, operator_client
):
    site = rhine["site"]
    sub = Subscription.objects.create(
        name="Morning", report="daily_operations", site=site, addresses="ops@example.net"
    )
    d = delivery.create(
        sub.report, site, trigger=Trigger.MANUAL, recipients=sub.recipients(), subscription=sub
    )
    with django_capture_on_commit_callbacks(execute=True):
        tasks.dispatch(d.pk)
    d.refresh_from_db()
    assert d.status == DeliveryStatus.SENT
    attempts = list(d.attempts.order_by("number"))
    assert [(a.number, a.result) for a in attempts] == [
        (1, AttemptResult.FAILED),
        (2, AttemptResult.SENT),
    ]
    assert "451" in attempts[0].error and "try again later" in attempts[0].error
    assert refusing_smtp.tries == 2 and len(refusing_smtp.messages) == 1
    # The archive on the Reports page (JSON twin) shows both.
    [row] = operator_client.get("/reports/api/").json()["archive"]
    assert [a["result"] for a in row["attempts"]] == ["failed", "sent"]
    assert row["pdf_url"] and operator_client.get(row["pdf_url"]).status_code == 200


def test_backoff_grows_fourfold():
    assert [delivery.backoff_s(n) for n in (1, 2, 3)] == [60.0, 240.0, 960.0]


def test_gives_up_after_the_last_attempt(settings, refusing_smtp, rhine):
    settings.REPORTS_MAX_ATTEMPTS = 1
    site = rhine["site"]
    d = delivery.create(
        "daily_operations", site, trigger=Trigger.MANUAL, recipients=["ops@example.net"]
    )
    assert delivery.attempt(d) is True
    d.refresh_from_db()
    assert d.status == DeliveryStatus.FAILED and d.attempts.count() == 1
