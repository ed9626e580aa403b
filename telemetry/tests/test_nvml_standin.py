"""The NVML stand-in: same names and errors as pynvml, and GPUs that behave like GPUs.

The collector's tests only mean something if the stand-in answers as the real library would,
so this file holds it to the installed pynvml (names, signatures, error classes) and to a
description of a real H100's answers (fixtures/nvml_h100_sxm.json), and checks the physics an
operator reads from: power follows load, temperature lags power, energy integrates power.
"""

from __future__ import annotations

import ast
import inspect
import json
import re
from pathlib import Path

import pynvml
import pytest

from telemetry.collectors import nvml as collector
from telemetry.simulators import nvml as standin
from telemetry.simulators.gpu_model import CYCLE_S

FIXTURE = Path(__file__).parent / "fixtures" / "nvml_h100_sxm.json"


class Clock:
    """Simulated time: tests move it, nothing sleeps."""

    def __init__(self, t: float = 1_700_000_000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sim(clock: Clock) -> standin.SimulatedNvml:
    nvml = standin.SimulatedNvml("H1-A01-DGX01", clock=clock)
    nvml.nvmlInit()
    return nvml


def names_the_collector_uses() -> set[str]:
    """Every pynvml name in the collector's source: attributes and getattr'd strings."""
    tree = ast.parse(Path(collector.__file__).read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            names.add(node.attr)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            names.add(node.value)
    pattern = re.compile(r"^(nvml[A-Z]\w+|NVML_\w+|NVMLError\w*)$")
    not_pynvml = {"NVML_MODULE", "nvmlReturn"}  # our setting; a c_nvmlFieldValue_t member
    return {n for n in names if pattern.match(n) and n not in not_pynvml}


# Conformance with the installed pynvml


def test_the_collector_uses_only_names_that_pynvml_and_the_standin_both_have(sim):
    used = names_the_collector_uses()
    assert {"nvmlInit", "nvmlDeviceGetFieldValues", "nvmlEventSetWait"} <= used
    assert sorted(n for n in used if not hasattr(pynvml, n)) == []
    assert sorted(n for n in used if not hasattr(sim, n)) == []
    assert sorted(n for n in used if not hasattr(standin, n)) == []


def test_standin_functions_are_its_own_with_pynvml_signatures(sim):
    for name in sorted(n for n in names_the_collector_uses() if n.startswith("nvml")):
        if not callable(getattr(pynvml, name)):
            continue  # a constant such as nvmlEventTypeXidCriticalError
        mine = getattr(sim, name)
        assert inspect.ismethod(mine) and mine.__self__ is sim, f"{name} would reach the driver"
        theirs = list(inspect.signature(getattr(pynvml, name)).parameters)
        assert list(inspect.signature(mine).parameters) == theirs, name


def test_error_classes_have_pynvml_hierarchy_and_codes():
    codes = {n: getattr(pynvml, n) for n in dir(pynvml) if n.startswith("NVML_ERROR_")}
    assert len(codes) > 25
    for code_name, code in codes.items():
        class_name = "NVMLError_" + code_name[len("NVML_ERROR_") :].title().replace("_", "")
        cls = getattr(standin, class_name)
        assert issubclass(cls, standin.NVMLError)
        assert cls().value == code == getattr(standin, code_name)
        assert type(standin.NVMLError(code)) is cls  # NVMLError(code) picks the subclass
        assert issubclass(cls, getattr(pynvml, class_name))  # `except pynvml.X` catches it
    assert str(standin.NVMLError_GpuIsLost()) == "GPU is lost"


def test_calls_before_init_fail_as_in_nvml(clock):
    nvml = standin.SimulatedNvml("h", clock=clock)
    with pytest.raises(standin.NVMLError_Uninitialized):
        nvml.nvmlDeviceGetCount()
    nvml.nvmlInit()
    assert nvml.nvmlDeviceGetCount() == 8
    nvml.nvmlShutdown()
    with pytest.raises(standin.NVMLError_Uninitialized):
        nvml.nvmlDeviceGetPowerUsage(nvml.devices[0])


def _check(value, spec: dict, where: str) -> None:
    kind = {"int": int, "str": str, "bytes": bytes, "tuple": tuple}[spec["returns"]]
    assert isinstance(value, kind), f"{where}: {type(value).__name__}, not {spec['returns']}"
    items = value if isinstance(value, tuple) else [value]
    if "length" in spec:
        assert len(items) == spec["length"], where
    for item in items:
        if "equals" in spec:
            assert item == spec["equals"], where
        if "pattern" in spec:
            text = item.decode() if isinstance(item, bytes) else item
            assert re.match(spec["pattern"], text), f"{where}: {text!r}"
        assert spec.get("min", item) <= item <= spec.get("max", item), f"{where}: {item}"


@pytest.mark.parametrize("hours", [0.0, 0.2, 0.5])  # idle, ramp/training, checkpoint...
def test_standin_answers_have_the_shape_and_ranges_of_a_real_h100(sim, clock, hours):
    clock.t += hours * CYCLE_S
    handle = sim.nvmlDeviceGetHandleByIndex(0)
    for entry in json.loads(FIXTURE.read_text())["calls"]:
        name = entry["call"]
        args = [getattr(pynvml, a) if isinstance(a, str) else a for a in entry.get("args", [])]
        where = f"{name}{tuple(entry.get('args', []))}"
        if "raises" in entry:
            with pytest.raises(getattr(pynvml, entry["raises"])):
                getattr(sim, name)(handle, *args)
            continue
        if entry["returns"] == "fields":
            ids = [getattr(pynvml, f) for f in entry["fields"]]
            answers = sim.nvmlDeviceGetFieldValues(handle, ids)
            for (field, spec), fv in zip(entry["fields"].items(), answers, strict=True):
                assert fv.fieldId == getattr(pynvml, field) and fv.nvmlReturn == 0, field
                value = getattr(fv.value, collector.VALUE_MEMBERS[fv.valueType])
                _check(value, {"returns": "int", **spec}, field)
            continue
        value = getattr(sim, name)(handle, *args)
        if entry["returns"] == "struct":
            for attr, spec in entry["fields"].items():
                _check(getattr(value, attr), spec, f"{where}.{attr}")
        else:
            _check(value, entry, where)


def test_hosts_are_kept_apart_and_found_again():
    standin.reset()
    a, b = standin.for_host("dgx-a"), standin.for_host("dgx-b")
    assert standin.for_host("dgx-a") is a and a is not b
    assert a.devices[0].uuid != b.devices[0].uuid
    standin.nvmlInit()  # the module-level functions are those of host "localhost"
    assert standin.nvmlDeviceGetCount() == 8
    assert standin.for_host("localhost").init_count == 1
    standin.reset()


# Physics


def test_power_follows_load_and_temperature_lags_it(sim, clock):
    gpu = sim.devices[0]
    standin.set_load(sim, 0, 0.0)
    clock.t += 600  # settle idle
    idle_temp = sim.nvmlDeviceGetTemperatureV(gpu, pynvml.NVML_TEMPERATURE_GPU)
    assert 60_000 <= sim.nvmlDeviceGetPowerUsage(gpu) <= 80_000
    standin.set_load(sim, 0, 100.0)
    clock.t += 5
    assert sim.nvmlDeviceGetPowerUsage(gpu) >= 680_000  # power steps at once ...
    after_5s = sim.nvmlDeviceGetTemperatureV(gpu, pynvml.NVML_TEMPERATURE_GPU)
    clock.t += 600
    settled = sim.nvmlDeviceGetTemperatureV(gpu, pynvml.NVML_TEMPERATURE_GPU)
    assert settled - idle_temp >= 30
    assert after_5s - idle_temp <= 0.2 * (settled - idle_temp)  # ... temperature does not
    standin.set_load(sim, 0, 0.0)
    clock.t += 40  # one time constant: about 63 % of the way back down
    cooled = sim.nvmlDeviceGetTemperatureV(gpu, pynvml.NVML_TEMPERATURE_GPU)
    assert 0.25 <= (cooled - idle_temp) / (settled - idle_temp) <= 0.5


def test_the_job_cycle_goes_idle_ramp_train_and_dips_for_checkpoints(sim, clock):
    gpu = sim.devices[0]
    seen = []
    for _ in range(int(CYCLE_S // 10)):
        clock.t += 10
        seen.append(sim.nvmlDeviceGetUtilizationRates(gpu).gpu)
    assert seen.count(0) >= 30  # idle between jobs
    assert sum(u >= 90 for u in seen) >= 200  # training
    assert any(10 <= u <= 20 for u in seen)  # checkpoint dips
    assert any(30 <= u <= 80 for u in seen)  # ramp


def test_energy_counter_integrates_power_and_resets_on_driver_reload(sim, clock):
    gpu = sim.devices[2]
    start = sim.nvmlDeviceGetTotalEnergyConsumption(gpu)
    previous, integrated = start, 0.0
    for _ in range(900):  # 15 minutes in 1 s steps, through idle, ramp and training
        clock.t += 1
        power_mw = sim.nvmlDeviceGetPowerUsage(gpu)
        energy = sim.nvmlDeviceGetTotalEnergyConsumption(gpu)
        assert energy >= previous
        previous, integrated = energy, integrated + power_mw * 1.0
    assert previous - start == pytest.approx(integrated, rel=0.001)
    standin.inject(sim, None, "driver_reload")
    clock.t += 10
    assert sim.nvmlDeviceGetTotalEnergyConsumption(gpu) < 10 * 710_000


def test_thermal_slowdown_heats_past_the_threshold_and_sets_the_reason_bits(sim, clock):
    gpu = sim.devices[1]
    standin.set_load(sim, 1, 97.0)
    clock.t += 300
    slowdown = sim.nvmlDeviceGetTemperatureThreshold(
        gpu, pynvml.NVML_TEMPERATURE_THRESHOLD_SLOWDOWN
    )
    shutdown = sim.nvmlDeviceGetTemperatureThreshold(
        gpu, pynvml.NVML_TEMPERATURE_THRESHOLD_SHUTDOWN
    )
    clock_before = sim.nvmlDeviceGetClockInfo(gpu, pynvml.NVML_CLOCK_SM)
    assert sim.nvmlDeviceGetCurrentClocksEventReasons(gpu) & 0x60 == 0
    standin.inject(sim, 1, "thermal_slowdown")
    clock.t += 10
    assert sim.nvmlDeviceGetTemperatureV(gpu, pynvml.NVML_TEMPERATURE_GPU) < slowdown  # inertia
    clock.t += 300
    temperature = sim.nvmlDeviceGetTemperatureV(gpu, pynvml.NVML_TEMPERATURE_GPU)
    assert slowdown <= temperature < shutdown
    reasons = sim.nvmlDeviceGetCurrentClocksEventReasons(gpu)
    assert reasons & pynvml.nvmlClocksEventReasonSwThermalSlowdown
    assert reasons & pynvml.nvmlClocksEventReasonHwThermalSlowdown
    assert sim.nvmlDeviceGetClockInfo(gpu, pynvml.NVML_CLOCK_SM) < 0.7 * clock_before
    assert sim.nvmlDeviceGetCurrentClocksEventReasons(sim.devices[0]) & 0x60 == 0


# Faults and events


def test_xid_events_reach_registered_sets_once_and_xid79_loses_the_gpu(sim):
    events = sim.nvmlEventSetCreate()
    standin.inject(sim, 5, "xid13")  # before registration: not delivered, as in NVML
    for handle in sim.devices:
        sim.nvmlDeviceRegisterEvents(handle, pynvml.nvmlEventTypeXidCriticalError, events)
    standin.inject(sim, 3, "xid79")
    data = sim.nvmlEventSetWait(events, 1)
    assert (data.device, data.eventType, data.eventData) == (
        sim.devices[3],
        pynvml.nvmlEventTypeXidCriticalError,
        79,
    )
    with pytest.raises(pynvml.NVMLError_Timeout):
        sim.nvmlEventSetWait(events, 1)
    with pytest.raises(pynvml.NVMLError_GpuIsLost):
        sim.nvmlDeviceGetPowerUsage(sim.devices[3])
    assert sim.nvmlDeviceGetPowerUsage(sim.devices[4]) > 0


def test_uncorrected_ecc_counts_remaps_and_raises_xid48(sim):
    events = sim.nvmlEventSetCreate()
    gpu = sim.devices[6]
    sim.nvmlDeviceRegisterEvents(gpu, pynvml.nvmlEventTypeXidCriticalError, events)
    dbe = (gpu, pynvml.NVML_MEMORY_ERROR_TYPE_UNCORRECTED)
    before = sim.nvmlDeviceGetTotalEccErrors(*dbe, pynvml.NVML_AGGREGATE_ECC)
    standin.inject(sim, 6, "ecc_uncorrected")
    assert sim.nvmlDeviceGetTotalEccErrors(*dbe, pynvml.NVML_VOLATILE_ECC) == 1
    assert sim.nvmlDeviceGetTotalEccErrors(*dbe, pynvml.NVML_AGGREGATE_ECC) == before + 1
    assert sim.nvmlDeviceGetRemappedRows(gpu)[1:3] == (1, 1)  # one uncorrectable, pending
    assert sim.nvmlEventSetWait(events, 1).eventData == 48


def test_not_supported_and_missing_functions_raise_their_own_errors(sim):
    gpu = sim.devices[0]
    with pytest.raises(pynvml.NVMLError_NotSupported):
        sim.nvmlDeviceGetFanSpeed(gpu)  # SXM: no fan
    standin.inject(sim, 0, "function_not_found:temperature_v")
    with pytest.raises(pynvml.NVMLError_FunctionNotFound):
        sim.nvmlDeviceGetTemperatureV(gpu, pynvml.NVML_TEMPERATURE_GPU)
    assert sim.nvmlDeviceGetTemperature(gpu, pynvml.NVML_TEMPERATURE_GPU) > 0
    standin.inject(sim, 0, "not_supported:memory_temperature")
    temp, energy = sim.nvmlDeviceGetFieldValues(
        gpu, [pynvml.NVML_FI_DEV_MEMORY_TEMP, pynvml.NVML_FI_DEV_TOTAL_ENERGY_CONSUMPTION]
    )
    assert temp.nvmlReturn == pynvml.NVML_ERROR_NOT_SUPPORTED and energy.nvmlReturn == 0
    with pytest.raises(ValueError, match="unknown GPU fault"):
        standin.inject(sim, 0, "gremlins")


def test_init_failures_carry_nvmls_messages(clock):
    nvml = standin.SimulatedNvml("h", clock=clock)
    standin.inject(nvml, None, "driver_not_loaded")
    with pytest.raises(pynvml.NVMLError_DriverNotLoaded, match="Driver Not Loaded"):
        nvml.nvmlInit()
    standin.inject(nvml, None, "recover")
    nvml.nvmlInit()
    assert nvml.init_count == 2
