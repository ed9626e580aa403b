"""Reports delivered to a real SMTP listener (aiosmtpd on loopback) and read back as a mail
client would: multipart/related HTML whose cid: images all resolve, a PDF that opens with
pypdf and states the figures, CSVs with the same figures as the preview's JSON twin."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from dcim.availability.models import Member, MemberState, MemberStateChange, RedundancyGroup
from dcim.energy.periods import period
from dcim.energy.report import figures_json
from dcim.inventory.tests.factories import make_device
from dcim.reports import delivery, tasks
from dcim.reports.choices import DeliveryStatus, ReportKind, Trigger
from dcim.reports.models import Subscription
from dcim.reports.tests import mime


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Send a report to ops@example.net through a subscription, as "send now" does;
    deliveries leave when their transaction commits, so those hooks run here."""

    def _send(kind: str, site):
        sub = Subscription.objects.create(
            name=f"{kind} for ops", report=kind, site=site, addresses="ops@example.net"
        )
        d = delivery.create(
            kind, site, trigger=Trigger.MANUAL, recipients=sub.recipients(), subscription=sub
        )
        with django_capture_on_commit_callbacks(execute=True):
            tasks.dispatch(d.pk)
        d.refresh_from_db()
        assert d.status == DeliveryStatus.SENT, d.error
        return d

    return _send


def same(csv_cell: str, value) -> bool:
    """A CSV cell states a JSON value: numbers equal to the CSV's 6 decimals."""
    if value is None:
        return csv_cell == ""
    if isinstance(value, bool):
        return csv_cell == ("yes" if value else "no")
    if isinstance(value, int | float):
        return float(csv_cell) == pytest.approx(value, abs=1e-6)
    return csv_cell == str(value)


def test_daily_report_arrives_with_inline_charts_pdf_and_csv(smtp, rhine, send):
    d = send(ReportKind.DAILY_OPERATIONS, rhine["site"])
    [msg] = smtp.messages
    assert msg["To"] == "ops@example.net"
    assert msg.get_content_type() == "multipart/mixed"
    html = mime.html(msg)
    cids = set(re.findall(r'src="cid:([^"]+)"', html))
    images = mime.images(msg)
    assert cids and cids == set(images)  # every cid: resolves, no image left over
    assert all(png.startswith(b"\x89PNG") for png in images.values())
    # PUE 1.30 (page_site: facility = 1.3 × IT on every hour), linked to its page.
    assert "1.30" in html
    assert 'href="https://dcim.example.net/energy/?site=rhine"' in html
    [plain] = [p for p in msg.walk() if p.get_content_type() == "text/plain"]
    words = plain.get_payload(decode=True).decode()
    assert "Daily operations" in words and "<https://dcim.example.net/energy/?site=rhine>" in words
    text = mime.pdf_text(msg)
    assert "Daily operations" in text and "1.30" in text
    assert d.size_bytes and d.size_bytes < 2 * 2**20
    assert d.pdf.name.endswith(".pdf") and d.attempts.count() == 1


def test_monthly_energy_csv_states_the_figures_of_the_json_twin(
    smtp, rhine_month, operator_client, send
):
    site = rhine_month["site"]
    send(ReportKind.MONTHLY_ENERGY, site)
    [msg] = smtp.messages
    files = mime.csvs(msg)
    rows = files["monthly_energy-rhine-figures.csv"]
    header, body = rows[0], rows[1:]
    twin = operator_client.get(f"/reports/preview/monthly_energy/{site.slug}/api/").json()
    [table] = [t for s in twin["sections"] for t in s["tables"] if t["name"] == "figures"]
    assert header == table["header"]
    assert len(body) == len(table["rows"])
    for csv_row, json_row in zip(body, table["rows"], strict=True):
        assert all(same(c, v) for c, v in zip(csv_row, json_row, strict=True)), (csv_row, json_row)
    # The figure is energy's own: what figures_json (manage.py energy --json) gives.
    tz = ZoneInfo(site.timezone)
    first = timezone.now().astimezone(tz).date().replace(day=1)
    month = period("month", site.timezone, now=timezone.now(), on=first - relativedelta(days=1))
    energy = figures_json(site, month)
    # The figures are energy's own: what figures_json (manage.py energy --json) gives:
    # PUE 1.30 and Hall 1's pPUE 1.15 (page_site: facility = 1.3 × IT, cooling 0.15 × IT).
    assert not energy["withheld"] and energy["coverage"] > 0.99
    assert same(body[0][2], energy["pue"]) and energy["pue"] == pytest.approx(1.30, abs=1e-3)
    assert same(body[0][5], energy["e_dc_kwh"]) and same(body[0][6], energy["e_it_kwh"])
    assert [r[0] for r in body] == ["site", "Hall 1"]
    assert float(body[1][2]) == pytest.approx(1.15, abs=1e-3)
    assert float(body[0][7]) == pytest.approx(0.20 * energy["e_dc_kwh"], rel=1e-6)  # cost
    assert float(body[0][9]) == pytest.approx(0.4 * 1.30, abs=1e-3)  # CUE = 0.4 kg × PUE
    text = mime.pdf_text(msg)
    assert "1.30" in text and "1.15" in text and "Category 2" in text


def test_monthly_availability_pdf_states_the_availability(smtp, rhine, send):
    """One hour down in a 2N pair with may_fail 0 (both must run): last month's
    availability is 1 − 1 h / the month's hours, worked out here by hand."""
    site = rhine["site"]
    group = RedundancyGroup.objects.create(
        name="UPS pair", slug="ups-pair", site=site, kind="2n", may_fail=0
    )
    member = Member.objects.create(group=group, device=make_device(site=site), role="side_a")
    tz = ZoneInfo(site.timezone)
    first = timezone.now().astimezone(tz).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    start = first - relativedelta(months=1)
    down = start + timedelta(days=10, hours=12)
    MemberStateChange.objects.create(member=member, at=down, state=MemberState.DOWN)
    MemberStateChange.objects.create(
        member=member, at=down + timedelta(hours=1), state=MemberState.ACTIVE
    )
    hours = (first - start).total_seconds() / 3600
    expected = f"{100 * (1 - 1 / hours):.3f} %"
    send(ReportKind.MONTHLY_AVAILABILITY, site)
    [msg] = smtp.messages
    assert expected in mime.pdf_text(msg)
    [groups] = [v for k, v in mime.csvs(msg).items() if k.endswith("groups.csv")]
    assert groups[1][0] == "UPS pair" and groups[1][3] == "1"  # one outage
    assert float(groups[1][5]) == 60.0  # MTTR, minutes
