"""The Modbus collector against a real pymodbus server on loopback (the simulated fleet).

Decoding is checked twice: against the simulator's physical values (every map, end to
end) and against raw register words pinned by hand, so that a symmetric mistake in the
simulator's encoder and the collector's decoder cannot hide.
"""

from __future__ import annotations

import asyncio
import math
import socket
import struct

import pytest
from pymodbus.constants import ExcCodes

from telemetry.collectors.modbus import (
    ModbusTarget,
    apoll_many,
    blocks_for,
    decode_raw,
    plan,
    poll,
    poll_many,
)
from telemetry.collectors.registers import MAPS, RegisterMap, Row, to_address
from telemetry.simulators.modbus import ModbusSimulator

UNITS = {1: "crah_stulz", 2: "crac_liebert", 3: "chiller_gateway", 4: "cdu_vertiv"}
UNITS |= {5: "crah_stulz", 6: "cdu_vertiv", 7: "meter_pm8000", 8: "water_mag6000"}
MIB = 1024**2


@pytest.fixture(scope="module")
def sim():
    clock = iter(range(1_700_000_000, 1_800_000_000, 10))  # each tick: 10 s later
    with ModbusSimulator(UNITS, interval=None, clock=lambda: float(next(clock)), seed=7) as s:
        yield s


@pytest.fixture(autouse=True)
def _clean(sim):
    yield
    sim.clear()


def target(sim, unit: int, **kw) -> ModbusTarget:
    kw = {"timeout": 1.0, "retries": 0} | kw
    return ModbusTarget("127.0.0.1", sim.port, unit, UNITS[unit], **kw)


def readings(result) -> dict[tuple[str, str], float]:
    return {(r.metric, r.component): r.value for r in result.readings}


def words32(fmt: str, value, order: str = "big") -> list[int]:
    hi, lo = struct.unpack(">HH", struct.pack(fmt, value))
    return [hi, lo] if order == "big" else [lo, hi]


def test_register_numbers_are_converted_once_to_protocol_addresses():
    assert to_address(40001, "modicon", None) == (3, 0)
    assert to_address(30011, "modicon", None) == (4, 10)
    assert to_address(400101, "modicon", 3) == (3, 100)
    assert to_address(1, "1-based", 3) == (3, 0)
    assert to_address(1000, "0-based", 4) == (4, 1000)
    with pytest.raises(ValueError, match="function 3"):
        to_address(40001, "modicon", 4)
    assert MAPS["crah_stulz"].register("cooling_supply_air_temperature_celsius").address == 1
    assert MAPS["cdu_vertiv"].register("cooling_alarm_word").address == 100


def test_a_map_that_misnames_units_or_overlaps_is_refused():
    with pytest.raises(ValueError, match="must end in its unit"):
        RegisterMap("bad", "crah", "", "0-based", (Row(0, "int16", 0.1, "degC", "supply_air"),))
    overlap = (Row(0, "int32", 1, "kW", "a_watts"), Row(1, "int16", 1, "kW", "b_watts"))
    with pytest.raises(ValueError, match="overlaps"):
        RegisterMap("bad", "crah", "", "0-based", overlap)
    twice = (
        Row(0, "uint16", 1, "bitmask", "cooling_alarm_word", bits={0: "water_leak"}),
        Row(
            1, "uint16", 1, "bitmask", "cooling_alarm_word", component="w2", bits={3: "water_leak"}
        ),
    )
    with pytest.raises(ValueError, match="the same reading twice"):
        RegisterMap("bad", "crah", "", "0-based", twice)


