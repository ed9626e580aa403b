"""The building at one instant: GPU load and power, servers, outlets, PDUs, UPSes, air, cooling,
and the site meters.

One model behind every simulator. ``Building(plan).at(t)`` is a ``Snapshot`` whose numbers
all follow from the same GPU loads, so that they agree as a real building's do:

- GPU power from the job on its host (``jobs``), a per-board spread and the faults in force;
- a server's input power = (its GPUs + CPUs, fans, NICs) / PSU efficiency, split over the
  PSUs whose feed is live; a failed server is dark;
- an outlet carries its PSU; a PDU reads the sum of its outlets plus its own controller, with
  apparent power from each PSU's power factor, pole currents from the line voltage;
- a UPS delivers what its PDUs draw plus distribution losses, and draws that plus its own
  losses (fixed, proportional and quadratic in load), plus a recharge after a battery spell;
- rack inlet air = the hall's supply air + a position term (row ends recirculate) + a
  per-rack offset + recirculation growing with the rack's heat; outlet = inlet + heat over
  the servers' airflow;
- CRAHs remove the air side of the hall's heat, CDUs (rear-door heat exchangers) the rest;
  chillers take both plus fan and pump power, at a COP that follows the outdoor air (free
  cooling when it is cold);
- the site meters (utility incomer, UPS outputs, mechanical board, rooftop PV, water) read
  the site's figures (``site_power``), so that PUE and WUE come out as a real site's.

Pure functions of the plan's seed and the time, except energy and error counters, which a
process integrates from its first snapshot on (each counter lives in one process only).
"""

from __future__ import annotations

import math
import zoneinfo
from dataclasses import dataclass, field
from datetime import UTC, datetime

from telemetry.simulators.building import faults as fault_schedule
from telemetry.simulators.building import ha, jobs, site_power
from telemetry.simulators.building.plan import MAINTENANCE, DeviceSpec, Plan, RackSpec

SQRT3 = math.sqrt(3.0)
GPU_IDLE_W = 70.0
GPU_DEMAND_AT_FULL_W = 720.0
GPU_LIMIT_W = 700.0
# A DGX H100 is rated 10.2 kW; under a full training load it draws ~9.6 kW at the wall.
SERVER_BASE_W = 1_100.0  # CPUs, memory, NVSwitches, NICs, fans at idle (DC side)
SERVER_LOAD_W = 2_300.0  # what they add at full GPU load (fans above all)
PSU_EFFICIENCY = 0.94
SWITCH_BASE_W, SWITCH_LOAD_W = 450.0, 220.0
PDU_CONTROLLER_W = 18.0
DISTRIBUTION_LOSS = 0.005  # panels and cables between UPS and PDUs
UPS_LOSS = (0.004, 0.02, 0.01)  # fixed (of rating), proportional, quadratic (of rating)
UPS_RATED_W = 3_000_000.0
UPS_AUTONOMY_S = 900.0  # estimated runtime at UPS_REFERENCE_W, on mains
UPS_REFERENCE_W = 900_000.0
UPS_SAG_S_PER_S = 6.0  # on battery, the estimate falls faster than the clock (voltage sag)
SLOWDOWN_FACTOR = 0.7  # power left under thermal slowdown or power brake
THROTTLE_AFTER_S = 105.0
SUPPLY_SETPOINT_C = 20.0
AIR_RHO_CP = 1.2 * 1005.0  # J/(m³·K)
REAR_DOOR_SHARE = 0.35  # of a rack's heat taken by the rear-door heat exchangers (CDU loop)
CRAH_CAPACITY_W = 200_000.0
CRAH_AIRFLOW_M3S = 16.0  # at 100 % fan
CRAH_FAN_W = 9_000.0  # at 100 % fan (cube law)
CDU_PUMP_W = 15_000.0  # two pumps at 100 %
WATER_CP = 4186.0
# Where a site meter's counter starts (J, or L for water): a few years of its load.
METER_BASE = {
    "grid": (1.5e14, 4e14),  # 40-110 GWh
    "ups_output": (6e13, 1.8e14),
    "mechanical": (1e13, 4e13),
    "pv": (1.5e12, 4e12),  # 0.4-1.1 GWh: a few years of the roof
    "water": (5e6, 2e7),  # 5,000-20,000 m³
}


