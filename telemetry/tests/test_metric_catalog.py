"""The metric catalog holds what the collectors really emit, and what rules, pages and docs read.

Each collector is driven the way its own tests drive it (the NVML stand-in with faults, the
recorded dcgm-exporter pages, snmpsim serving the demo fleet, the Modbus simulator) and
every reading must be in the catalog with the same unit: a reading outside it would be a
metric that alert rules refuse and docs/metrics.md does not explain.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from dcim.inventory.tests.factories import make_device, make_user
from telemetry import store
from telemetry.collectors import catalog, nvml, prometheus
from telemetry.collectors.metric import COUNTER, GAUGE, STATE, Metric
from telemetry.collectors.profiles.snmp import PROFILES
from telemetry.collectors.registers import ALARM_BIT_METRIC, MAPS
from telemetry.readings import PollResult, Reading
from telemetry.simulators import nvml as standin
from telemetry.store.db import clear_caches

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"

# collector_metrics() of dcim.alerts.catalog before this catalog, when the NVML collector's
# names came from its docstring: every rule that validated then must still validate.
OLD_NAMES = frozenset(
    line.strip()
    for line in (FIXTURES / "metric_names_before_catalog.txt").read_text().splitlines()
    if line.strip() and not line.startswith("#")
)


def assert_in_catalog(
    readings: list[Reading], own: tuple[Metric, ...], where: str
) -> set[tuple[str, str]]:
    """Every reading in the collector's own catalog and the gathered one, same unit; and
    state readings that are bools read 0 or 1. Returns the (metric, unit) pairs seen."""
    own_by_name = {m.name: m for m in own}
    seen = {(r.metric, r.unit) for r in readings}
    for metric, unit in sorted(seen):
        entry = own_by_name.get(metric)
        assert entry is not None, f"{where} emits {metric}, not in its catalog"
        assert entry.unit == unit, f"{where}: {metric} in {unit!r}, catalog says {entry.unit!r}"
        assert catalog.describe(metric) is not None
        assert catalog.describe(metric).unit == unit, metric
    for r in readings:
        if r.unit == "bool":
            assert r.value in (0, 1), (where, r.metric, r.value)
    return seen


# -- NVML: the stand-in, faults on, so that the rare readings appear -----------------------


class Clock:
    def __init__(self) -> None:
        self.t = 1_700_000_000.0

    def __call__(self) -> float:
        return self.t


def nvml_readings_with_faults() -> list[Reading]:
    clock = Clock()
    sim = standin.SimulatedNvml("catalog-host", clock=clock, fan=True)
    readings: list[Reading] = []

    def poll() -> PollResult:
        result = nvml.collect(sim, target="catalog-host")
        assert result.ok, result.error
        readings.extend(result.readings)
        clock.t += 10
        return result

    poll()
    standin.inject(sim, 0, "not_supported:field_values")  # the old drivers' single calls
    standin.inject(sim, 1, "thermal_slowdown")
    standin.inject(sim, 2, "power_brake")
    standin.inject(sim, 3, "ecc_uncorrected")  # DBE, remap pending, XID 48
    standin.inject(sim, 4, "remap_failure")
    standin.inject(sim, 6, "ecc_corrected")
    standin.set_load(sim, 7, 100)  # flat out: held at the power cap
    for _ in range(30):  # five minutes: the die heats past slowdown
        poll()
    standin.inject(sim, 5, "xid79")  # off the bus: gpu_lost 1
    poll()
    last = poll()
    assert {e["kind"] for e in last.events} >= {"identity"}
    return readings


def test_every_nvml_reading_is_in_the_catalog_with_its_unit_and_each_entry_is_emitted():
    readings = nvml_readings_with_faults()
    seen = assert_in_catalog(readings, nvml.METRICS, "NVML")
    by_metric = {}
    for r in readings:
        by_metric.setdefault(r.metric, set()).add(r.value)
    # The faults showed: a lost GPU, an XID, a remap pending and failed, every clock reason.
    assert by_metric["gpu_lost"] == {0, 1}
    assert 79 in by_metric["gpu_xid_last"]
    assert by_metric["gpu_remapped_rows_pending"] == {0, 1}
    assert by_metric["gpu_remapped_rows_failure"] == {0, 1}
    for _bit, metric in nvml.REASON_BITS:
        assert 1 in by_metric[metric], metric
    # ... and no entry of the catalog is one the collector never emits.
    assert {m for m, _u in seen} == {m.name for m in nvml.METRICS}


def test_the_nvml_catalog_names_what_the_collector_code_names():
    names = {m.name for m in nvml.METRICS}
    assert len(names) == len(nvml.METRICS), "a name twice"
    assert {metric for _c, metric, _u, _s in nvml.FIELDS} <= names
    assert {metric for _c, metric in nvml.THRESHOLDS} <= names
    assert {metric for _b, metric in nvml.REASON_BITS} <= names
    units = {m.name: m.unit for m in nvml.METRICS}
    assert all(units[metric] == unit for _c, metric, unit, _s in nvml.FIELDS)


# -- dcgm-exporter: the recorded scrapes ------------------------------------------------------


@pytest.mark.parametrize("fixture", sorted(FIXTURES.glob("dcgm_*.txt")), ids=lambda p: p.stem)
def test_every_dcgm_reading_is_in_the_catalog_with_its_unit(fixture):
    result = PollResult(target=fixture.stem)
    prometheus.dcgm_readings(prometheus.parse_text(fixture.read_text()), result)
    assert result.readings
    assert_in_catalog(result.readings, prometheus.METRICS, fixture.name)


def test_the_dcgm_catalog_is_the_field_mapping_in_the_nvml_collectors_terms():
    entries = {m.name: m for m in prometheus.METRICS}
    for field, (metric, unit, _factor) in prometheus.DCGM_FIELDS.items():
        assert entries[metric].unit == unit, field
        assert field in entries[metric].meaning  # the docs say which field it comes from
    nvml_entries = {m.name: m for m in nvml.METRICS}
    for name, entry in entries.items():
        if name in nvml_entries:
            assert (entry.unit, entry.kind) == (nvml_entries[name].unit, nvml_entries[name].kind)


# -- SNMP profiles and Modbus maps: the data, and the simulators -----------------------------


def test_every_snmp_profile_metric_is_in_the_catalog_with_its_unit_and_kind():
    for profile in PROFILES.values():
        for m in profile.metrics():
            entry = catalog.describe(m.name)
            assert entry is not None, (profile.key, m.name)
            assert entry.unit == m.unit, (profile.key, m.name)
            assert entry.kind == m.kind, (profile.key, m.name)
            assert (m.kind == COUNTER) == bool(m.counter)


def test_every_modbus_register_is_in_the_catalog_with_its_unit():
    for reg_map in MAPS.values():
        own = {m.name: m for m in reg_map.catalog()}
        for reg in reg_map.registers:
            assert own[reg.metric].unit == reg.unit, (reg_map.key, reg.metric)
            assert catalog.describe(reg.metric).unit == reg.unit, (reg_map.key, reg.metric)
            expected = STATE if reg.unit in ("state", "bitmask") else None
            assert expected in (None, own[reg.metric].kind)
            if reg.bits:
                assert all(name in own[reg.metric].meaning for name in reg.bits.values())
                assert own[ALARM_BIT_METRIC].unit == "bool"


@pytest.fixture(scope="module")
def snmp_fleet(tmp_path_factory):
    from telemetry.simulators.snmp import start_snmpsim
    from telemetry.simulators.snmp.fleet import DEMO_FLEET, write_fleet

    data = tmp_path_factory.mktemp("snmp-catalog")
    write_fleet(data, DEMO_FLEET)
    handle = start_snmpsim(data)
    yield handle, DEMO_FLEET
    handle.stop()


def test_the_demo_snmp_fleet_reads_only_catalogued_metrics(snmp_fleet):
    from telemetry.collectors.snmp import SnmpCredentials, SnmpTarget, poll_many

    sim, fleet = snmp_fleet
    targets = [
        SnmpTarget(
            "127.0.0.1",
            SnmpCredentials(community=d.name),
            d.profiles,
            port=sim.port,
            name=d.name,
        )
        for d in fleet
    ]
    for device, result in zip(fleet, poll_many(targets), strict=True):
        assert result.ok, result.error
        assert result.readings, device.name
        own = tuple(m for key in ("system", *device.profiles) for m in PROFILES[key].catalog())
        assert_in_catalog(result.readings, own, device.name)


def test_every_modbus_map_reads_only_catalogued_metrics():
    from telemetry.collectors.modbus import ModbusTarget, poll
    from telemetry.simulators.modbus import ModbusSimulator

    units = dict(enumerate(MAPS, start=1))
    clock = iter(range(1_700_000_000, 1_800_000_000, 10))
    with ModbusSimulator(units, interval=None, clock=lambda: float(next(clock)), seed=3) as sim:
        sim.tick()
        for unit, key in units.items():
            result = poll(ModbusTarget("127.0.0.1", sim.port, unit, key, timeout=1.0, retries=0))
            assert result.ok, result.error
            seen = assert_in_catalog(result.readings, MAPS[key].catalog(), key)
            assert {m for m, _u in seen} == {m.name for m in MAPS[key].catalog()}


# -- The gathered catalog ------------------------------------------------------------------


def test_where_two_collectors_produce_one_name_they_agree_on_its_unit_and_kind():
    assert catalog.conflicts() == []
    given: dict[str, set[tuple[str, str]]] = {}
    for source in catalog.sources():
        for m in source.metrics:
            given.setdefault(m.name, set()).add((m.unit, m.kind))
    shared = {name for name, ways in given.items() if len(ways) > 1}
    assert shared == set()
    # Names several catalogs give, e.g. SNMP's Liebert and Modbus CRAHs, or NVML and DCGM:
    counts: dict[str, int] = {}
    for source in catalog.sources():
        for m in source.metrics:
            counts[m.name] = counts.get(m.name, 0) + 1
    assert counts["gpu_temperature_celsius"] >= 2
    assert counts["cooling_return_air_temperature_celsius"] >= 2


def test_no_name_that_used_to_validate_is_lost():
    names = set(catalog.metrics())
    assert len(OLD_NAMES) == 135
    assert {n for n in OLD_NAMES if n.startswith("gpu_")} <= names  # the docstring's
    assert names >= OLD_NAMES, sorted(OLD_NAMES - names)


def test_describe_and_metrics():
    temp = catalog.describe("gpu_temperature_celsius")
    assert temp == Metric("gpu_temperature_celsius", "celsius", GAUGE, temp.meaning)
    assert catalog.describe("gpu_temperature_farenheit") is None
    everything = catalog.metrics()
    assert everything["pdu_energy_joules_total"].kind == COUNTER
    assert everything["if_oper_status"].kind == STATE
    everything.clear()  # a copy: the catalog is untouched
    assert catalog.describe("gpu_temperature_celsius") is temp
    for m in catalog.metrics().values():
        assert m.meaning.strip() and m.kind in (GAUGE, COUNTER, STATE)


@pytest.mark.parametrize(
    ("name", "unit", "kind"),
    [
        ("gpu_errors", "count", COUNTER),  # a counter without _total
        ("gpu_errors_total", "count", GAUGE),  # _total on a gauge
        ("GPU_power_watts", "watts", GAUGE),
        ("gpu_power_watts", "watts", "histogram"),
    ],
)
def test_an_entry_against_the_conventions_is_refused(name, unit, kind):
    with pytest.raises(ValueError):
        Metric(name, unit, kind, "something")


def test_an_entry_must_say_what_it_means():
    with pytest.raises(ValueError, match="means"):
        Metric("gpu_power_watts", "watts", GAUGE, " ")


def test_a_profile_or_map_metric_without_a_meaning_is_refused():
    from telemetry.collectors.profiles.snmp import Metric as SnmpMetric
    from telemetry.collectors.profiles.snmp import Profile
    from telemetry.collectors.registers import RegisterMap, Row

    profile = Profile("p", "", scalars=(SnmpMetric("x_watts", "watts", "1.3.6.1.0"),))
    with pytest.raises(ValueError, match="no meaning for x_watts"):
        profile.catalog()
    reg_map = RegisterMap("m", "crah", "", "0-based", (Row(0, "int16", 1, "W", "y_watts"),))
    with pytest.raises(ValueError, match="y_watts"):
        reg_map.catalog()
    described = RegisterMap(
        "m",
        "crah",
        "",
        "0-based",
        (Row(0, "int16", 1, "W", "y_watts"),),
        meanings={"y_watts": "Y."},
    )
    assert described.catalog() == (Metric("y_watts", "watts", GAUGE, "Y."),)


# -- docs/metrics.md ---------------------------------------------------------------------


def test_docs_metrics_md_is_the_catalog():
    path = ROOT / "docs" / "metrics.md"
    written = path.read_text(encoding="utf-8") if path.exists() else ""
    assert written == catalog.markdown(), (
        f"docs/metrics.md is out of date with the metric catalog; regenerate it with:\n"
        f"    {catalog.REGENERATE}"
    )


def test_the_command_prints_the_catalog_with_a_table_per_collector_profile_and_map():
    out = io.StringIO()
    call_command("metric_catalog", stdout=out)
    text = out.getvalue()
    assert text == catalog.markdown()
    for profile in PROFILES:
        assert f"### `{profile}`" in text
    for key in MAPS:
        assert f"### `{key}`" in text
    assert "| `gpu_xid_last` | xid | state |" in text
    assert "| `ups_battery_status` | — | state |" in text


# -- The device page: a metric's meaning is its hover title -------------------------------


@pytest.mark.django_db
def test_the_device_page_and_its_json_give_each_metric_its_meaning(client):
    clear_caches()
    try:
        device = make_device(name="crah-catalog")
        batch = store.Batch(batch_id="catalog-titles")
        batch.add_readings(
            device.pk,
            [
                Reading("cooling_supply_air_temperature_celsius", 18.5, "celsius"),
                Reading("site_custom_metric", 1.0, ""),  # not a collector's: no title
            ],
            timezone.now(),
        )
        store.ingest(batch)
        client.force_login(make_user("Viewer"))
        meaning = catalog.describe("cooling_supply_air_temperature_celsius").meaning

        # The row reads as words; the hover gives the metric's name and its meaning.
        html = client.get(f"/devices/{device.pk}/").content.decode()
        metric = "cooling_supply_air_temperature_celsius"
        assert f'title="{metric}: {meaning}">Cooling supply air temperature' in html
        assert 'title="site_custom_metric">Site custom metric</th>' in html

        data = client.get(f"/api/devices/{device.pk}/").json()
        table = data["tables"]["latest"]
        metric_cells = {
            table["cells"][row[0]]["v"]: table["cells"][row[0]] for row in table["rows"]
        }
        assert metric_cells[metric]["ti"] == f"{metric}: {meaning}"
        assert metric_cells["site_custom_metric"]["ti"] == "site_custom_metric"  # no meaning
    finally:
        clear_caches()