def test_registers_are_read_in_few_requests_of_at_most_125():
    assert [(b.function, b.address, b.count) for b in plan("crah_stulz")] == [
        (3, 0, 7),
        (3, 100, 2),
    ]
    assert {b.function for b in plan("chiller_gateway")} == {3, 4}
    # The meter: 3000-3111 in one read across defined registers, the INT64 energy apart.
    assert [(b.address, b.count) for b in plan("meter_pm8000")] == [(2999, 112), (3203, 4)]
    for key, reg_map in MAPS.items():
        covered = [r for b in plan(key) for r in b.registers]
        assert sorted(covered, key=id) == sorted(reg_map.registers, key=id)
    rows = tuple(Row(i, "uint16", 1, "%", f"m{i}_percent") for i in range(130))
    big = blocks_for(RegisterMap("big", "crah", "", "0-based", rows))
    assert [(b.address, b.count) for b in big] == [(0, 125), (125, 5)]


@pytest.mark.parametrize("unit", [1, 2, 3, 4, 7, 8], ids=lambda u: UNITS[u])
def test_every_map_reads_what_the_unit_reports(sim, unit):
    sim.set_load(unit, 0.6)
    sim.tick()
    expected = sim.values(unit)
    result = poll(target(sim, unit))
    assert result.ok, result.error
    assert not result.skipped
    got = readings(result)
    reg_map = MAPS[UNITS[unit]]
    for reg in reg_map.registers:
        if reg.bits:
            assert got[reg.metric, reg.component] == 0
            assert all(got["cooling_alarm_active", f"alarm:{n}"] == 0 for n in reg.bits.values())
            continue
        value = expected[reg.metric, reg.component]
        resolution = reg.scale * reg.factor  # one count of the raw integer
        tolerance = resolution / 2 + 1e-6 if reg.dtype != "float32" else abs(value) * 1e-6
        assert got[reg.metric, reg.component] == pytest.approx(value, abs=tolerance), reg.metric
    units = {r.metric: r.unit for r in result.readings}
    assert units.get("cooling_output_watts", "watts") == "watts"
    assert units.get("cdu_secondary_flow_liters_per_second", "liters_per_second") == (
        "liters_per_second"
    )


def test_16_bit_values_keep_their_sign_and_unsigned_range(sim):
    chiller, crah = MAPS["chiller_gateway"], MAPS["crah_stulz"]
    sim.pin(3, chiller.register("chiller_outdoor_air_temperature_celsius"), [0xFF38])  # -200
    sim.pin(1, crah.register("cooling_alarm_word"), [0x8041])  # bits 0, 6, 15
    cold, alarms = poll_many([target(sim, 3), target(sim, 1)])
    assert readings(cold)["chiller_outdoor_air_temperature_celsius", ""] == -20.0
    got = readings(alarms)
    assert got["cooling_alarm_word", ""] == 0x8041  # 33 857, not negative, not "n/a"
    on = {c.removeprefix("alarm:") for (m, c), v in got.items() if m.endswith("active") and v}
    assert on == {"high_supply_air_temperature", "water_leak", "summary_alarm"}


def test_32_bit_integers_most_significant_word_first(sim):
    liebert = MAPS["crac_liebert"]
    sim.pin(2, liebert.register("cooling_supply_air_temperature_celsius"), [0xFFFF, 0xFF83])
    sim.pin(2, liebert.register("cooling_alarm_word"), [0x0001, 0x0002])
    got = readings(poll(target(sim, 2)))
    assert got["cooling_supply_air_temperature_celsius", ""] == pytest.approx(-12.5)
    assert got["cooling_alarm_word", ""] == 0x0001_0002
    assert got["cooling_alarm_active", "alarm:high_return_air_temperature"] == 1  # bit 1
    assert got["cooling_alarm_active", "alarm:compressor_high_head_pressure"] == 1  # bit 16
    assert got["cooling_alarm_active", "alarm:high_supply_air_temperature"] == 0


def test_word_swapped_float32_and_uint32(sim):
    chiller = MAPS["chiller_gateway"]
    supply = chiller.register("chiller_supply_water_temperature_celsius")
    sim.pin(3, supply, words32(">f", 6.5, "little"))  # [0x0000, 0x40D0]
    sim.pin(3, chiller.register("chiller_energy_joules_total"), [0xE240, 0x0001])
    sim.pin(
        3, chiller.register("chiller_water_flow_liters_per_second"), words32(">f", 180.0, "little")
    )
    got = readings(poll(target(sim, 3)))
    assert got["chiller_supply_water_temperature_celsius", ""] == 6.5
    assert got["chiller_energy_joules_total", ""] == 123_456 * 3.6e6  # kWh -> J
    assert got["chiller_water_flow_liters_per_second", ""] == pytest.approx(50.0)  # m³/h -> L/s


