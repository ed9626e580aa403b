"""The HA page in Chromium: a failover stored through the poller's real path (the
detection receiver on ``poll_stored``) appears in the failover table, on the plotly
timeline and in the group's state within two refresh intervals, without a reload."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from dcim.availability.models import GroupKind, Member, MemberRole, RedundancyGroup
from dcim.inventory.tests.factories import make_device, make_site
from telemetry import polling
from telemetry.models import CollectionTarget, Protocol
from telemetry.readings import PollResult, Reading
from tests.browser.conftest import shot

REFRESH_S = 1  # the page fixture's DASHBOARD_REFRESH_S


def store(target, state: int, at) -> None:
    result = PollResult(target=str(target.pk), started=at)
    result.readings.append(Reading("keepalived_vrrp_instance_state", state, "", "VI_API"))
    polling.store_result(target, result)


def test_a_detected_failover_shows_live(page):
    site = make_site(name="HA site", slug="ha-site", timezone="Europe/Berlin")
    group = RedundancyGroup.objects.create(
        name="API load balancers", slug="api-lb", site=site, kind=GroupKind.ACTIVE_STANDBY
    )
    targets = []
    for name, role in (("LB-01", MemberRole.ACTIVE), ("LB-02", MemberRole.STANDBY)):
        device = make_device(site=site, name=name)
        Member.objects.create(group=group, device=device, role=role)
        targets.append(
            CollectionTarget.objects.create(
                device=device, protocol=Protocol.SNMP, address="127.0.0.1", interval_s=30
            )
        )
    lb1, lb2 = targets
    t0 = timezone.now() - timedelta(seconds=40)
    store(lb1, 2, t0)  # master
    store(lb2, 1, t0)  # backup

    page.goto(f"{page.base}/ha/?site=ha-site")
    page.wait_for_selector("#groups tbody tr")
    assert "Healthy" in page.locator("#groups").inner_text()
    assert "No failovers recorded" in page.locator("#failovers").inner_text()

    t1 = timezone.now()
    store(lb1, 3, t1)  # fault
    store(lb2, 2, t1)  # master
    # Within two refresh intervals (plus the request itself), no reload.
    timeout_ms = (2 * REFRESH_S + 3) * 1000
    page.wait_for_function(
        "() => document.querySelector('#failovers').innerText.includes('LB-02')",
        timeout=timeout_ms,
    )
    row = page.locator("#failovers tbody tr").first.inner_text()
    assert "LB-01" in row and "LB-02" in row and "To annotate" in row
    page.wait_for_function(
        "() => document.querySelector('#groups').innerText.includes('Degraded')",
        timeout=timeout_ms,
    )
    page.wait_for_function(
        "() => document.getElementById('timeline-chart').dataset.points === '1'",
        timeout=timeout_ms,
    )
    assert page.locator("#timeline-chart .main-svg").count() >= 1  # plotly drew it
    shot(page, "availability-live-failover")
