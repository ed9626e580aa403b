"""The preview of each report in the browser, its JSON twin and its PDF, for the energy
page's metered site (a Viewer may read them)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from dcim.alerts.models import Alert
from dcim.alerts.tests.conftest import rule
from dcim.availability.models import Failover, RedundancyGroup
from dcim.inventory.tests.factories import make_device, make_device_type, make_site
from dcim.maintenance.models import MaintenanceWindow
from dcim.reports.choices import ReportKind
from telemetry.models import CollectionTarget

pytestmark = pytest.mark.django_db


def test_every_report_previews_as_html_json_and_pdf(viewer_client, rhine):
    drawn = set()
    for kind in ReportKind.values:
        base = f"/reports/preview/{kind}/rhine/"
        html = viewer_client.get(base)
        assert html.status_code == 200, kind
        twin = viewer_client.get(base + "api/").json()
        charts = [c for s in twin["sections"] for c in s["charts"]]
        assert html.content.count(b'src="data:image/png;base64,') == len(charts), kind
        assert twin["kind"] == kind and twin["site"] == "Rhine"
        pdf = viewer_client.get(base + "pdf/")
        assert pdf["Content-Type"] == "application/pdf"
        text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
        assert twin["title"] in text
        drawn |= {c["name"] for c in charts}
    assert {"pue-week", "power-budget"} <= drawn  # yesterday and the budgets have data


def test_unknown_report_or_site_is_a_404(viewer_client, rhine):
    assert viewer_client.get("/reports/preview/yearly_gossip/rhine/").status_code == 404
    assert viewer_client.get("/reports/preview/daily_operations/atlantis/").status_code == 404


def test_weekly_capacity_states_space_and_power_against_budget(viewer_client, rhine):
    """Two 42 U racks with one 2 U server: 2 of 84 U. R01 draws 6–7 kW of its 10 kW
    budget (page_site), so it is listed above 70 %; R02's flat 4 kW is not."""
    site, racks = rhine["site"], rhine["racks"]
    server = make_device_type(u_height=2)
    make_device(rack=racks["R01"], device_type=server, name="gpu-1", position_u=10)
    twin = viewer_client.get("/reports/preview/weekly_capacity/rhine/api/").json()
    figures = {f["label"]: f for s in twin["sections"] for f in s["figures"]}
    assert figures["Rack units in use"]["text"] == "2 of 84 U"
    assert figures["Racks and feeds above 70%"]["value"] == 1
    [power] = [t for s in twin["sections"] for t in s["tables"] if t["name"] == "power"]
    r01 = next(r for r in power["rows"] if r[0] == "R01")
    assert r01[3] == 10.0 and 0.7 <= r01[4] / r01[3] < 0.8
    assert figures["Rack units in use"]["link"].endswith("/floor/")
    assert site.slug in figures["Racks and feeds above 70%"]["link"]


def test_daily_operations_counts_what_happened_at_this_site_only(viewer_client, rhine):
    """One firing alert and one resolved yesterday-morning alert here, one firing alert at
    another site; a window today; a failover 3 h ago; one target failing, one up."""
    site = rhine["site"]
    now = timezone.now()
    here = make_device(site=site, name="gpu-host-1")
    there = make_device(site=make_site(name="Elsewhere", slug="elsewhere"), name="far-1")
    r = rule()
    for device, state, started in (
        (here, "firing", now - timedelta(hours=2)),
        (here, "resolved", now - timedelta(hours=20)),
        (there, "firing", now - timedelta(hours=1)),
    ):
        Alert.objects.create(
            rule=r,
            subject_key=f"{device.pk}/{state}",
            subject_label=device.name,
            device=device,
            state=state,
            severity="critical",
            started_at=started,
        )
    MaintenanceWindow.objects.create(
        site=site, title="UPS battery check", starts_at=now, ends_at=now + timedelta(hours=1)
    )
    group = RedundancyGroup.objects.create(name="Core", slug="core", site=site, kind="2n")
    Failover.objects.create(group=group, kind="automatic", detected_at=now - timedelta(hours=3))
    CollectionTarget.objects.create(
        device=here,
        protocol="snmp",
        address="10.0.0.1",
        consecutive_failures=3,
        last_poll_at=now,
        last_error="timeout",
    )
    CollectionTarget.objects.create(
        device=rhine["racks"]["R01"].devices.first(),
        protocol="snmp",
        address="10.0.0.2",
        last_poll_at=now,
    )
    twin = viewer_client.get("/reports/preview/daily_operations/rhine/api/").json()
    figures = {f["label"]: f["value"] for s in twin["sections"] for f in s["figures"]}
    assert figures["Firing now"] == 1
    assert figures["New in the last 24 h"] == 2
    assert figures["Windows today"] == 1
    assert figures["Failovers, last 24 h"] == 1
    assert (figures["Targets up"], figures["Targets down"]) == (1, 1)
    tables = {t["name"]: t for s in twin["sections"] for t in s["tables"]}
    assert [row[3] for row in tables["alerts"]["rows"]] == ["gpu-host-1"]
    assert tables["maintenance"]["rows"][0][0] == "UPS battery check"
    assert tables["collectors"]["rows"][0][:2] == ["gpu-host-1", "SNMP"]