def test_64_bit_energy_counter_and_totaliser_most_significant_word_first(sim):
    meter, water = MAPS["meter_pm8000"], MAPS["water_mag6000"]
    wh = 0x0000_0012_3456_789A  # 78,187,493,530 Wh: far past what 32 bits hold
    sim.pin(7, meter.register("meter_active_energy_joules_total"), [0, 0x12, 0x3456, 0x789A])
    volume = struct.unpack(">4H", struct.pack(">d", 12_345.678))  # m³, an IEEE double
    sim.pin(8, water.register("water_volume_liters_total"), list(volume))
    got = readings(poll(target(sim, 7)))
    assert got["meter_active_energy_joules_total", ""] == wh * 3600  # Wh -> J, exactly
    assert readings(poll(target(sim, 8)))["water_volume_liters_total", ""] == pytest.approx(
        12_345_678.0
    )  # m³ -> L
    sim.pin(7, meter.register("meter_active_energy_joules_total"), [0x8000, 0, 0, 0])
    unavailable = poll(target(sim, 7))
    assert unavailable.skipped == {"not_available": 1}
    assert ("meter_active_energy_joules_total", "") not in readings(unavailable)


def test_64_bit_decoding_in_either_word_order():
    big = [0xFFFF, 0xFFFF, 0xFFFF, 0xFFFE]  # -2 as an int64
    assert decode_raw(big, "int64", "big") == (0xFFFF_FFFF_FFFF_FFFE, -2)
    assert decode_raw(big[::-1], "int64", "little") == (0xFFFF_FFFF_FFFF_FFFE, -2)
    assert decode_raw([0x0001, 0, 0, 0], "uint64", "big")[1] == 2**48
    words = list(struct.unpack(">4H", struct.pack(">d", -0.5)))
    assert decode_raw(words, "float64", "big")[1] == -0.5
    assert decode_raw(words[::-1], "float64", "little")[1] == -0.5
    assert decode_raw([0x0001, 0x0002], "uint32", "little")[1] == 0x0002_0001  # as before


def test_float32_most_significant_word_first_with_unit_conversion(sim):
    cdu = MAPS["cdu_vertiv"]
    sim.pin(4, cdu.register("cdu_secondary_supply_temperature_celsius"), words32(">f", 32.25))
    sim.pin(4, cdu.register("cdu_secondary_flow_liters_per_second"), words32(">f", 750.0))
    sim.pin(4, cdu.register("cdu_differential_pressure_pascals"), words32(">f", 85.5))
    sim.pin(4, cdu.register("cdu_power_watts"), words32(">f", 4.25))
    got = readings(poll(target(sim, 4)))
    assert got["cdu_secondary_supply_temperature_celsius", ""] == 32.25
    assert got["cdu_secondary_flow_liters_per_second", ""] == pytest.approx(12.5)  # l/min
    assert got["cdu_differential_pressure_pascals", ""] == 85_500  # kPa
    assert got["cdu_power_watts", ""] == 4_250  # kW


def test_not_available_sentinels_are_skipped_and_counted(sim):
    crah, liebert, cdu = MAPS["crah_stulz"], MAPS["crac_liebert"], MAPS["cdu_vertiv"]
    sim.pin(1, crah.register("cooling_supply_air_temperature_celsius"), [0x8000])
    sim.pin(1, crah.register("cooling_return_air_humidity_percent"), [0xFFFF])
    sim.pin(2, liebert.register("cooling_return_air_temperature_celsius"), [0x8000, 0x0000])
    sim.pin(4, cdu.register("cdu_power_watts"), words32(">f", math.nan))
    crah_result, liebert_result, cdu_result = poll_many([target(sim, u) for u in (1, 2, 4)])
    assert crah_result.ok and crah_result.skipped == {"not_available": 2}
    got = readings(crah_result)
    assert ("cooling_supply_air_temperature_celsius", "") not in got
    assert ("cooling_return_air_humidity_percent", "") not in got
    assert ("cooling_return_air_temperature_celsius", "") in got
    assert liebert_result.skipped == {"not_available": 1}
    assert ("cooling_return_air_temperature_celsius", "") not in readings(liebert_result)
    assert cdu_result.skipped == {"not_available": 1}
    assert ("cdu_power_watts", "") not in readings(cdu_result)


