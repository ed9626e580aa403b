"""The NVML collector against the stand-in: what an operator and the alert rules rely on.

A poll never fails for one GPU: a lost GPU is a reading and an event, an unsupported field
is skipped and counted, and only a library that cannot start fails the target, with NVML's
own words. No database is needed.
"""

from __future__ import annotations

import json
from collections import Counter

import pynvml
import pytest

from telemetry.collectors import nvml as collector
from telemetry.collectors.nvml import collect, reconcile
from telemetry.readings import PollResult
from telemetry.simulators import nvml as standin

HOST = "H1-A01-DGX01"


class Clock:
    def __init__(self, t: float = 1_700_000_000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


class CallLog:
    """The stand-in, with a note of every pynvml function called through it."""

    def __init__(self, nvml: standin.SimulatedNvml) -> None:
        self.nvml = nvml
        self.calls: Counter[str] = Counter()
        self.field_requests: list[list[int]] = []

    def __getattr__(self, name: str):
        target = getattr(self.nvml, name)
        if not name.startswith("nvml") or not callable(target):
            return target

        def call(*args, **kwargs):
            self.calls[name] += 1
            if name == "nvmlDeviceGetFieldValues":
                self.field_requests.append(list(args[1]))
            return target(*args, **kwargs)

        return call


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sim(clock: Clock) -> standin.SimulatedNvml:
    return standin.SimulatedNvml(HOST, clock=clock)


def by_gpu(result: PollResult) -> dict[str, dict[str, float]]:
    gpus: dict[str, dict[str, float]] = {}
    for r in result.readings:
        gpus.setdefault(r.component, {})[r.metric] = r.value
    return gpus


def events(result: PollResult, kind: str) -> list[dict]:
    return [e for e in result.events if e["kind"] == kind]


def test_a_healthy_poll_reads_every_gpu_in_base_units_with_identity(sim):
    result = collect(sim, target=HOST)
    assert result.ok and result.target == HOST
    gpus = by_gpu(result)
    assert gpus[""] == {"gpu_count": 8.0}
    assert sorted(gpus) == ["", *(f"gpu{i}" for i in range(8))]
    handle = sim.devices[0]
    g0 = gpus["gpu0"]
    assert g0["gpu_power_watts"] == pytest.approx(sim.nvmlDeviceGetPowerUsage(handle) / 1000)
    assert g0["gpu_power_limit_watts"] == 700.0
    assert g0["gpu_energy_joules_total"] == pytest.approx(
        sim.nvmlDeviceGetTotalEnergyConsumption(handle) / 1000, abs=1
    )
    assert g0["gpu_memory_total_bytes"] == 85_520_809_984
    assert g0["gpu_memory_used_bytes"] + g0["gpu_memory_free_bytes"] == 85_520_809_984
    assert g0["gpu_memory_clock_hertz"] == 2_619_000_000
    assert 0 <= g0["gpu_utilization_percent"] <= 100
    assert g0["gpu_temperature_slowdown_celsius"] == 89
    assert g0["gpu_temperature_shutdown_celsius"] == 92
    assert g0["gpu_lost"] == 0 and g0["gpu_xid_events_total"] == 0
    assert "gpu_fan_speed_percent" not in g0  # SXM: NOT_SUPPORTED
    units = {r.metric: r.unit for r in result.readings}
    assert units["gpu_sm_clock_hertz"] == "hertz"
    assert units["gpu_temperature_celsius"] == "celsius"
    assert units["gpu_energy_joules_total"] == "joules"
    first = next(r for r in result.readings if r.component == "gpu0")
    assert first.labels == {
        "uuid": "GPU-d2895c47-d692-5b2f-8dc2-ac046860b2cd",
        "serial": handle.serial,
        "pci_bus_id": "00000000:18:00.0",
        "name": "NVIDIA H100 80GB HBM3",
    }
    identities = events(result, "identity")
    assert [e["uuid"] for e in identities] == [d.uuid for d in sim.devices]
    assert result.skipped == Counter({"not_supported": 8})  # the fan, once per GPU


def test_nvml_is_initialised_once_and_unsupported_calls_are_not_retried(sim):
    log = CallLog(sim)
    for _ in range(3):
        result = collect(log, target=HOST)
        assert result.skipped["not_supported"] == 8  # still counted on every poll
    assert sim.init_count == 1
    assert log.calls["nvmlDeviceGetFanSpeed"] == 8  # asked once per GPU, then remembered
    assert log.calls["nvmlDeviceGetTemperatureThreshold"] == 8 * 4  # read once per GPU
    assert log.calls["nvmlDeviceGetUUID"] == 8
    assert log.calls["nvmlDeviceGetFieldValues"] == 3 * 8  # one call per GPU per poll


def test_a_board_with_a_fan_reports_it(clock):
    result = collect(standin.SimulatedNvml("pcie-host", clock=clock, fan=True))
    assert 0 < by_gpu(result)["gpu0"]["gpu_fan_speed_percent"] <= 100
    assert "not_supported" not in result.skipped


def test_an_unsupported_field_is_skipped_counted_and_no_longer_asked(sim):
    log = CallLog(sim)
    standin.inject(sim, 2, "not_supported:memory_temperature")
    first = collect(log, target=HOST)
    gpus = by_gpu(first)
    assert "gpu_memory_temperature_celsius" not in gpus["gpu2"]
    assert "gpu_memory_temperature_celsius" in gpus["gpu3"]
    assert "gpu_energy_joules_total" in gpus["gpu2"]
    assert first.skipped["not_supported"] == 8 + 1
    collect(log, target=HOST)
    assert pynvml.NVML_FI_DEV_MEMORY_TEMP not in log.field_requests[-6]  # gpu2, second poll
    assert pynvml.NVML_FI_DEV_MEMORY_TEMP in log.field_requests[-5]


def test_not_available_sentinels_are_not_stored(sim):
    standin.inject(sim, 4, "not_available:ecc")
    standin.inject(sim, 4, "not_available:memory_temperature")
    gpus = by_gpu(collect(sim, target=HOST))
    assert "gpu_ecc_corrected_volatile_total" in gpus["gpu3"]
    assert not any(m.startswith("gpu_ecc_") for m in gpus["gpu4"])
    assert "gpu_memory_temperature_celsius" not in gpus["gpu4"]
    assert "gpu_energy_joules_total" in gpus["gpu4"]


def test_without_field_values_the_counters_come_from_single_calls(sim):
    standin.inject(sim, 0, "not_supported:field_values")
    standin.inject(sim, 0, "function_not_found:temperature_v")
    collect(sim, target=HOST)  # learns what is missing
    gpus = by_gpu(collect(sim, target=HOST))
    assert set(gpus["gpu0"]) - set(gpus["gpu1"]) == set()
    missing = set(gpus["gpu1"]) - set(gpus["gpu0"])
    assert missing == {
        "gpu_memory_temperature_celsius",  # only a field value
        "gpu_nvlink_crc_flit_errors_total",  # per-link calls: too many for every poll
        "gpu_nvlink_crc_data_errors_total",
        "gpu_nvlink_replay_errors_total",
        "gpu_nvlink_recovery_errors_total",
    }
    assert gpus["gpu0"]["gpu_temperature_celsius"] > 0  # the old nvmlDeviceGetTemperature


def test_a_lost_gpu_is_a_reading_and_an_event_and_the_others_are_still_read(sim):
    collect(sim, target=HOST)  # registers for XID events
    standin.inject(sim, 3, "xid79")
    result = collect(sim, target=HOST)
    assert result.ok
    gpus = by_gpu(result)
    assert gpus["gpu3"]["gpu_lost"] == 1
    assert gpus["gpu3"]["gpu_xid_last"] == 79 and gpus["gpu3"]["gpu_xid_events_total"] == 1
    assert "gpu_power_watts" not in gpus["gpu3"]
    assert gpus["gpu3"]["gpu_temperature_slowdown_celsius"] == 89  # thresholds still known
    assert all(gpus[f"gpu{i}"]["gpu_lost"] == 0 for i in (0, 1, 2, 4, 5, 6, 7))
    assert all("gpu_power_watts" in gpus[f"gpu{i}"] for i in (0, 1, 2, 4, 5, 6, 7))
    [xid] = events(result, "xid")
    assert (xid["gpu"], xid["xid"], xid["uuid"]) == (3, 79, sim.devices[3].uuid)
    [lost] = events(result, "gpu_lost")
    assert lost["gpu"] == 3 and lost["error"] == "GPU is lost"
    assert sim.init_count == 1

    again = collect(sim, target=HOST)  # GPU_IS_LOST: NVML is initialised again, once
    assert sim.init_count == 2
    assert by_gpu(again)["gpu3"]["gpu_lost"] == 1
    assert events(again, "xid") == [] and events(again, "gpu_lost") == []  # reported once
    collect(sim, target=HOST)
    assert sim.init_count == 2  # not on every poll while it stays lost

    standin.inject(sim, 3, "recover")
    collector.session_for(sim).reinit_every_s = 0
    back = collect(sim, target=HOST)
    assert by_gpu(back)["gpu3"]["gpu_lost"] == 0
    assert [e["gpu"] for e in events(back, "gpu_recovered")] == [3]
    assert by_gpu(back)["gpu3"]["gpu_xid_events_total"] == 1  # kept across re-init


def test_unknown_error_marks_the_gpu_lost_without_reinitialising(sim):
    collect(sim, target=HOST)
    standin.inject(sim, 5, "unknown")
    result = collect(sim, target=HOST)
    assert by_gpu(result)["gpu5"]["gpu_lost"] == 1
    assert events(result, "gpu_lost")[0]["error"] == "Unknown Error"
    collect(sim, target=HOST)
    assert sim.init_count == 1


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        ("library_not_found", "NVML Shared Library Not Found"),
        ("driver_not_loaded", "Driver Not Loaded"),
    ],
)
def test_an_init_failure_fails_the_target_with_nvmls_message(sim, fault, message):
    standin.inject(sim, None, fault)
    result = collect(sim, target=HOST)
    assert not result.ok
    assert result.error == f"NVML init failed: {message}"
    assert result.readings == []
    standin.inject(sim, None, "recover")
    assert collect(sim, target=HOST).ok  # tried again on the next poll


