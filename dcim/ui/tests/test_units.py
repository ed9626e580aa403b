"""The formatter every page, chart and alert shows values with: known answers, edges, and
every unit the metric catalog uses."""

from __future__ import annotations

import math

import pytest

from dcim.ui import metric_names, units
from telemetry.collectors import catalog


@pytest.mark.parametrize(
    ("value", "unit", "metric", "shown"),
    [
        # the raw values the demo showed, and what they read now
        (187_204_910_400.0, "joules", "", "52 MWh"),
        (840.0, "seconds", "", "14 min"),
        (2.0, "", "ups_battery_status", "normal"),
        (5.0, "", "ups_output_source", "on battery"),
        (3.0, "", "ups_output_source", "normal"),
        (0.0, "bool", "", "no"),
        (1.0, "bool", "cooling_alarm_active", "alarm"),
        (0.0, "bool", "cooling_alarm_active", "ok"),
        (73_123.51, "pascals", "", "73.1 kPa"),
        (2.0, "", "if_oper_status", "down"),
        (1.0, "", "if_oper_status", "up"),
        (2.5e9, "bytes_per_second", "", "2.5 GB/s"),
        # energy, durations, power, temperatures
        (3.6e6, "joules", "", "1 kWh"),
        (1800.0, "joules", "", "0.5 Wh"),
        (45.0, "seconds", "", "45 s"),
        (845.0, "seconds", "", "14 min 05 s"),
        (7530.0, "seconds", "", "2 h 05 min"),
        (200_000.0, "seconds", "", "2 d 07 h"),
        (23.44, "celsius", "", "23.4 °C"),
        (7500.0, "watts", "", "7.5 kW"),
        (999.97, "watts", "", "1 kW"),  # rounds up into the next prefix, not "1,000 W"
        (2.4e6, "watts", "", "2.4 MW"),
        (85_899_345_920.0, "bytes", "", "80 GiB"),
        (1.98e9, "hertz", "", "1.98 GHz"),
        (63.456, "percent", "", "63.5 %"),
        (3.2, "per_second", "", "3.2/s"),
        (3.0, "count", "", "3"),
        (0.97, "", "pdu_power_factor", "0.97"),
        # codes without words, bits, P-states, XIDs
        (9.0, "", "ups_output_source", "code 9"),
        (1.5, "", "ups_output_source", "1.5"),  # a bucket's average is no code
        (0x48, "bitmask", "gpu_clocks_event_reasons", "HW slowdown, HW thermal"),
        (0x28, "bitmask", "cooling_alarm_word", "0x0028"),
        (0.0, "bitmask", "", "none"),
        (0.0, "pstate", "", "P0"),
        (79.0, "xid", "", "XID 79"),
        (0.0, "xid", "", "none"),
        # edges: nothing, zero, negative, tiny, huge, unknown units
        (None, "watts", "", "—"),
        (math.nan, "celsius", "", "—"),
        (0.0, "watts", "", "0 W"),
        (-1500.0, "watts", "", "-1.5 kW"),
        (-90.0, "seconds", "", "-1 min 30 s"),
        (0.00312, "amperes", "", "0.00312 A"),
        (1e21, "watts", "", "1,000 EW"),
        (math.inf, "watts", "", "∞ W"),
        (12.345, "furlongs", "", "12.3 furlongs"),
        (2.0, "furlongs_per_second", "", "2 furlongs per second"),
    ],
)
def test_known_answers(value, unit, metric, shown):
    assert units.text(value, unit, metric) == shown


def test_fixed_digits_and_prefix_for_a_column_of_one_unit():
    assert units.text(1.0e10, "bits_per_second", digits=1, prefix="G") == "10.0 Gb/s"
    assert units.text(5e8, "bits_per_second", digits=1, prefix="G") == "0.5 Gb/s"
    assert units.text(1450.0, "watts", digits=0, prefix="") == "1,450 W"
    assert units.text(-0.01, "celsius", digits=1) == "0.0 °C"  # never "-0.0"


def test_raw_value_for_hover_keeps_the_base_unit():
    assert units.raw(187_204_910_400.0, "joules") == "187,204,910,400 J"
    assert units.raw(840.0, "seconds") == "840 s"
    assert units.raw(2.0, "") == "2"
    assert units.raw(1.0, "bool") == "1"
    assert units.raw(None, "watts") == ""


def test_table_cell_sorts_by_the_raw_value_and_shows_it_on_hover():
    c = units.measure(840.0, "seconds", "ups_battery_runtime_seconds")
    assert c == {"t": "14 min", "v": 840.0, "n": 1, "ti": "840 s"}
    assert units.measure(None, "watts") == {"t": "—", "v": -1e18, "n": 1}
    assert "ti" not in units.measure(3.0, "count")  # hovering would say the same


def test_a_column_shares_one_cell_per_value_as_shown():
    temp = units.measures("celsius", digits=0)
    assert temp(64.2) is temp(63.9) and temp(64.2)["t"] == "64 °C"
    mem = units.measures("bytes", digits=1, prefix="Gi")
    assert mem(40 * 2**30)["t"] == "40.0 GiB" and mem(40 * 2**30 + 5) is mem(40 * 2**30)


@pytest.mark.parametrize(
    ("unit", "metric", "peak", "label", "factor"),
    [
        ("watts", "", 7500.0, "kW", 1e-3),
        ("bytes_per_second", "", 2.1e10, "GB/s", 1e-9),
        ("celsius", "", 80.0, "°C", 1.0),
        ("seconds", "", 900.0, "min", 1 / 60),
        ("seconds", "", 9000.0, "h", 1 / 3600),
        ("per_second", "", 3.0, "/s", 1.0),
        ("joules", "", 1e12, "MWh", 1 / 3600 / 1e6),
    ],
)
def test_chart_axis_scales_to_a_prefix_from_the_peak(unit, metric, peak, label, factor):
    ax = units.axis(unit, metric, peak)
    assert ax.label == label and ax.factor == pytest.approx(factor) and ax.ticks == ()


def test_chart_axis_of_a_state_has_words_as_ticks():
    ax = units.axis("", "if_oper_status", 2.0)
    assert ax.label == "" and dict(ax.ticks)[2] == "down"


def test_counter_rates_read_as_power_and_throughput():
    assert units.rate_unit("joules") == "watts"
    assert units.text(2.5e9, units.rate_unit("bytes")) == "2.5 GB/s"
    assert units.text(0.5, units.rate_unit("")) == "0.5/s"


def test_every_unit_of_the_catalog_is_known_to_the_formatter():
    """A unit the formatter does not know would show as its raw word ("joules")."""
    special = {"seconds", "joules", "bool", "state", "bitmask", "pstate", "xid"}
    unknown = {
        m.unit for m in catalog.metrics().values() if m.unit not in units.SYMBOLS.keys() | special
    }
    assert unknown == set()


@pytest.mark.parametrize(
    ("metric", "shown"),
    [
        ("pdu_energy_joules_total", "PDU energy"),
        ("gpu_temperature_celsius", "GPU temperature"),
        ("cdu_differential_pressure_pascals", "CDU differential pressure"),
        ("ups_battery_runtime_seconds", "UPS battery runtime"),
        ("if_in_bytes_total", "Port traffic in"),
        ("cooling_unit_state", "Cooling unit state"),  # "state" is no unit to drop
        ("gpu_count", "GPU count"),
        ("no_such_metric_watts", "No such metric watts"),  # unknown: the words as named
    ],
)
def test_metric_names_read_without_their_unit(metric, shown):
    assert metric_names.label(metric) == shown
