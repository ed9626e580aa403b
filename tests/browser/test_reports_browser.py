"""An Operator subscribes to the daily report on the Reports page, sees its next run at
07:00 site time, presses "send now", and the report reaches a real SMTP listener; the
archive then lists it with its attempt and its PDF; the Operator moves its schedule to
18:30 and disables it; and the preview shows its charts."""

from __future__ import annotations

import pytest

from dcim.alerts.tests.servers import start_smtp
from dcim.inventory.tests.factories import PASSWORD, make_site
from dcim.reports.models import Subscription
from tests.browser.conftest import login, shot


@pytest.fixture
def smtp(settings, tmp_path):
    controller, inbox = start_smtp()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.REPORTS_SEND_SYNC = True
    settings.MEDIA_ROOT = tmp_path / "media"
    yield inbox
    controller.stop()


def test_operator_subscribes_sends_now_and_finds_it_in_the_archive(
    page, browser, live_server, make_user, smtp
):
    make_site(name="Browser site", slug="bsite", timezone="Europe/Berlin")
    make_user("otto", role="Operator")
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = ctx.new_page()
    pg.set_default_timeout(15_000)
    login(pg, live_server.url, "otto", PASSWORD)
    pg.goto(f"{live_server.url}/reports/")
    pg.fill("#id_name", "Morning report")
    pg.select_option("#id_report", "daily_operations")
    pg.select_option("#id_site", label="Browser site")
    pg.fill("#id_addresses", "ops@example.net")
    pg.click("text=Subscribe >> nth=-1")
    pg.wait_for_selector("text=Subscribed: Morning report")
    row = pg.locator("tr[data-subscription]", has_text="Morning report")
    assert "07:00" in row.inner_text()
    row.locator("button", has_text="Send now").click()
    pg.wait_for_selector("text=Sending Morning report to 1 recipient(s).")
    assert len(smtp.messages) == 1
    archive = pg.locator("#archive-title + table")
    assert "sent" in archive.inner_text()
    href = archive.locator("a", has_text="PDF").get_attribute("href")
    pdf = pg.request.get(live_server.url + href)
    assert pdf.body().startswith(b"%PDF")

    # The Operator moves it to 18:30 on its edit page, then disables it.
    pg.locator("tr[data-subscription]", has_text="Morning report").locator(
        "a", has_text="Edit"
    ).click()
    pg.wait_for_selector("h1:has-text('Edit subscription: Morning report')")
    assert pg.input_value("#id_rule") == "FREQ=DAILY;BYHOUR=7;BYMINUTE=0"
    pg.fill("#id_rule", "FREQ=DAILY;BYHOUR=18;BYMINUTE=30")
    pg.click("button:has-text('Save')")
    pg.wait_for_selector("text=Saved: Morning report")
    row = pg.locator("tr[data-subscription]", has_text="Morning report")
    assert "18:30" in row.inner_text() and "07:00" not in row.inner_text()
    row.locator("button", has_text="Disable").click()
    pg.wait_for_selector("text=Disabled: Morning report")
    row = pg.locator("tr[data-subscription]", has_text="Morning report")
    assert row.get_attribute("data-state") == "disabled"
    assert "none: disabled" in row.inner_text()
    assert row.locator("button", has_text="Enable").count() == 1
    changes = pg.locator("#subscription-changes").inner_text()  # who changed what, on the page
    assert "rule: FREQ=DAILY;BYHOUR=7;BYMINUTE=0 → FREQ=DAILY;BYHOUR=18;BYMINUTE=30" in changes
    assert "enabled: True → False" in changes
    shot(pg, "reports-disabled")
    sub = Subscription.objects.get(name="Morning report")
    assert sub.enabled is False and sub.next_run_at is None
    assert sub.rule == "FREQ=DAILY;BYHOUR=18;BYMINUTE=30"
    pg.goto(f"{live_server.url}/reports/preview/daily_operations/bsite/")
    assert pg.locator("h1").inner_text().startswith("Daily operations")
    shot(pg, "reports-preview")
    ctx.close()

    # A Viewer sees the page, without the form or the buttons.
    page.goto(f"{page.base}/reports/")
    assert page.locator("#id_name").count() == 0
    assert page.locator("button", has_text="Send now").count() == 0
    assert page.locator("button", has_text="Enable").count() == 0
    assert page.locator("a", has_text="Edit").count() == 0