def wiggle(t: float, phase: float) -> float:
    """Deterministic noise in [-1, 1]: two incommensurate sines, no random state."""
    return 0.6 * math.sin(t / 7.3 + phase) + 0.4 * math.sin(t / 2.9 + 1.7 * phase)


@dataclass(frozen=True)
class Gpu:
    util: float  # %
    power_w: float
    inlet_c: float  # the air this GPU's heat sink sees
    cooling_lost: bool = False  # its cold plate lost flow: the die heads past slowdown
    brake: bool = False
    lost: bool = False


@dataclass
class Snapshot:
    """Every reading of the building at ``t``; ``values`` by key for the SNMP agent."""

    t: float
    gpus: dict[str, list[Gpu]] = field(default_factory=dict)
    device_w: dict[str, float] = field(default_factory=dict)  # AC input of each device
    rack_w: dict[str, float] = field(default_factory=dict)
    rack_inlet_c: dict[str, float] = field(default_factory=dict)
    rack_airflow: dict[str, float] = field(default_factory=dict)  # m³/s through the servers
    values: dict[str, float] = field(default_factory=dict)
    cooling: dict[str, dict[str, float]] = field(default_factory=dict)  # unit -> metric -> v
    alarms: dict[str, set[str]] = field(default_factory=dict)
    site: site_power.SitePower | None = None
    # meter -> metric, or (metric, component) for a per-phase reading -> value
    meters: dict[str, dict] = field(default_factory=dict)


