"""Rule admin: every rule says how many devices report its metric, so a rule that can never
fire (its metric reported by nothing) shows as such, counted in one statement per page."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dcim.alerts.models import Rule
from dcim.alerts.tests.conftest import temp
from dcim.inventory.choices import DeviceRole
from dcim.inventory.tests.factories import make_device, make_device_type, make_rack
from telemetry import store
from telemetry.readings import Reading

pytestmark = pytest.mark.django_db

ASHRAE = "Rack inlet outside ASHRAE recommended (18–27 °C)"
PDU = "PDU above 80 % of available feed power"


def ingest(device, readings) -> None:
    batch = store.Batch(batch_id=f"admin-test-{device.pk}")
    batch.add_readings(device.pk, readings, timezone.now())
    store.ingest(batch)


def reporting_column(html: str) -> dict[str, str]:
    """{rule name: its "Reporting devices" cell} from the admin's change list."""
    out = {}
    for row in re.findall(r"<tr>(.*?)</tr>", html, re.S):
        name = re.search(r'<th class="field-name"><a [^>]*>(.*?)</a>', row)
        cell = re.search(r'<td class="field-reporting">(.*?)</td>', row)
        if name and cell:
            out[unescape(name.group(1))] = unescape(cell.group(1))
    return out


@pytest.fixture
def reported(gpu_server):
    """Two NetBotz report inlet air, one GPU server its GPUs; no PDU reports anything."""
    rack = make_rack()
    env = make_device_type(default_role=DeviceRole.ENV_SENSOR)
    for _ in range(2):
        monitor = make_device(device_type=env, rack=rack)
        ingest(monitor, [Reading("env_temperature_celsius", 23.4, "celsius", "inlet")])
    ingest(gpu_server, [temp(61, "gpu0"), temp(63, "gpu1")])  # one device, two series


def test_rule_list_counts_reporting_devices_and_says_when_none(admin_role_client, reported):
    html = admin_role_client.get("/admin/alerts/rule/").content.decode()
    assert "Reporting devices" in html
    column = reporting_column(html)
    # The alerts (20), energy (2), maintenance (2) and availability (5) packs.
    assert len(column) == Rule.objects.count() == 29
    assert column[ASHRAE] == "2 devices"
    assert column["GPU temperature near its slowdown threshold"] == "1 device"
    assert column[PDU] == "0 — no device reports pdu_power_watts"
    assert column["Collector failing"] == "—"  # watches targets, not a metric


def test_one_statement_counts_the_whole_page(admin_role_client, reported):
    for n in range(15):
        Rule.objects.create(name=f"extra {n}", metric="env_humidity_percent", threshold=70)
    with CaptureQueriesContext(connection) as queries:
        html = admin_role_client.get("/admin/alerts/rule/").content.decode()
    assert reporting_column(html)["extra 3"] == "0 — no device reports env_humidity_percent"
    assert sum("telemetry_series" in q["sql"] for q in queries) == 1


def test_rule_form_shows_its_count(admin_role_client, reported):
    ashrae, pdu = Rule.objects.get(name=ASHRAE), Rule.objects.get(name=PDU)
    page = admin_role_client.get(f"/admin/alerts/rule/{ashrae.pk}/change/").content.decode()
    assert re.search(r"Reporting devices:?</label>\s*<div class=\"readonly\">2 devices<", page)
    page = admin_role_client.get(f"/admin/alerts/rule/{pdu.pk}/change/").content.decode()
    assert "0 — no device reports pdu_power_watts" in unescape(page)
