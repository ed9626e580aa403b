"""The simulated cooling fleet and site meters: one Modbus TCP server on loopback, many
units (unit ids).

Each unit speaks one register map from ``telemetry.collectors.registers`` and is fed by a
small physical model, so the values move like real ones: supply temperature follows the
setpoint with thermal lag and sensor noise, return temperature follows IT load, fan speed
answers the return temperature, chilled-water and CDU delta-T follow heat and flow, a
meter's power follows load, and energy and water counters count up. With the building
model (``building=``), units named in ``unit_devices`` read its figures instead: a cooling
unit the heat its hall makes, a site meter its metering point (``site_power``).
``tick()`` advances every model to the injectable ``clock``; a timer calls it every
``interval`` seconds (tests pass ``interval=None`` and call it themselves).

Faults on demand, per unit: a high supply temperature, a forced alarm bit, exception
responses (for every read or for one address range), and a unit that stops answering.
``pin()`` overrides raw register words, to test decoding against known bits.

Run ``python -m telemetry.simulators.modbus --port 5020 --units crah_stulz:1-8 ...``.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import ipaddress
import math
import random
import signal
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from pymodbus.constants import ExcCodes
from pymodbus.exceptions import NoSuchIdException
from pymodbus.server import ModbusTcpServer
from pymodbus.simulator import DataType, SimData, SimDevice

from telemetry.collectors.registers import MAPS, Register, RegisterMap
from telemetry.simulators.building import Building
from telemetry.simulators.building import faults as fault_schedule
from telemetry.simulators.building.site_power import electrical_readings

Key = tuple[str, str]  # (metric, component)
_RANGE = {"int16": (-32768, 32767), "uint16": (0, 0xFFFF)}
_RANGE |= {"int32": (-(2**31), 2**31 - 1), "uint32": (0, 2**32 - 1)}
_RANGE |= {"int64": (-(2**63), 2**63 - 1), "uint64": (0, 2**64 - 1)}
_STRUCT = {"int16": ">h", "uint16": ">H", "int32": ">i", "uint32": ">I", "float32": ">f"}
_STRUCT |= {"int64": ">q", "uint64": ">Q", "float64": ">d"}


GENERATOR_START_S = 20.0  # cranking until the engine runs, or the controller gives up
GENERATOR_COOLDOWN_S = 300.0  # running unloaded after mains return


def _lag(value: float, target: float, dt: float, tau: float) -> float:
    """First-order thermal/mechanical inertia: move towards target with time constant tau."""
    return target + (value - target) * math.exp(-dt / tau)


def _clamp(value: float, lo: float, hi: float) -> float:
    return max(lo, min(hi, value))


@dataclass
class Faults:
    supply_offset: float = 0.0  # °C added to the supply temperature the unit achieves
    alarms: set[str] = field(default_factory=set)  # alarm bits forced on
    exception: int | None = None  # Modbus exception code to answer with
    exception_block: tuple[int, int, int] | None = None  # (function, start, end) or all
    silent: bool = False
    # A generator's mains: when they were lost (None: present), and whether its start fails.
    mains_lost_at: float | None = None
    fails_to_start: bool = False


class Model:
    """Physics of one unit; ``out`` holds what the sensors read now, in base units."""

    def __init__(self, kind: str, rng: random.Random) -> None:
        self.kind, self.rng = kind, rng
        self.out: dict[Key, float] = {}
        self.alarms: set[str] = set()
        self.energy_j = rng.uniform(1e11, 5e11)  # the chiller's energy counter
        if kind in ("crah", "crac"):
            self.setpoint = rng.choice([18.0, 19.0, 20.0, 21.0, 22.0])
            self.s = {"supply": self.setpoint, "ret": self.setpoint + 10, "fan": 55.0}
        elif kind == "chiller":
            self.setpoint = rng.choice([7.0, 8.0, 10.0])
            self.s = {"supply": self.setpoint, "ret": self.setpoint + 5, "flow": 50.0}
        elif kind == "power_meter":  # a board of this size, its counter some years old
            self.setpoint = 0.0
            self.s = {"rated": rng.choice([250e3, 500e3, 1e6])}
            self.energy_j = self.s["rated"] * rng.uniform(2.0, 6.0) * 3.15e7
        elif kind == "water_meter":
            self.setpoint = 0.0
            self.s = {"volume": rng.uniform(5e6, 2e7)}  # litres on the totaliser
        elif kind == "generator":
            self.setpoint = 0.0
            self.s = {"rated": 1.6e6, "fuel": rng.uniform(85.0, 98.0), "last_ran": None}
        else:
            self.setpoint = 32.0
            self.s = {"supply": 32.0, "ret": 38.0, "pump": 65.0, "fac": 25.0}

    def noise(self, sd: float) -> float:
        return self.rng.gauss(0.0, sd)

    def step(self, t: float, dt: float, load: float, faults: Faults) -> None:
        physics = {"crah": self._air, "crac": self._air, "chiller": self._chiller}
        physics |= {"power_meter": self._meter, "water_meter": self._water}
        physics |= {"generator": self._generator}
        physics.get(self.kind, self._cdu)(t, dt, load, faults)
        self.alarms |= faults.alarms

    def read(self, values: dict, alarms: set[str], unit: Unit) -> None:
        """Take the building model's figures: one per register of the unit's map, by
        (metric, component) where a component has its own figure, else by metric."""
        self.out = {}
        for reg in unit.map.registers:
            key = (reg.metric, reg.component)
            value = values.get(key, values.get(reg.metric))
            if value is not None:
                self.out[key] = value
        self.alarms = set(alarms) | unit.faults.alarms

    def _air(self, t: float, dt: float, load: float, f: Faults) -> None:
        s, sp = self.s, self.setpoint
        s["supply"] = _lag(s["supply"], sp + f.supply_offset, dt, 90)
        s["ret"] = _lag(s["ret"], s["supply"] + 6 + 8 * load, dt, 180)
        fan = _clamp(35 + 55 * load + 4 * (s["ret"] - sp - 12), 20, 100)
        s["fan"] = _lag(s["fan"], fan, dt, 30)
        airflow = 12.0 * s["fan"] / 100  # m³/s
        supply, ret = s["supply"] + self.noise(0.1), s["ret"] + self.noise(0.1)
        self.out = {
            ("cooling_supply_air_temperature_celsius", ""): supply,
            ("cooling_return_air_temperature_celsius", ""): ret,
            ("cooling_supply_air_setpoint_celsius", ""): sp,
            ("cooling_return_air_humidity_percent", ""): 45 + 5 * math.sin(t / 7200),
            ("cooling_fan_speed_percent", ""): s["fan"],
            ("cooling_output_watts", ""): max(0.0, 1.2 * airflow * 1005 * (ret - supply)),
            ("cooling_valve_opening_percent", ""): _clamp(20 + 70 * load, 0, 100),
            ("cooling_unit_state", ""): 1,
            ("cooling_compressor_state", "compressor:1"): 1 if load > 0.15 else 0,
        }
        self.alarms = {
            n
            for n, on in [
                ("high_supply_air_temperature", s["supply"] > sp + 5),
                ("high_return_air_temperature", s["ret"] > 40),
            ]
            if on
        }
        if self.alarms or f.alarms:
            self.alarms.add("summary_alarm")

    def _chiller(self, t: float, dt: float, load: float, f: Faults) -> None:
        s, sp = self.s, self.setpoint
        s["flow"] = _lag(s["flow"], 50.0, dt, 60)  # L/s, constant-speed primary pumps
        s["supply"] = _lag(s["supply"], sp + f.supply_offset, dt, 300)
        heat = 1.9e6 * load  # W taken from the water
        s["ret"] = _lag(s["ret"], s["supply"] + heat / (s["flow"] * 4186), dt, 300)
        outdoor = 12 + 8 * math.sin(2 * math.pi * t / 86400)
        supply, ret = s["supply"] + self.noise(0.05), s["ret"] + self.noise(0.05)
        cooling = max(0.0, s["flow"] * 4186 * (ret - supply))
        power = cooling / _clamp(5.5 - 0.08 * (outdoor - 15), 2.5, 8)
        self.energy_j += power * dt
        self.out = {
            ("chiller_supply_water_temperature_celsius", ""): supply,
            ("chiller_return_water_temperature_celsius", ""): ret,
            ("chiller_water_flow_liters_per_second", ""): s["flow"] + self.noise(0.2),
            ("chiller_power_watts", ""): power,
            ("chiller_cooling_output_watts", ""): cooling,
            ("chiller_outdoor_air_temperature_celsius", ""): outdoor,
            ("cooling_compressor_state", "compressor:1"): 1 if load > 0.05 else 0,
            ("cooling_compressor_state", "compressor:2"): 1 if load > 0.5 else 0,
            ("chiller_energy_joules_total", ""): self.energy_j,
            ("chiller_supply_water_setpoint_celsius", ""): sp,
        }
        self.alarms = {"high_chilled_water_temperature"} if s["supply"] > sp + 4 else set()

    def _meter(self, t: float, dt: float, load: float, f: Faults) -> None:
        watts = self.s["rated"] * load
        self.energy_j += watts * dt
        readings = electrical_readings(watts, 0.97, t)
        self.out = {k if isinstance(k, tuple) else (k, ""): v for k, v in readings.items()}
        self.out["meter_active_energy_joules_total", ""] = self.energy_j
        self.alarms = set()

    def _water(self, t: float, dt: float, load: float, f: Faults) -> None:
        flow = 0.1 + 0.5 * load  # L/s: more cooling, more water
        self.s["volume"] += flow * dt
        self.out = {
            ("water_flow_liters_per_second", ""): flow,
            ("water_volume_liters_total", ""): self.s["volume"],
        }
        self.alarms = set()

    def _generator(self, t: float, dt: float, load: float, f: Faults) -> None:
        """Stopped and ready while mains are present; on their loss it cranks for
        ``GENERATOR_START_S``, then runs on load (or stops by alarm when its start fails);
        once mains are back it cools down unloaded for ``GENERATOR_COOLDOWN_S``."""
        s = self.s
        if f.mains_lost_at is not None:
            since = t - f.mains_lost_at
            state = 1 if since < GENERATOR_START_S else 4 if f.fails_to_start else 2
            if state == 2:
                s["last_ran"] = t
        elif s["last_ran"] is not None and t - s["last_ran"] < GENERATOR_COOLDOWN_S:
            state = 3
        else:
            state = 0
        on_load = state == 2
        if on_load:  # about 40 % of the day tank an hour at full load
            s["fuel"] = max(20.0, s["fuel"] - 0.011 * load * dt)
        self.out = {
            ("generator_engine_state", ""): state,
            ("generator_breaker_state", ""): 1 if on_load else 0,
            ("generator_power_watts", ""): s["rated"] * load if on_load else 0.0,
            ("generator_frequency_hertz", ""): 50 + self.noise(0.02) if state in (2, 3) else 0.0,
            ("generator_fuel_level_percent", ""): s["fuel"],
            ("generator_battery_voltage_volts", ""): 24.4 if state == 1 else 27.2,
        }
        self.alarms = set()

    def _cdu(self, t: float, dt: float, load: float, f: Faults) -> None:
        s, sp = self.s, self.setpoint
        s["fac"] = _lag(s["fac"], 25 + 2 * math.sin(2 * math.pi * t / 86400), dt, 600)
        s["supply"] = _lag(s["supply"], sp + f.supply_offset, dt, 60)
        s["pump"] = _lag(s["pump"], _clamp(45 + 40 * load, 20, 100), dt, 20)
        heat, flow, fac_flow = 600e3 * load, 20.0 * s["pump"] / 100, 15.0
        s["ret"] = _lag(s["ret"], s["supply"] + heat / (flow * 4186), dt, 60)
        self.out = {
            ("cdu_facility_supply_temperature_celsius", ""): s["fac"] + self.noise(0.05),
            ("cdu_facility_return_temperature_celsius", ""): s["fac"] + heat / (fac_flow * 4186),
            ("cdu_secondary_supply_temperature_celsius", ""): s["supply"] + self.noise(0.05),
            ("cdu_secondary_return_temperature_celsius", ""): s["ret"] + self.noise(0.05),
            ("cdu_secondary_flow_liters_per_second", ""): flow + self.noise(0.05),
            ("cdu_facility_flow_liters_per_second", ""): fac_flow + self.noise(0.05),
            ("cdu_differential_pressure_pascals", ""): 150e3 * (s["pump"] / 100) ** 2,
            ("cdu_power_watts", ""): 2 * 7500 * (s["pump"] / 100) ** 3,
            ("cdu_pump_speed_percent", "pump:1"): s["pump"],
            ("cdu_pump_speed_percent", "pump:2"): s["pump"],
            ("cdu_secondary_supply_setpoint_celsius", ""): sp,
        }
        self.alarms = {"high_secondary_supply_temperature"} if s["supply"] > sp + 3 else set()


def encode(reg: Register, value: float | None) -> list[int]:
    """Base-unit value -> the register's raw words (the inverse of the collector's decode)."""
    floating = reg.dtype.startswith("float")
    if value is None:  # the unit has no such sensor: answer "not available"
        raw = min(reg.sentinels) if reg.sentinels else 0
        data = raw.to_bytes(2 * reg.count, "big")
        if floating:
            data = struct.pack(_STRUCT[reg.dtype], math.nan)
    elif floating:
        data = struct.pack(_STRUCT[reg.dtype], value / reg.factor / reg.scale)
    else:
        lo, hi = _RANGE[reg.dtype]
        data = struct.pack(
            _STRUCT[reg.dtype], int(_clamp(round(value / reg.factor / reg.scale), lo, hi))
        )
    words = [int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data), 2)]
    return words[::-1] if reg.word_order == "little" else words


class Unit:
    """One simulated cooling unit: its map, model, faults, pins and register images."""

    def __init__(self, unit_id: int, reg_map: RegisterMap, rng: random.Random) -> None:
        self.unit_id, self.map = unit_id, reg_map
        self.model = Model(reg_map.kind, rng)
        self.phase = rng.random()
        self.load: float | None = None  # None: follow the fleet's load cycle
        self.faults = Faults()
        self.pins: dict[tuple[int, int], int] = {}
        self.spans: dict[int, tuple[int, int]] = {}  # function -> (first, past last) address
        for reg in reg_map.registers:
            lo, hi = self.spans.get(reg.function, (reg.address, reg.end))
            self.spans[reg.function] = (min(lo, reg.address), max(hi, reg.end))
        self.images: dict[int, list[int]] = {}

    def render(self) -> None:
        images = {fc: [0] * (hi - lo) for fc, (lo, hi) in self.spans.items()}
        for reg in self.map.registers:
            if reg.bits:
                alarms = self.model.alarms
                value = sum(1 << bit for bit, name in reg.bits.items() if name in alarms)
            else:
                value = self.model.out.get((reg.metric, reg.component))
            start = reg.address - self.spans[reg.function][0]
            images[reg.function][start : start + reg.count] = encode(reg, value)
        for (fc, addr), word in self.pins.items():
            images[fc][addr - self.spans[fc][0]] = word
        self.images = images  # one reference swap: the server thread sees old or new

    def device(self, action: Callable) -> SimDevice:
        def regs(fc: int) -> list[SimData]:
            if fc not in self.spans:
                return [SimData(0, datatype=DataType.INVALID)]
            lo, hi = self.spans[fc]
            return [SimData(lo, count=hi - lo, values=0, datatype=DataType.REGISTERS)]

        bits = [SimData(0, values=[False] * 16, datatype=DataType.BITS)]
        return SimDevice(self.unit_id, simdata=(bits, list(bits), regs(3), regs(4)), action=action)


class ModbusSimulator:
    """A Modbus TCP server on loopback serving ``units`` ({unit id: register-map key})."""

    def __init__(
        self,
        units: dict[int, str],
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        interval: float | None = 1.0,
        clock: Callable[[], float] = time.time,
        seed: int = 0,
        building: Building | None = None,
        unit_devices: dict[int, str] | None = None,
    ) -> None:
        if not ipaddress.ip_address(host).is_loopback:
            raise ValueError(f"the simulator only listens on loopback, not {host}")
        rng = random.Random(seed)  # noqa: S311 - simulated noise, not secrets
        self.units = {uid: Unit(uid, MAPS[key], rng) for uid, key in sorted(units.items())}
        self.host, self.port, self.interval, self.clock = host, port, interval, clock
        # With a building model, a unit named in ``unit_devices`` reads that device's
        # figures from it (the heat its hall makes); others keep their own physics.
        self.building, self.unit_devices = building, unit_devices or {}
        self._lock = threading.Lock()
        self._last: float | None = None
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._error: BaseException | None = None
        self.tick()

    # -- time and physics ------------------------------------------------------------
    def fleet_load(self, unit: Unit, t: float) -> float:
        """IT load 0–1: a daily cycle plus 15-minute training-job swings, per unit phase."""
        if unit.load is not None:
            return unit.load
        day = math.sin(2 * math.pi * (t / 86400 + unit.phase))
        jobs = math.sin(2 * math.pi * (t / 900 + unit.phase))
        return _clamp(0.55 + 0.2 * day + 0.1 * jobs, 0.05, 1.0)

    def tick(self, now: float | None = None) -> None:
        """Advance every unit to ``now`` (default: the clock) and refresh its registers."""
        with self._lock:
            now = self.clock() if now is None else now
            dt = 1.0 if self._last is None else _clamp(now - self._last, 0.0, 86400.0)
            self._last = now
            snapshot = self.building.at(now) if self.building else None
            for unit in self.units.values():
                device = self.unit_devices.get(unit.unit_id)
                figures = None
                if snapshot is not None and unit.load is None:
                    figures = snapshot.cooling.get(device, snapshot.meters.get(device))
                if snapshot is not None and unit.map.kind == "generator":
                    self._mains(unit, now)
                if figures is not None:
                    unit.model.read(figures, snapshot.alarms.get(device, set()), unit)
                else:
                    unit.model.step(now, dt, self.fleet_load(unit, now), unit.faults)
                unit.render()

    def _mains(self, unit: Unit, now: float) -> None:
        """A generator in the building loses mains while its UPS-battery fault lasts, and
        that fault's story is a first start that fails (the UPS carries the load)."""
        lost = [
            f for f in fault_schedule.active(self.building.plan, now) if f.kind == "ups_battery"
        ]
        unit.faults.mains_lost_at = lost[0].start if lost else None
        unit.faults.fails_to_start = True

    def values(self, unit_id: int) -> dict[Key, float]:
        """What the unit's sensors read now, in base units (what a poll should return)."""
        return dict(self.units[unit_id].model.out)

    def alarms(self, unit_id: int) -> set[str]:
        """The alarm bits the unit raises now (its own and forced ones)."""
        return set(self.units[unit_id].model.alarms)

    def set_load(self, unit_id: int, load: float | None) -> None:
        """Hold a unit's IT load (0–1) fixed, or None to follow the load cycle again."""
        self.units[unit_id].load = load

    # -- faults and pins -------------------------------------------------------------
    def fault_high_supply(self, unit_id: int, delta_c: float = 10.0) -> None:
        """The unit can no longer hold its setpoint: supply drifts up by delta_c."""
        self.units[unit_id].faults.supply_offset = delta_c

    def fault_alarm(self, unit_id: int, name: str) -> None:
        """Raise a named alarm bit (a name from the unit's map), e.g. "water_leak"."""
        if not any(name in r.bits.values() for r in self.units[unit_id].map.registers):
            raise KeyError(f"unit {unit_id} has no alarm bit named {name!r}")
        self.units[unit_id].faults.alarms.add(name)
        self.tick(self._last)

    def fault_exception(
        self, unit_id: int, code: int = ExcCodes.DEVICE_BUSY, *, block: Register | None = None
    ) -> None:
        """Answer reads with a Modbus exception: all of them, or those touching ``block``."""
        faults = self.units[unit_id].faults
        faults.exception = int(code)
        faults.exception_block = (block.function, block.address, block.end) if block else None

    def fault_mains_lost(
        self, unit_id: int, at: float | None, fails_to_start: bool = False
    ) -> None:
        """A generator's mains lost at ``at`` (None: back); whether its start fails."""
        with self._lock:
            faults = self.units[unit_id].faults
            faults.mains_lost_at, faults.fails_to_start = at, fails_to_start

    def fault_silent(self, unit_id: int) -> None:
        """The unit stops answering (requests get no response at all)."""
        self.units[unit_id].faults.silent = True

    def pin(self, unit_id: int, reg: Register, words: list[int]) -> None:
        """Serve these raw words for ``reg`` until cleared, whatever the model says."""
        unit = self.units[unit_id]
        if len(words) != reg.count or reg not in unit.map.registers:
            raise ValueError(f"{reg.metric} takes {reg.count} words on this unit's map")
        with self._lock:
            for i, word in enumerate(words):
                unit.pins[reg.function, reg.address + i] = word & 0xFFFF
            unit.render()

    def clear(self, unit_id: int | None = None) -> None:
        """Remove faults, pins and held loads (of one unit, or all)."""
        with self._lock:
            for unit in [self.units[unit_id]] if unit_id is not None else self.units.values():
                unit.faults, unit.pins, unit.load = Faults(), {}, None
        self.tick(self._last)  # re-render now, without forced alarms

    async def _on_request(self, unit_id, function_code, start, address, count, regs, writes):
        """pymodbus's hook before each request: faults, then copy the current image."""
        unit = self.units[unit_id]
        faults = unit.faults
        if faults.silent:
            raise NoSuchIdException(f"unit {unit_id} is silent")  # the server then says nothing
        if faults.exception is not None:
            fc, lo, hi = faults.exception_block or (function_code, address, address + count)
            if fc == function_code and address < hi and lo < address + count:
                return ExcCodes(faults.exception)
        if writes is not None:
            return ExcCodes.ILLEGAL_ADDRESS  # monitoring only: the registers are read-only
        image = unit.images.get(function_code, [])
        regs[: len(image)] = image
        return None

    @staticmethod
    async def _unknown_unit(*_args) -> ExcCodes:
        return ExcCodes.GATEWAY_NO_RESPONSE  # what a gateway answers for a unit it lacks

    # -- server lifecycle --------------------------------------------------------------
    def start(self) -> ModbusSimulator:
        """Serve in a background thread; returns once listening (``self.port`` is set)."""
        self._thread = threading.Thread(target=asyncio.run, args=(self._serve(),), daemon=True)
        self._thread.name = "modbus-simulator"
        self._thread.start()
        if not self._ready.wait(10) or self._error:
            raise RuntimeError(f"Modbus simulator did not start: {self._error}")
        return self

    def stop(self) -> None:
        if self._loop and self._stop and self._thread:
            self._loop.call_soon_threadsafe(self._stop.set)
            self._thread.join(10)

    def __enter__(self) -> ModbusSimulator:
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()

    async def _serve(self) -> None:
        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        devices = [
            u.device(functools.partial(self._on_request, uid)) for uid, u in self.units.items()
        ]
        catch_all = SimData(0, count=65535, values=0, datatype=DataType.REGISTERS)
        devices.append(SimDevice(0, simdata=[catch_all], action=self._unknown_unit))
        try:
            server = ModbusTcpServer(
                devices, address=(self.host, self.port), ignore_missing_devices=True
            )
            await server.serve_forever(background=True)
            self.port = server.transport.sockets[0].getsockname()[1]
        except BaseException as exc:
            self._error = exc
            self._ready.set()
            raise
        ticker = asyncio.create_task(self._ticker()) if self.interval else None
        self._ready.set()
        await self._stop.wait()
        if ticker:
            ticker.cancel()
        await server.shutdown()

    async def _ticker(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            self.tick()


def parse_units(specs: list[str]) -> dict[int, str]:
    """["crah_stulz:1-8,12", "cdu_vertiv:20-23"] -> {1: "crah_stulz", ..., 23: "cdu_vertiv"}."""
    units: dict[int, str] = {}
    for spec in specs:
        key, _, ids = spec.partition(":")
        if key not in MAPS or not ids:
            raise ValueError(f"{spec!r}: want MAP:IDS with MAP one of {', '.join(MAPS)}")
        for part in ids.split(","):
            lo, _, hi = part.partition("-")
            for uid in range(int(lo), int(hi or lo) + 1):
                if not 1 <= uid <= 247 or uid in units:
                    raise ValueError(f"unit id {uid} is out of 1–247 or given twice")
                units[uid] = key
    return units


DEFAULT_FLEET = ["crah_stulz:1-6", "crac_liebert:7-8", "chiller_gateway:9-10", "cdu_vertiv:11-14"]
DEFAULT_FLEET += ["meter_pm8000:15-18", "water_mag6000:19"]


def _exit_on_sigterm(_signum: int, _frame: object) -> None:
    raise SystemExit(0)  # leaves the ``with`` below, which stops the server cleanly


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="Simulated cooling units and meters over Modbus TCP."
    )
    parser.add_argument("--host", default="127.0.0.1", help="a loopback address")
    parser.add_argument("--port", type=int, default=5020, help="0 picks a free port")
    parser.add_argument("--units", nargs="+", default=DEFAULT_FLEET, metavar="MAP:IDS")
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between ticks")
    args = parser.parse_args(argv)
    sim = ModbusSimulator(
        parse_units(args.units), host=args.host, port=args.port, interval=args.interval
    )
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    with sim:
        print(
            f"modbus simulator listening on {sim.host}:{sim.port} with {len(sim.units)} units",
            flush=True,
        )
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