def test_implausible_values_are_skipped_and_counted(sim):
    crah = MAPS["crah_stulz"]
    sim.pin(1, crah.register("cooling_return_air_temperature_celsius"), [0x7000])  # 2867 °C
    result = poll(target(sim, 1))
    assert result.ok and result.skipped == {"out_of_range": 1}
    assert ("cooling_return_air_temperature_celsius", "") not in readings(result)


def test_an_exception_for_one_block_leaves_the_rest_read(sim):
    alarm_word = MAPS["crah_stulz"].register("cooling_alarm_word")
    sim.fault_exception(1, ExcCodes.ILLEGAL_ADDRESS, block=alarm_word)
    result = poll(target(sim, 1))
    assert result.ok, result.error
    assert result.skipped == {"modbus_exception:illegal_address": 2}  # alarm word + state
    got = readings(result)
    assert ("cooling_supply_air_temperature_celsius", "") in got
    assert ("cooling_alarm_word", "") not in got
    assert not any(m == "cooling_alarm_active" for m, _ in got)


def test_a_unit_answering_only_exceptions_is_a_target_error(sim):
    sim.fault_exception(5, ExcCodes.DEVICE_BUSY)
    result = poll(target(sim, 5))
    assert not result.ok
    assert "device busy (code 6)" in result.error
    assert result.skipped == {"modbus_exception:device_busy": 9}
    assert not result.readings


def test_failing_targets_do_not_spoil_the_others(sim):
    sim.fault_silent(5)
    with socket.socket() as s:  # a loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        closed_port = s.getsockname()[1]
    targets = [
        target(sim, 1),
        target(sim, 5, timeout=0.3),
        ModbusTarget("127.0.0.1", closed_port, 1, "crah_stulz", timeout=0.5),
        target(sim, 3),
        ModbusTarget("127.0.0.1", sim.port, 99, "crah_stulz"),  # no such unit behind it
        ModbusTarget("127.0.0.1", sim.port, 1, "no_such_map", name="bad-map"),
        target(sim, 6),
    ]
    results = poll_many(targets, concurrency=3)
    assert [r.target for r in results] == [t.label for t in targets]
    ok, silent, refused, chiller, missing, unknown_map, cdu = results
    assert ok.ok and chiller.ok and cdu.ok and len(chiller.readings) > 10
    assert "did not answer within 0.3 s" in silent.error
    assert "refused" in refused.error
    assert "gateway no response" in missing.error
    assert unknown_map.error == "unknown register map 'no_such_map'"
    assert unknown_map.target == "bad-map"
    assert all(r.latency_s > 0 for r in results)


def test_a_forced_alarm_reaches_its_named_reading(sim):
    sim.fault_alarm(4, "leak_detected")
    got = readings(poll(target(sim, 4)))
    assert got["cooling_alarm_active", "alarm:leak_detected"] == 1
    assert int(got["cooling_alarm_word", ""]) & 1
    sim.clear(4)
    assert readings(poll(target(sim, 4)))["cooling_alarm_active", "alarm:leak_detected"] == 0


def test_poll_many_with_nothing_to_do():
    assert poll_many([]) == []


def test_sync_api_also_works_when_called_from_async_code(sim):
    async def caller():
        return poll_many([target(sim, 1)]), await apoll_many([target(sim, 3)])

    (crah,), (chiller,) = asyncio.run(caller())
    assert crah.ok and chiller.ok
