"""An Operator schedules a window on a rack from the Maintenance page, sees it on the
calendar and on the rack page (whose Maintenance card follows live refresh); an alert on
a device in that rack is recorded and shown on the Alerts page as "in maintenance:
<window>", and a real SMTP listener receives nothing (while an alert outside the rack
does reach it)."""

from __future__ import annotations

import time
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from dcim.alerts import engine
from dcim.alerts.models import Alert, Notification, NotificationStatus
from dcim.alerts.tests.conftest import email_route, rule, temp
from dcim.alerts.tests.servers import start_smtp
from dcim.inventory.tests.factories import (
    PASSWORD,
    make_device,
    make_rack,
    make_room,
    make_site,
)
from dcim.maintenance.models import MaintenanceWindow
from tests.browser.conftest import login

TITLE = "Rack B07 PDU swap"


@pytest.fixture
def smtp(settings):
    controller, inbox = start_smtp()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.ALERTS_NOTIFY_SYNC = True
    yield inbox
    controller.stop()


def test_operator_schedules_a_rack_window_and_its_alerts_are_held(
    page, browser, live_server, make_user, smtp
):
    site = make_site(name="Browser site", slug="bsite", timezone="Europe/Berlin")
    rack = make_rack(room=make_room(site=site, name="Hall B"), name="B07")
    inside = make_device(rack=rack, name="B07-SRV-01", position_u=4)
    outside = make_device(site=site, name="LONE-SRV-01")
    make_user("otto", role="Operator")
    rule(threshold=80)
    email_route()

    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = ctx.new_page()
    pg.set_default_timeout(15_000)
    login(pg, live_server.url, "otto", PASSWORD)
    pg.goto(f"{live_server.url}/maintenance/?site=bsite")
    pg.click("#new-window")
    local = timezone.now().astimezone(ZoneInfo("Europe/Berlin"))
    pg.fill("#id_title", TITLE)
    pg.select_option("#id_kind", "corrective")
    pg.fill("#id_starts_at", (local - timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M"))
    pg.fill("#id_ends_at", (local + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    pg.select_option("#id_racks", str(rack.pk))
    pg.click("#window-form button[type=submit]")
    pg.wait_for_selector("h1:has-text('Rack B07 PDU swap')")
    window = MaintenanceWindow.objects.get(title=TITLE)
    assert list(window.racks.all()) == [rack] and window.created_by.username == "otto"

    pg.goto(f"{live_server.url}/maintenance/?site=bsite")
    today = local.date().isoformat()
    cell = pg.locator(f"#month td[data-date='{today}']")
    assert TITLE in cell.inner_text()
    assert TITLE in pg.locator("#now").inner_text()  # the live "now" table
    later = MaintenanceWindow.objects.create(  # live refresh brings a new window in
        site=site, title="Added meanwhile", starts_at=window.starts_at, ends_at=window.ends_at
    )
    later.devices.set([outside])
    pg.wait_for_selector(f"#month td[data-date='{today}'] >> text=Added meanwhile")
    later.delete()

    pg.goto(live_server.url + reverse("dashboard:rack", args=[rack.pk]))
    glance = pg.locator(".maintenance-glance").inner_text()
    assert "Now:" in glance and TITLE in glance
    assert "Nothing scheduled in the next 120 days." in glance
    coming = MaintenanceWindow.objects.create(  # the card follows live refresh too
        site=site,
        title="B07 firmware",
        starts_at=window.starts_at + timedelta(days=3),
        ends_at=window.ends_at + timedelta(days=3),
    )
    coming.devices.set([inside])
    pg.wait_for_selector(".maintenance-glance >> text=B07 firmware")
    assert "Next:" in pg.locator(".maintenance-glance").inner_text()
    coming.delete()

    engine.evaluate(inside.pk, [temp(95)], timezone.now())
    engine.evaluate(outside.pk, [temp(95)], timezone.now())
    assert smtp.event.wait(10)  # the listener works: the alert outside the rack arrived
    time.sleep(0.5)
    assert len(smtp.messages) == 1 and "LONE-SRV-01" in smtp.messages[0]["Subject"]
    held = Notification.objects.get(alert=Alert.objects.get(device=inside))
    assert (held.status, held.reason) == (NotificationStatus.SUPPRESSED, f"in maintenance: {TITLE}")

    pg.goto(f"{live_server.url}/alerts/")
    row = pg.locator("tr", has_text="B07-SRV-01").first
    assert f"in maintenance: {TITLE}" in row.inner_text()
    ctx.close()
