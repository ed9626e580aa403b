"""Values people read on the device page of every role: each metric its collectors can
produce is stored, and no table shows a raw unit word ("joules", "celsius", "bool") or a
state's bare code; the chart endpoint's axis is in the unit people read too.

The readings come from the metric catalog itself (each role's collector sources), so a
metric added to a profile or register map is covered the day it is added.
"""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from dcim.dashboard.tests.conftest import add_device, ingest
from dcim.dashboard.tests.html import table_rows
from dcim.inventory.choices import DeviceRole
from dcim.inventory.models import DeviceType, Manufacturer, Site
from dcim.ui import metric_names
from telemetry.collectors import catalog
from telemetry.collectors.metric import STATE
from telemetry.readings import Reading

pytestmark = pytest.mark.django_db

SOURCES = {
    DeviceRole.GPU_SERVER: ("nvml",),
    DeviceRole.PDU: ("system", "apc_rpdu2", "env_sensor", "raritan_pdu2", "servertech_sentry4"),
    DeviceRole.SWITCH: ("system", "if_mib", "entity_sensor"),
    DeviceRole.UPS: ("system", "ups_mib"),
    DeviceRole.CRAH: ("crah_stulz", "liebert_gp"),
    DeviceRole.CDU: ("cdu_vertiv",),
    DeviceRole.CHILLER: ("chiller_gateway",),
    DeviceRole.ENV_SENSOR: ("netbotz_v2",),
}
BY_UNIT = {
    "celsius": 23.44,
    "percent": 41.2,
    "watts": 7500.0,
    "joules": 187_204_910_400.0,
    "seconds": 840.0,
    "pascals": 73_123.51,
    "bytes": 85_899_345_920.0,
    "hertz": 1.98e9,
    "volts": 230.0,
    "amperes": 16.2,
    "voltamperes": 7600.0,
    "bits_per_second": 1e11,
    "liters_per_second": 12.5,
    "meters_per_second": 1.8,
    "cubic_meters_per_minute": 30.0,
    "rpm": 9000.0,
    "count": 3.0,
    "": 0.97,
}
# What the demo showed raw, and what it must read now.
EXPECTED = {
    "ups_battery_runtime_seconds": (840.0, "14 min"),
    "ups_battery_status": (2.0, "normal"),
    "ups_output_source": (5.0, "on battery"),
    "cdu_differential_pressure_pascals": (73_123.51, "73.1 kPa"),
    "chiller_energy_joules_total": (187_204_910_400.0, "52 MWh"),
    "pdu_energy_joules_total": (187_204_910_400.0, "52 MWh"),
    "chiller_supply_water_temperature_celsius": (7.04, "7.0 °C"),
    "gpu_count": (8.0, "8"),
}
RAW_WORDS = re.compile(
    r"joules|celsius|\bbool\b|pascals|\bseconds\b|watts|percent|voltamperes|bytes_per"
)
TWO_DECIMALS = re.compile(r"^-?[\d,]+\.00$")  # "2.00": a code or a count shown raw


