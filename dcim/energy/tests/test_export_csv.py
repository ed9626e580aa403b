"""The CSV of each table of the Power & PUE page (``/energy/export.csv``): raw values with the
unit in the header, the same records as the page, every rack (the page shows ten), text
made safe for spreadsheets, a clear error for an unknown table, and who may export."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from dcim.energy.ledger import update_ledger
from dcim.energy.models import Allocation, Meter, MeterKind, Tenant
from dcim.energy.tests.samples import every, write
from dcim.energy.views.gather import TABLES
from dcim.inventory.choices import DeviceRole
from dcim.inventory.tests.factories import make_device, make_device_type, make_rack
from dcim.ui.tables import unpooled

pytestmark = pytest.mark.django_db


def rows_of(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_anonymous_is_sent_to_login(client):
    response = client.get("/energy/export.csv?table=racks")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/energy/export.csv")


def test_a_viewer_downloads_each_table(viewer_client, rhine):
    for name, table in TABLES.items():
        response = viewer_client.get(f"/energy/export.csv?site=rhine&table={name}")
        assert response.status_code == 200, name
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        disposition = response["Content-Disposition"]
        assert disposition.startswith(f'attachment; filename="energy-rhine-{name}-')
        assert rows_of(response)[0] == table.csv_header()


def test_rows_are_the_pages_records_in_raw_units(viewer_client, rhine):
    twin = viewer_client.get("/energy/api/").json()
    header, *rows = rows_of(viewer_client.get("/energy/export.csv?table=periods"))
    assert header[4] == "Value" and header[6] == "Coverage (fraction)"
    assert header[8] == "Facility energy (kWh)"
    by_period = {r[0]: dict(zip(header, r, strict=True)) for r in rows}
    week = twin["figures"]["7d"]
    assert float(by_period["7 days"]["Value"]) == round(week["pue"], 6)
    assert float(by_period["7 days"]["Facility energy (kWh)"]) == round(week["e_dc_kwh"], 6)
    assert by_period["7 days"]["Category"] == "Category 2: IT at PDU output"
    assert by_period["7 days"]["From"].endswith(" CET")
    # A withheld figure exports its reason, not the number the page declined to show.
    month = twin["figures"]["30d"]
    assert by_period["30 days"]["Value"] == ""
    assert by_period["30 days"]["Withheld because"] == month["withheld"]
    page_days = unpooled(twin["tables"]["days"])
    _, *days = rows_of(viewer_client.get("/energy/export.csv?table=days"))
    assert [d[0] for d in days] == [r[0]["t"] for r in page_days]  # latest day first


def test_racks_csv_holds_every_rack_where_the_page_shows_ten(viewer_client, rhine):
    """Ten more racks, each with a PDU meter that reported for an hour."""
    now = timezone.now()
    pdu_type = make_device_type(u_height=0, default_role=DeviceRole.PDU)
    for i in range(10):
        rack = make_rack(room=rhine["hall"], name=f"S{i:02d}")
        pdu = make_device(rack=rack, device_type=pdu_type, name=f"PDU-S{i:02d}")
        Meter.objects.create(
            name=f"IT S{i:02d}", kind=MeterKind.IT_PDU_OUTPUT, site=rhine["site"],
            room=rhine["hall"], device=pdu, metric="pdu_power_watts",
        )  # fmt: skip
        start = now - timedelta(hours=3)
        write(pdu, "pdu_power_watts", "watts", every(start, now, 600, 500.0 + i))
    update_ledger(now=now)
    twin = viewer_client.get("/energy/api/").json()
    assert len(twin["tables"]["racks"]["rows"]) == 10
    header, *rows = rows_of(viewer_client.get("/energy/export.csv?table=racks"))
    assert len(rows) == 12
    assert header[:4] == ["Rack", "Room", "Energy (kWh)", "Cost"]
    assert [r[0] for r in rows[:2]] == ["R01", "R02"]
    energies = [float(r[2]) for r in rows]
    assert energies == sorted(energies, reverse=True)


def test_text_that_a_spreadsheet_would_run_is_defused(viewer_client, rhine):
    evil = Tenant.objects.create(name="=HYPERLINK(1)")
    Allocation.objects.create(tenant=evil, rack=rhine["racks"]["R02"], start=timezone.now())
    Allocation.objects.create(
        tenant=evil, rack=rhine["racks"]["R02"], start=timezone.now() - timedelta(days=2),
        end=timezone.now() - timedelta(days=1),
    )  # fmt: skip
    _, *rows = rows_of(viewer_client.get("/energy/export.csv?table=tenants"))
    assert "'=HYPERLINK(1)" in [r[0] for r in rows]


def test_an_unknown_table_is_a_clear_error(viewer_client, rhine):
    response = viewer_client.get("/energy/export.csv?table=secrets")
    assert response.status_code == 400
    assert response.json()["error"] == (
        "Unknown table 'secrets': one of periods, kpis, days, rooms, racks, tenants, "
        "forecast, budget."
    )
    assert viewer_client.get("/energy/export.csv?table=racks&site=nowhere").status_code == 404


def test_without_a_site_there_is_nothing_to_export(viewer_client):
    response = viewer_client.get("/energy/export.csv?table=racks")
    assert response.status_code == 400
    assert response.json()["error"] == "No site yet: nothing to export."