def test_uncorrected_ecc_shows_in_counters_remap_and_xid48(sim):
    collect(sim, target=HOST)
    standin.inject(sim, 6, "ecc_uncorrected")
    result = collect(sim, target=HOST)
    g6 = by_gpu(result)["gpu6"]
    assert g6["gpu_ecc_uncorrected_volatile_total"] == 1
    assert g6["gpu_remapped_rows_pending"] == 1
    assert g6["gpu_xid_last"] == 48
    assert [(e["gpu"], e["xid"]) for e in events(result, "xid")] == [(6, 48)]


def test_thermal_slowdown_is_visible_against_the_threshold_and_in_the_reason_bits(sim, clock):
    standin.set_load(sim, None, 97.0)
    clock.t += 300
    before = by_gpu(collect(sim, target=HOST))["gpu1"]
    assert before["gpu_clocks_event_hw_thermal_slowdown"] == 0
    standin.inject(sim, 1, "thermal_slowdown")
    clock.t += 600
    gpus = by_gpu(collect(sim, target=HOST))
    g1 = gpus["gpu1"]
    assert g1["gpu_temperature_celsius"] >= g1["gpu_temperature_slowdown_celsius"]
    assert g1["gpu_temperature_celsius"] < g1["gpu_temperature_shutdown_celsius"]
    assert g1["gpu_clocks_event_sw_thermal_slowdown"] == 1
    assert g1["gpu_clocks_event_hw_thermal_slowdown"] == 1
    assert int(g1["gpu_clocks_event_reasons"]) & 0x60 == 0x60
    assert g1["gpu_sm_clock_hertz"] < before["gpu_sm_clock_hertz"]
    assert gpus["gpu0"]["gpu_clocks_event_hw_thermal_slowdown"] == 0