class _Text(HTMLParser):
    """The text a person sees: element text, not attributes (hover titles keep the raw
    number and the metric's name), scripts or styles."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.skip += tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self.skip -= tag in ("script", "style")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    reader = _Text()
    reader.feed(html)
    return " ".join(reader.parts).lower()


def _value(m) -> float:
    if m.name in EXPECTED:
        return EXPECTED[m.name][0]
    if m.kind == STATE:
        words = m.words()
        return {"pstate": 0.0, "xid": 79.0, "bitmask": 64.0}.get(m.unit, 2 if 2 in words else 1)
    return BY_UNIT[m.unit]


def _component(name: str) -> str:
    if name.startswith("gpu_") and name != "gpu_count":
        return "gpu0"
    if name.startswith("if_"):
        return "if:Ethernet1"
    if name.startswith("pdu_outlet_"):
        return "outlet:1"
    if name == "cooling_alarm_active":
        return "alarm:high_supply"
    return ""


def _readings(role: str) -> list[Reading]:
    keys = SOURCES[role]
    metrics = {m.name: m for s in catalog.sources() if s.key in keys for m in s.metrics}
    return [Reading(n, _value(m), m.unit, _component(n)) for n, m in metrics.items()]


@pytest.fixture
def site() -> Site:
    return Site.objects.create(name="Lab", slug="lab", timezone="Europe/Amsterdam")


def _device(role: str, site: Site, gpus: int = 0):
    vendor, _ = Manufacturer.objects.get_or_create(name="Acme", slug="acme")
    kind = DeviceType.objects.create(
        manufacturer=vendor, model=role, slug=role, default_role=role, gpu_count=gpus
    )
    return add_device(f"{role}-01", kind, site, gpus=gpus)


@pytest.mark.parametrize("role", list(SOURCES))
def test_device_page_shows_no_raw_unit_words_or_bare_codes(viewer_client, site, role):
    device = _device(role, site, gpus=1 if role == DeviceRole.GPU_SERVER else 0)
    readings = _readings(role)
    ingest(device, readings)
    html = viewer_client.get(f"/devices/{device.pk}/").content.decode()
    ids = [t for t in ("gpus", "ports", "outlets", "latest") if f'data-live-table="{t}"' in html]
    tables = {t: table_rows(html, t) for t in ids}
    for name, rows in tables.items():
        for row in rows:
            for text in row:
                assert not TWO_DECIMALS.match(text), (role, name, row)
    words = RAW_WORDS.findall(visible_text(html))  # metric names show in words too
    assert words == [], (role, words)
    names = {metric_names.label(r.metric): r.metric for r in readings}
    shown = {names[r[0]]: r[2] for r in tables["latest"] if r[1] == "—"}
    for metric, (_, expected) in EXPECTED.items():
        if metric in shown:
            assert shown[metric] == expected, metric
    states = [r for r in readings if r.metric in shown and catalog.describe(r.metric).states]
    for r in states:  # a state reads as its word
        assert shown[r.metric] == catalog.describe(r.metric).words()[int(r.value)], r.metric


def test_converted_values_keep_the_raw_number_on_hover(viewer_client, site):
    ups = _device(DeviceRole.UPS, site)
    ingest(ups, _readings(DeviceRole.UPS))
    html = viewer_client.get(f"/devices/{ups.pk}/").content.decode()
    assert 'title="840 s">14 min<' in html
    assert 'title="2">normal<' in html


def test_a_port_that_is_down_reads_down_and_the_cooling_alarm_reads_alarm(viewer_client, site):
    switch = _device(DeviceRole.SWITCH, site)
    ingest(
        switch,
        [
            Reading("if_oper_status", 2, "", "if:Ethernet1"),
            Reading("if_admin_status", 1, "", "if:Ethernet1"),
        ],
    )
    html = viewer_client.get(f"/devices/{switch.pk}/").content.decode()
    assert table_rows(html, "ports")[0][:2] == ["Ethernet1", "Down"]
    crah = _device(DeviceRole.CRAH, site)
    ingest(crah, [Reading("cooling_alarm_active", 1, "bool", "")])
    html = viewer_client.get(f"/devices/{crah.pk}/").content.decode()
    rows = table_rows(html, "latest")
    assert rows == [["Cooling alarm active", "—", "alarm", rows[0][3]]]
    assert 'title="cooling_alarm_active: One alarm of the unit' in html  # the name on hover
    assert '<option value="cooling_alarm_active" title="cooling_alarm_active" selected>' in html


def test_chart_axes_are_in_the_unit_people_read(viewer_client, site):
    switch = _device(DeviceRole.SWITCH, site)
    ups = _device(DeviceRole.UPS, site)
    now = timezone.now()
    for i in range(5):  # 2.5 GB/s in: 150 GB a minute
        at = now - timedelta(minutes=5 - i)
        ingest(
            switch,
            [
                Reading("if_in_bytes_total", 1e12 + i * 150e9, "bytes", "if:Ethernet1"),
                Reading("if_oper_status", 1 if i < 3 else 2, "", "if:Ethernet1"),
            ],
            at,
        )
        ingest(ups, [Reading("ups_battery_runtime_seconds", 840.0 + 60 * i, "seconds")], at)

    def chart(device, metric):
        url = f"/api/devices/{device.pk}/chart/?metric={metric}&range=1h"
        return viewer_client.get(url).json()

    rate = chart(switch, "if_in_bytes_total")
    assert rate["unit"] == "GB/s" and rate["raw_unit"] == "bytes_per_second"
    assert rate["traces"][0]["y"] == pytest.approx([2.5] * 4)
    runtime = chart(ups, "ups_battery_runtime_seconds")
    assert runtime["unit"] == "min" and runtime["traces"][0]["y"][0] == pytest.approx(14.0)
    oper = chart(switch, "if_oper_status")
    assert oper["unit"] == "" and dict(zip(*oper["ticks"].values(), strict=True))[2] == "down"
    assert oper["traces"][0]["customdata"] == ["up", "up", "up", "down", "down"]