class Building:
    """The model of one plan. ``at(t)`` is cached per whole second."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.tz = zoneinfo.ZoneInfo(plan.timezone)
        self.racks = {r.name: r for r in plan.racks}
        self.lane = jobs.lanes([r.name for r in plan.racks], plan.seed)
        self.hosts = [d for d in plan.devices if d.kind == "gpu_server"]
        self.switches = [d for d in plan.devices if d.kind == "switch"]
        self.by_name: dict[str, DeviceSpec] = {d.name: d for d in plan.devices}
        self.pdus = {p.name: p for p in plan.pdus}
        self.halls = sorted({r.hall for r in plan.racks})
        self.crahs = plan.plant_of("crah")
        self.cdus = plan.plant_of("cdu")
        self.chillers = plan.plant_of("chiller")
        self.upses = plan.plant_of("ups")
        self.meters = [p for p in plan.plant_of("meter") if p.measures and p.status != "failed"]
        self.bad_board = fault_schedule.bad_board(plan)
        # Fixed per board and per rack: the spread a real fleet shows.
        self.gpu_scale: dict[str, list[tuple[float, float, float]]] = {}
        for host in self.hosts:
            rng = jobs.rng_for(plan.seed, "board", host.name)
            self.gpu_scale[host.name] = [
                (rng.uniform(0.96, 1.04), rng.uniform(-2.5, 3.5), rng.uniform(0.056, 0.068))
                for _ in range(host.gpus or 8)
            ]  # (power scale, temperature offset °C, °C per W)
        self.rack_offset = {
            r.name: jobs.rng_for(plan.seed, "rack", r.name).uniform(-0.6, 1.4) for r in plan.racks
        }
        self.crah_zone = self._crah_zones()
        self.rack_hosts: dict[str, list[DeviceSpec]] = {}
        self.dark_hosts: dict[str, list[DeviceSpec]] = {}
        for host in self.hosts:
            group = self.dark_hosts if host.dark else self.rack_hosts
            group.setdefault(host.rack, []).append(host)
        self.rack_switches: dict[str, list[DeviceSpec]] = {}
        for switch in self.switches:
            self.rack_switches.setdefault(switch.rack, []).append(switch)
        self._rack_cache: dict[tuple[str, float], Snapshot] = {}
        self._offsets: dict[int, float] = {}
        self._ctx: dict[float, dict] = {}
        self._snapshot: Snapshot | None = None
        self._last_t: float | None = None
        self.energy_j: dict[str, float] = {}

    # -- the public face -----------------------------------------------------------------

    def at(self, t: float) -> Snapshot:
        """The building at ``t`` (seconds since the epoch), computed once per second."""
        second = math.floor(t)
        if self._snapshot is not None and self._snapshot.t == second:
            return self._snapshot
        snap = self._compute(float(second))
        self._integrate(snap)
        self._snapshot = snap
        return snap

    def value(self, key: str, t: float) -> float:
        """One reading by key (``pdu/<name>/power_w``, ``rack/<name>/inlet_c``,
        ``ha/<device>/vrrp`` ...)."""
        if key.startswith("port/"):
            return self._port_value(key, t)
        if key.startswith("ha/"):  # a pair member's state: no need for the whole building
            return ha.value(self.plan, key, t)
        return self.at(t).values.get(key, 0.0)

    def knows(self, key: str) -> bool:
        """Whether ``value(key, t)`` names a reading of this building."""
        if key.startswith("port/"):
            parts = key.split("/")
            return (
                len(parts) == 4
                and parts[1] in self.by_name
                and parts[2].isdigit()
                and parts[3] in ("oper", "in_errors")
            )
        if key.startswith("ha/"):
            return ha.knows(self.plan, key)
        if self._snapshot is None:
            self.at(0.0)
        return key in self._snapshot.values

    def gpu(self, host: str, index: int, t: float) -> Gpu | None:
        """One GPU at ``t``; None when the host is dark or not in the plan.

        Computes only the host's rack (the GPU-host agent asks for one host at a time, at
        many instants): ~50 µs, where the whole building takes ~15 ms.
        """
        spec = self.by_name.get(host)
        if spec is None or spec.dark:
            return None
        second = float(math.floor(t))
        cached = self._rack_cache.get((spec.rack, second))
        if cached is None:
            if len(self._rack_cache) > 4096:  # one GPU's integration steps, then the next's
                self._rack_cache.clear()
            cached = Snapshot(second)
            self._rack(self.racks[spec.rack], second, self._context(second), cached)
            self._rack_cache[(spec.rack, second)] = cached
        boards = cached.gpus.get(host)
        return boards[index] if boards and index < len(boards) else None

    def utc_offset_s(self, t: float) -> float:
        """The site's offset from UTC at ``t`` (zones change on the hour, if at all)."""
        hour = int(t // 3600)
        if hour not in self._offsets:
            start = datetime.fromtimestamp(hour * 3600, UTC).astimezone(self.tz).utcoffset()
            self._offsets[hour] = start.total_seconds() if start else 0.0
        return self._offsets[hour]

    # -- computation ---------------------------------------------------------------------

    def _compute(self, t: float) -> Snapshot:
        snap = Snapshot(t)
        ctx = self._context(t)
        for rack in self.plan.racks:
            self._rack(rack, t, ctx, snap)
        self._power_chain(snap, ctx["dead_pdus"], ctx["on_battery"])
        self._air(snap, ctx["supply"])
        self._site(snap, ctx["offset_s"])
        return snap

    def _context(self, t: float) -> dict:
        """What holds for the whole building at ``t``: faults, supply air, the site's clock."""
        ctx = self._ctx.get(t)
        if ctx is None:
            if len(self._ctx) > 256:
                self._ctx.clear()
            ctx = self._ctx[t] = self._make_context(t)
        return ctx

    def _make_context(self, t: float) -> dict:
        now = fault_schedule.active(self.plan, t)
        crah_fault = {f.target: f for f in now if f.kind == "crah_high_supply"}
        dead_pdus = {f.target for f in now if f.kind == "feed_loss"}
        return {
            "hot_gpu": {(f.target, f.index): f for f in now if f.kind == "gpu_thermal"},
            "lost": {(f.target, f.index) for f in now if f.kind == "gpu_lost"},
            "braked": {f.target for f in now if f.kind == "power_brake"},
            "dead_pdus": dead_pdus | {p.name for p in self.plan.pdus if p.status == "failed"},
            "crah_fault": crah_fault,
            "on_battery": {f.target: f for f in now if f.kind == "ups_battery"},
            "supply": self._crah_supply(t, crah_fault),
            "offset_s": self.utc_offset_s(t),
        }

    def _rack(self, rack: RackSpec, t: float, ctx: dict, snap: Snapshot) -> None:
        """One rack's GPUs, devices' input power, heat and inlet air, into ``snap``."""
        rack_u, heat, loads = [], 0.0, []
        for host in self.rack_hosts.get(rack.name, []):
            if host.status == MAINTENANCE:
                job = None  # drained for the work: powered, idle
            else:
                job = jobs.job_at(self.plan.seed, self.lane.get(rack.name, 0), t)
            util = jobs.utilization(job, t, ctx["offset_s"])
            loads.append((host, self._boards(host, util, t, ctx)))
        for host, boards in loads:
            gpu_w = sum(b[1] for b in boards)
            mean_u = sum(b[0] for b in boards) / max(1, len(boards)) / 100.0
            watts = (gpu_w + SERVER_BASE_W + SERVER_LOAD_W * mean_u) / PSU_EFFICIENCY
            snap.device_w[host.name] = watts
            rack_u.append(mean_u)
            heat += watts
        traffic = sum(rack_u) / len(rack_u) if rack_u else 0.0
        for switch in self.rack_switches.get(rack.name, []):
            watts = 0.0 if switch.dark else SWITCH_BASE_W + SWITCH_LOAD_W * traffic
            snap.device_w[switch.name] = watts
            heat += watts
        zone = self.crah_zone.get(rack.name)
        inlet = (
            ctx["supply"].get(zone, SUPPLY_SETPOINT_C)
            + self._position_c(rack)
            + self.rack_offset[rack.name]
            + 1.2 * heat / 40_000.0  # hot exhaust drawn back over the top and ends
            + 0.15 * math.sin(t / 900.0 + rack.position)
        )
        snap.rack_w[rack.name] = heat
        snap.rack_inlet_c[rack.name] = inlet
        snap.rack_airflow[rack.name] = 0.1 + sum(0.25 + 0.3 * u for u in rack_u)
        for host, boards in loads:
            position_c = 0.04 * (host.position_u - 2)  # warmer air higher in the rack
            snap.gpus[host.name] = [
                Gpu(u, w, inlet + position_c, cooling_lost, brake, lost)
                for u, w, cooling_lost, brake, lost in boards
            ]
        for host in self.dark_hosts.get(rack.name, []):
            snap.device_w[host.name] = 0.0

    def _boards(self, host: DeviceSpec, util: float, t: float, ctx: dict) -> list[tuple]:
        """(util %, watts, cooling lost, braked, lost) of each GPU of a working host."""
        boards = []
        brake = host.name in ctx["braked"]
        for i, (scale, _, _) in enumerate(self.gpu_scale[host.name]):
            u = 0.0 if util <= 0 else min(100.0, max(0.0, util + 1.5 * wiggle(t, i + 0.3)))
            demand = GPU_IDLE_W + (GPU_DEMAND_AT_FULL_W * scale - GPU_IDLE_W) * u / 100.0
            watts = min(demand, GPU_LIMIT_W) * (1.0 + 0.008 * wiggle(t, i + 7.1))
            fault = ctx["hot_gpu"].get((host.name, i))
            # The die passes slowdown ~105 s after losing its cooling (tau 40 s, from
            # ~70 °C towards 90.5 °C); from then on its clocks, and power, drop.
            throttled = fault is not None and t - fault.start > THROTTLE_AFTER_S
            if throttled or brake:
                watts = GPU_IDLE_W + (watts - GPU_IDLE_W) * SLOWDOWN_FACTOR
            lost = (host.name, i) in ctx["lost"]
            if lost:
                u, watts = 0.0, 55.0  # off the bus: the board idles, unseen
            boards.append((u, watts, fault is not None, brake, lost))
        return boards

    def _power_chain(self, snap: Snapshot, dead_pdus: set[str], on_battery: dict) -> None:
        v, t = snap.values, snap.t
        outlet_w: dict[tuple[str, int], float] = {}
        for d in self.plan.devices:
            live = [p for p in d.plugs if p.pdu in self.pdus and p.pdu not in dead_pdus]
            watts = snap.device_w.get(d.name, 0.0)
            for plug in live:
                outlet_w[(plug.pdu, plug.outlet)] = watts / len(live)
        ups_out: dict[str, float] = {}
        for name, pdu in self.pdus.items():
            key = f"pdu/{name}"
            alive = name not in dead_pdus
            v_ln = pdu.voltage / SQRT3 * (1.0 + 0.004 * math.sin(t / 611.0 + pdu.outlets))
            pole_va = [0.0, 0.0, 0.0]
            total_w = total_va = 0.0
            for outlet in range(1, pdu.outlets + 1):
                watts = outlet_w.get((name, outlet), 0.0)
                pf = 0.99 - 0.05 * math.exp(-watts / 400.0) if watts else 1.0
                va = watts / pf
                pole_va[(outlet - 1) % 3] += va
                total_w, total_va = total_w + watts, total_va + va
                v[f"{key}/outlet{outlet}_w"] = watts
                v[f"{key}/outlet{outlet}_a"] = va / v_ln if alive else 0.0
                v[f"{key}/outlet{outlet}_v"] = v_ln if alive else 0.0
            if alive:
                total_w += PDU_CONTROLLER_W
                total_va += PDU_CONTROLLER_W / 0.6
                pole_va[0] += PDU_CONTROLLER_W / 0.6
            currents = [va / v_ln if alive else 0.0 for va in pole_va]
            v[f"{key}/power_w"] = total_w
            v[f"{key}/apparent_va"] = total_va
            v[f"{key}/pf"] = total_w / total_va if total_va else 1.0
            v[f"{key}/voltage"] = v_ln * SQRT3 if alive else 0.0
            v[f"{key}/frequency"] = 50.0 + 0.02 * math.sin(t / 97.0) if alive else 0.0
            v[f"{key}/current_a"] = max(currents)
            for pole, amps in enumerate(currents, start=1):
                v[f"{key}/pole{pole}_a"] = amps
                v[f"{key}/pole{pole}_v"] = v_ln if alive else 0.0
            if pdu.ups:
                ups_out[pdu.ups] = ups_out.get(pdu.ups, 0.0) + total_w
        for ups in self.upses:
            key = f"ups/{ups.name}"
            rated = ups.rated_w or UPS_RATED_W
            out = ups_out.get(ups.name, 0.0) * (1.0 + DISTRIBUTION_LOSS)
            fixed, prop, quad = UPS_LOSS
            losses = fixed * rated + prop * out + quad * out * out / rated
            battery = on_battery.get(ups.name)
            on_batt_s = t - battery.start if battery else 0.0
            v[f"{key}/output_w"] = out
            v[f"{key}/losses_w"] = losses
            recharge = 0.0 if battery else site_power.recharge_w(self.plan, ups.name, t, out)
            v[f"{key}/recharge_w"] = recharge
            v[f"{key}/input_w"] = 0.0 if battery else out + losses + recharge
            v[f"{key}/source"] = 5.0 if battery else 3.0  # RFC 1628: battery(5), normal(3)
            v[f"{key}/on_battery_s"] = on_batt_s
            charge = max(0.0, 100.0 - on_batt_s / 12.0)
            runtime = UPS_AUTONOMY_S * UPS_REFERENCE_W / max(out, 50_000.0) * charge / 100.0
            runtime -= UPS_SAG_S_PER_S * on_batt_s
            v[f"{key}/runtime_s"] = max(0.0, runtime)
            v[f"{key}/charge_pct"] = charge
            v[f"{key}/battery_status"] = 2.0
            for line in (1, 2, 3):
                share = out / 3.0 * (1.0 + 0.01 * (line - 2))
                v[f"{key}/out{line}_w"] = share
                v[f"{key}/out{line}_a"] = share / (400.0 / SQRT3) / 0.98
                v[f"{key}/load{line}_pct"] = 100.0 * share / (rated / 3.0)

    def _air(self, snap: Snapshot, supply: dict) -> None:
        v, t = snap.values, snap.t
        hall_heat: dict[str, float] = {}
        for rack in self.plan.racks:
            heat = snap.rack_w.get(rack.name, 0.0)
            hall_heat[rack.hall] = hall_heat.get(rack.hall, 0.0) + heat
            inlet = snap.rack_inlet_c[rack.name]
            air_heat = heat * (1.0 - REAR_DOOR_SHARE)
            key = f"rack/{rack.name}"
            v[f"{key}/inlet_c"] = inlet
            v[f"{key}/outlet_c"] = inlet + air_heat / (AIR_RHO_CP * snap.rack_airflow[rack.name])
            v[f"{key}/humidity_percent"] = 44.0 - 1.8 * (inlet - 22.0) + 1.5 * math.sin(t / 5400.0)
            v[f"{key}/power_w"] = heat
        for hall in self.halls:
            heat = hall_heat.get(hall, 0.0)
            crahs = [c for c in self.crahs if c.hall == hall and c.status == "active"]
            cdus = [c for c in self.cdus if c.hall == hall and c.status == "active"]
            for crah in self.crahs:
                if crah.hall != hall:
                    continue
                share = (1 - REAR_DOOR_SHARE) * heat / len(crahs) if crah in crahs else 0.0
                snap.cooling[crah.name] = self._crah(crah.name, share, supply, t)
            for cdu in self.cdus:
                if cdu.hall != hall:
                    continue
                share = REAR_DOOR_SHARE * heat / len(cdus) if cdu in cdus else 0.0
                snap.cooling[cdu.name] = self._cdu(share, t)
        plant_heat = sum(
            u.get("cooling_output_watts", 0.0)
            + u.get("cooling_fan_power_watts", 0.0)
            + u.get("cdu_heat_watts", 0.0)
            + u.get("cdu_power_watts", 0.0)
            for u in snap.cooling.values()
        )
        running = [c for c in self.chillers if c.status == "active"] or self.chillers
        outdoor = site_power.outdoor_c(self.plan.seed, t)
        for chiller in self.chillers:
            share = plant_heat / len(running) if chiller in running else 0.0
            snap.cooling[chiller.name] = self._chiller(share, outdoor, t)
        for name, values in snap.cooling.items():
            snap.alarms[name] = self._cooling_alarms(values)

    # -- pieces --------------------------------------------------------------------------

    def _crah_zones(self) -> dict[str, str]:
        """rack -> the CRAH whose air reaches it: the hall's racks split by position."""
        zones = {}
        for hall in sorted({r.hall for r in self.plan.racks}):
            units = [c.name for c in self.plan.plant_of("crah") if c.hall == hall]
            racks = sorted(
                (r for r in self.plan.racks if r.hall == hall), key=lambda r: (r.position, r.row)
            )
            for i, rack in enumerate(racks):
                if units:
                    zones[rack.name] = units[i * len(units) // len(racks)]
        return zones

    def _crah_supply(self, t: float, crah_fault: dict) -> dict[str, float]:
        """Supply air of each CRAH; one in maintenance lets its zone warm a little."""
        out = {}
        for crah in self.crahs:
            supply = SUPPLY_SETPOINT_C + 0.2 * math.sin(t / 300.0 + len(crah.name))
            fault = crah_fault.get(crah.name)
            if fault:
                ramp = min(1.0, (t - fault.start) / fault_schedule.CRAH_RAMP_S)
                supply += fault_schedule.CRAH_SUPPLY_RISE_C * ramp
            if crah.status != "active":
                supply += 1.5  # its neighbours reach the zone with warmer air
            out[crah.name] = supply
        return out

    def _position_c(self, rack) -> float:
        """Row ends draw in hot exhaust around the aisle's end: up to +2.5 °C."""
        end = min(rack.position - 1, rack.row_length - rack.position)
        return max(0.0, 2.5 - 1.2 * end)

    def _crah(self, name: str, heat: float, supply: dict, t: float) -> dict:
        fan = min(100.0, max(20.0, 25.0 + 75.0 * heat / CRAH_CAPACITY_W))
        airflow = CRAH_AIRFLOW_M3S * fan / 100.0
        sup = supply.get(name, SUPPLY_SETPOINT_C)
        return {
            "cooling_supply_air_temperature_celsius": sup,
            "cooling_return_air_temperature_celsius": sup + heat / (AIR_RHO_CP * airflow),
            "cooling_supply_air_setpoint_celsius": SUPPLY_SETPOINT_C,
            "cooling_return_air_humidity_percent": 42.0 + 3.0 * math.sin(t / 7200.0),
            "cooling_fan_speed_percent": fan,
            "cooling_fan_power_watts": CRAH_FAN_W * (fan / 100.0) ** 3,
            "cooling_output_watts": heat,
            "cooling_valve_opening_percent": min(100.0, 10.0 + 90.0 * heat / CRAH_CAPACITY_W),
            "cooling_unit_state": 1.0 if heat > 0 else 0.0,
            "cooling_compressor_state": 0.0,  # chilled water: no compressor in the unit
        }

    def _cdu(self, heat: float, t: float) -> dict:
        pump = min(100.0, max(25.0, 30.0 + 60.0 * heat / 400_000.0))
        flow = 20.0 * pump / 100.0  # L/s, secondary loop
        fac_flow = 15.0
        fac_supply = 25.0 + 1.0 * math.sin(2 * math.pi * t / 86_400)
        supply = 32.0 + 0.1 * math.sin(t / 200.0)
        return {
            "cdu_facility_supply_temperature_celsius": fac_supply,
            "cdu_facility_return_temperature_celsius": fac_supply + heat / (fac_flow * WATER_CP),
            "cdu_secondary_supply_temperature_celsius": supply,
            "cdu_secondary_return_temperature_celsius": supply + heat / (flow * WATER_CP),
            "cdu_secondary_flow_liters_per_second": flow,
            "cdu_facility_flow_liters_per_second": fac_flow,
            "cdu_differential_pressure_pascals": 150e3 * (pump / 100.0) ** 2,
            "cdu_power_watts": CDU_PUMP_W * (pump / 100.0) ** 3,
            "cdu_pump_speed_percent": pump,
            "cdu_secondary_supply_setpoint_celsius": 32.0,
            "cdu_heat_watts": heat,
        }

    def _chiller(self, heat: float, outdoor: float, t: float) -> dict:
        compressors = heat > 0 and site_power.free_cooling_share(outdoor) < 1.0
        flow = 50.0
        supply = 10.0 + 0.05 * math.sin(t / 400.0)
        return {
            "chiller_supply_water_temperature_celsius": supply,
            "chiller_return_water_temperature_celsius": supply + heat / (flow * WATER_CP),
            "chiller_water_flow_liters_per_second": flow if heat else 0.0,
            "chiller_power_watts": heat * site_power.chiller_watts_per_watt(outdoor),
            "chiller_cooling_output_watts": heat,
            "chiller_outdoor_air_temperature_celsius": outdoor,
            "chiller_supply_water_setpoint_celsius": 10.0,
            "cooling_compressor_state": 1.0 if compressors else 0.0,
        }

    def _site(self, snap: Snapshot, offset_s: float) -> None:
        """The site's figures, and what each site meter reads from them."""
        site = site_power.figures(self.plan, snap.values, snap.cooling, snap.t, offset_s)
        snap.site = site
        for meter in self.meters:
            if values := site_power.meter_values(meter, site, snap.t):
                snap.meters[meter.name] = values

    def _cooling_alarms(self, values: dict) -> set[str]:
        alarms = set()
        sup = values.get("cooling_supply_air_temperature_celsius")
        if sup is not None and sup > SUPPLY_SETPOINT_C + 5:
            alarms.add("high_supply_air_temperature")
        if values.get("cooling_return_air_temperature_celsius", 0.0) > 40.0:
            alarms.add("high_return_air_temperature")
        if alarms:
            alarms.add("summary_alarm")
        return alarms

    def _integrate(self, snap: Snapshot) -> None:
        """Energy counters: each process integrates from its first snapshot on."""
        last, self._last_t = self._last_t, snap.t
        dt = 0.0 if last is None else min(max(snap.t - last, 0.0), 300.0)
        v, e = snap.values, self.energy_j
        for name in self.pdus:
            key = f"pdu/{name}"
            if key not in e:
                e[key] = jobs.rng_for(self.plan.seed, "energy", name).uniform(3e11, 9e11)
            e[key] += v[f"{key}/power_w"] * dt
            v[f"{key}/energy_wh"] = e[key] / 3600.0
        for name, values in snap.cooling.items():
            if "chiller_power_watts" in values:
                if name not in e:
                    e[name] = jobs.rng_for(self.plan.seed, "energy", name).uniform(1e12, 5e12)
                e[name] += values["chiller_power_watts"] * dt
                values["chiller_energy_joules_total"] = e[name]
        for meter in self.meters:  # a real meter's register starts far from 0
            values = snap.meters.get(meter.name, {})
            if "meter_active_power_watts" in values:
                metric, rate = "meter_active_energy_joules_total", "meter_active_power_watts"
            elif "water_flow_liters_per_second" in values:
                metric, rate = "water_volume_liters_total", "water_flow_liters_per_second"
            else:
                continue
            if meter.name not in e:
                rng = jobs.rng_for(self.plan.seed, "energy", meter.name)
                e[meter.name] = rng.uniform(*METER_BASE[meter.measures.partition(":")[0]])
            e[meter.name] += max(0.0, values[rate]) * dt
            values[metric] = e[meter.name]

    def _port_value(self, key: str, t: float) -> float:
        """``port/<switch>/<n>/oper`` (1 up, 2 down) or ``.../in_errors`` (a counter)."""
        _, switch, number, what = key.split("/")
        oper, in_errors = fault_schedule.port_state(self.plan, switch, int(number), t)
        return oper if what == "oper" else in_errors