def test_power_brake_drops_clocks_at_once_and_recovers(sim, clock):
    standin.set_load(sim, None, 97.0)
    clock.t += 300
    before = by_gpu(collect(sim, target=HOST))["gpu5"]
    standin.inject(sim, 5, "power_brake")
    clock.t += 1
    gpus = by_gpu(collect(sim, target=HOST))
    assert int(gpus["gpu5"]["gpu_clocks_event_reasons"]) & 0x80 == 0x80
    assert gpus["gpu5"]["gpu_sm_clock_hertz"] < 0.8 * before["gpu_sm_clock_hertz"]
    assert int(gpus["gpu4"]["gpu_clocks_event_reasons"]) & 0x80 == 0
    standin.inject(sim, 5, "recover")
    clock.t += 5
    assert int(by_gpu(collect(sim, target=HOST))["gpu5"]["gpu_clocks_event_reasons"]) & 0x80 == 0


def test_remap_failure_is_reported(sim):
    assert by_gpu(collect(sim, target=HOST))["gpu2"]["gpu_remapped_rows_failure"] == 0
    standin.inject(sim, 2, "remap_failure")
    assert by_gpu(collect(sim, target=HOST))["gpu2"]["gpu_remapped_rows_failure"] == 1


def test_a_poll_survives_the_trip_through_the_broker_as_json(sim):
    collect(sim, target=HOST)
    standin.inject(sim, 2, "xid79")
    result = collect(sim, target=HOST)
    back = PollResult.from_json(json.loads(json.dumps(result.to_json())))
    assert back.readings == result.readings
    assert back.events == result.events
    assert back.skipped == result.skipped
    assert (back.target, back.started, back.error) == (result.target, result.started, "")


def test_the_library_comes_from_the_setting(settings, clock):
    settings.NVML_MODULE = "telemetry.simulators.nvml"
    standin.reset()
    standin.add_host("dgx-setting", clock=clock, gpus=4)
    result = collect(target="dgx-setting")
    assert by_gpu(result)[""]["gpu_count"] == 4
    assert events(result, "identity")[0]["uuid"] == standin.gpu_uuid("dgx-setting", 0)
    standin.reset()


def test_the_real_pynvml_is_the_default_and_its_failure_is_a_target_error(settings):
    del settings.NVML_MODULE
    assert collector.nvml_module() is pynvml
    try:  # this test runs with or without a GPU
        pynvml.nvmlInit()
    except pynvml.NVMLError as exc:
        result = collect()
        assert result.error == f"NVML init failed: {exc}"
    else:
        pynvml.nvmlShutdown()
        assert collect().ok


# Reconciliation with the inventory


def test_reconcile_matches_by_serial_and_reports_unknown_and_missing():
    present = [
        {"index": 0, "uuid": "GPU-aaaa", "serial": "1654000000001", "pci_bus_id": "0:18"},
        {"index": 1, "uuid": "GPU-bbbb", "serial": "1654000000002", "pci_bus_id": "0:2A"},
        {"index": 2, "uuid": "GPU-cccc", "serial": "1654000000003", "pci_bus_id": "0:3A"},
    ]
    inventory = [
        {"index": 0, "uuid": "gpu-AAAA", "serial": "1654000000001", "pci_bus_id": "0:18"},
        {"index": 1, "uuid": "", "serial": "1654000000002", "pci_bus_id": "0:2A"},  # no UUID yet
        {"index": 3, "uuid": "GPU-dddd", "serial": "1654000000009", "pci_bus_id": "0:5D"},
    ]
    report = reconcile(present, inventory)
    by = {m["present"]["uuid"]: m for m in report["matched"]}
    assert by["GPU-aaaa"]["by"] == "uuid" and by["GPU-aaaa"]["changes"] == {}
    assert by["GPU-bbbb"]["by"] == "serial"
    assert by["GPU-bbbb"]["changes"] == {"uuid": ("", "GPU-bbbb")}
    assert [g["uuid"] for g in report["unknown"]] == ["GPU-cccc"]  # present, not recorded
    assert [g["uuid"] for g in report["missing"]] == ["GPU-dddd"]  # recorded, not present
    assert not report["ok"]
    assert len(inventory) == 3  # reported, never added
