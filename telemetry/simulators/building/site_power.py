"""The site around the halls: outdoor air, the electrical plant, lighting, rooftop PV, water.

What the site meters read follows from the halls' figures (``model``) at the same instant,
so that the PUE computed from them (E_DC / E_IT, ISO/IEC 30134-2) comes out the way a real
site's does, and for the same reasons:

- IT (E_IT, PUE category 1) is each UPS's output;
- the UPSes draw that plus their losses, and after a spell on battery they recharge it;
- the mechanical board carries the chillers (compressors at a COP that falls as the outdoor
  air warms, free cooling when it is cold enough), chilled-water pumps, CRAH fans and CDU
  pumps: the term that moves PUE through the day and the year;
- lighting follows the working day, security/fire/BMS/offices are a fixed load sized with
  the site, and the LV switchgear and cables lose a little of everything;
- rooftop PV generates behind the utility meter, so the utility meter reads the grid import
  (load − PV) and E_DC = grid + PV;
- water: adiabatic/evaporative cooling and humidification, per kWh of IT, rising with the
  outdoor temperature (WUE, ISO/IEC 30134-9).

Weather and sun are a temperate north-west European site's (the demo's, near Amsterdam):
the plan has a time zone, not a place. Pure functions of the seed and the time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from telemetry.simulators.building import faults as fault_schedule
from telemetry.simulators.building import jobs
from telemetry.simulators.building.plan import Plan, PlantSpec

LATITUDE_DEG, LONGITUDE_DEG = 52.4, 4.9
# Outdoor dry bulb: annual mean, half the seasonal and daily swings, weather from day to day.
OUTDOOR_MEAN_C, OUTDOOR_SEASON_C, OUTDOOR_DAY_C, WEATHER_C = 10.5, 7.0, 4.0, 3.0
COLDEST_DAY = 15  # mid-January (day of the year)
# Chillers: mechanical COP (compressors) falls with outdoor air; below FREE_FULL_C the
# free-cooling coils carry the whole load with fans and pumps only, above FREE_NONE_C none.
COP_AT_20C, COP_PER_C, COP_MIN, COP_MAX = 4.5, 0.25, 3.0, 7.0
FREE_FULL_C, FREE_NONE_C, FREE_COOLING_COP = 2.0, 12.0, 25.0
CHW_PUMP_W_PER_W = 0.022  # chilled-water pumps, per W of heat they move
LIGHTING_NIGHT, LIGHTING_DAY = 0.006, 0.015  # of IT power
BASE_LOAD_OF_UPS_RATING = 0.004  # security, fire, BMS, offices: sized with the site
LV_LOSS = 0.006  # LV switchgear and cables between the incomer and the boards
# Rooftop PV: AC output under a clear sky with the sun overhead, sized with the site (the
# demo's 2 x 3 MW UPSes: 480 kW), so that it never covers the whole load.
PV_PEAK_OF_UPS_RATING = 0.08
# Water per kWh of IT: humidification and cleaning always, adiabatic spray on warm days.
WATER_L_PER_KWH_MIN, WATER_L_PER_KWH_MAX, WATER_WARM_FROM_C, WATER_WARM_SPAN_C = 0.2, 1.0, 10, 18
RECHARGE_S, RECHARGE_EFFICIENCY = 600.0, 0.9  # a UPS puts back what a battery spell took
LINE_V = 400.0
# Power factor at each kind of metering point: IT PSUs, VFD-driven plant, PV inverters.
POWER_FACTOR = {"grid": 0.97, "ups_output": 0.985, "mechanical": 0.93, "pv": 0.99}


@dataclass(frozen=True)
class SitePower:
    """The site's electrical and water figures at one instant (W, L/s, °C)."""

    outdoor_c: float
    it_w: dict[str, float]  # UPS name -> its output: the IT load it carries
    ups_input_w: float  # what the UPSes draw: output + losses + recharge (0 on battery)
    cooling_w: float  # the mechanical board
    lighting_w: float
    base_w: float
    lv_losses_w: float
    pv_w: float
    water_l_s: float

    @property
    def it_total_w(self) -> float:
        return sum(self.it_w.values())

    @property
    def facility_w(self) -> float:
        """Everything the site uses (E_DC's rate), wherever it comes from."""
        return self.ups_input_w + self.cooling_w + self.lighting_w + self.base_w + self.lv_losses_w

    @property
    def grid_w(self) -> float:
        """What the utility incomer delivers: the facility less the rooftop PV."""
        return self.facility_w - self.pv_w


def _clamp(value: float, lo: float, hi: float) -> float:
    return max(lo, min(hi, value))


def solar_hour(t: float) -> float:
    """Local solar time of day (hours) at the site's longitude."""
    return ((t / 3600.0) + LONGITUDE_DEG / 15.0) % 24.0


def day_of_year(t: float) -> float:
    return (t / 86_400.0) % 365.2425


def outdoor_c(seed: int, t: float) -> float:
    """Outdoor dry bulb (°C): season, day (warmest mid-afternoon), and the day's weather."""
    days = t / 86_400.0
    today = math.floor(days)
    frac = days - today
    weather = [jobs.rng_for(seed, "weather", d).uniform(-1.0, 1.0) for d in (today, today + 1)]
    anomaly = WEATHER_C * (weather[0] + (weather[1] - weather[0]) * frac)
    season = -math.cos(2 * math.pi * (day_of_year(t) - COLDEST_DAY) / 365.2425)
    daily = math.sin(2 * math.pi * (solar_hour(t) - 9.0) / 24.0)
    return OUTDOOR_MEAN_C + OUTDOOR_SEASON_C * season + OUTDOOR_DAY_C * daily + anomaly


def free_cooling_share(outdoor: float) -> float:
    """Share of the chillers' load the free-cooling coils carry: 1 when cold, 0 when warm."""
    return _clamp((FREE_NONE_C - outdoor) / (FREE_NONE_C - FREE_FULL_C), 0.0, 1.0)


def chiller_watts_per_watt(outdoor: float) -> float:
    """Electrical W a chiller draws per W of heat it removes, at this outdoor temperature."""
    cop = _clamp(COP_AT_20C + COP_PER_C * (20.0 - outdoor), COP_MIN, COP_MAX)
    free = free_cooling_share(outdoor)
    return (1.0 - free) / cop + free / FREE_COOLING_COP


def lighting_share(local_hour: float) -> float:
    """Lighting as a share of IT: security lighting at night, halls and offices by day."""
    day = _clamp(min(local_hour - 6.0, 20.0 - local_hour), 0.0, 1.0)  # 1 h ramps, 07-19
    return LIGHTING_NIGHT + (LIGHTING_DAY - LIGHTING_NIGHT) * day


def pv_w(seed: int, t: float, peak_w: float) -> float:
    """Rooftop PV output: a clear-sky bell over the sun's elevation, times the day's sky."""
    declination = math.radians(23.44) * math.sin(2 * math.pi * (284 + day_of_year(t)) / 365.2425)
    hour_angle = math.radians(15.0 * (solar_hour(t) - 12.0))
    lat = math.radians(LATITUDE_DEG)
    sin_elevation = math.sin(lat) * math.sin(declination) + math.cos(lat) * math.cos(
        declination
    ) * math.cos(hour_angle)
    if sin_elevation <= 0.0:
        return 0.0  # night
    day = math.floor(t / 86_400.0)
    sky = jobs.rng_for(seed, "sky", day).uniform(0.35, 1.0)  # overcast .. clear
    clouds = 1.0 - 0.12 * (1.0 + math.sin(t / 1300.0 + day)) / 2.0  # passing clouds
    return peak_w * sky * clouds * sin_elevation**1.3


def water_l_per_kwh(outdoor: float) -> float:
    warm = _clamp((outdoor - WATER_WARM_FROM_C) / WATER_WARM_SPAN_C, 0.0, 1.0)
    return WATER_L_PER_KWH_MIN + (WATER_L_PER_KWH_MAX - WATER_L_PER_KWH_MIN) * warm


def recharge_w(plan: Plan, ups: str, t: float, output_w: float) -> float:
    """Extra input of a UPS refilling its battery after a spell on it (``ups_battery``)."""
    for fault in fault_schedule.started_between(plan, t - RECHARGE_S - 3600.0, t):
        refilling = fault.end <= t < fault.end + RECHARGE_S
        if fault.kind == "ups_battery" and fault.target == ups and refilling:
            taken_j = output_w * (fault.end - fault.start)  # as if it carried today's load
            return taken_j / RECHARGE_S / RECHARGE_EFFICIENCY
    return 0.0


def figures(
    plan: Plan,
    values: dict[str, float],
    cooling: dict[str, dict[str, float]],
    t: float,
    utc_offset_s: float,
) -> SitePower:
    """The site at ``t``, from the halls' figures (``values``, ``cooling``) at ``t``;
    ``utc_offset_s`` is the site's clock (lighting follows the working day)."""
    upses = plan.plant_of("ups")
    it_w = {u.name: values.get(f"ups/{u.name}/output_w", 0.0) for u in upses}
    ups_input = sum(values.get(f"ups/{u.name}/input_w", 0.0) for u in upses)
    outdoor = outdoor_c(plan.seed, t)
    heat = sum(u.get("chiller_cooling_output_watts", 0.0) for u in cooling.values())
    plant = sum(
        u.get("chiller_power_watts", 0.0)
        + u.get("cooling_fan_power_watts", 0.0)
        + u.get("cdu_power_watts", 0.0)
        for u in cooling.values()
    )
    cooling_w = plant + CHW_PUMP_W_PER_W * heat
    it_total = sum(it_w.values())
    local_hour = ((t + utc_offset_s) % 86_400) / 3600.0
    lighting = it_total * lighting_share(local_hour)
    ups_rating = sum(u.rated_w for u in upses)
    base = BASE_LOAD_OF_UPS_RATING * ups_rating
    pv = pv_w(plan.seed, t, PV_PEAK_OF_UPS_RATING * ups_rating)
    lv_losses = LV_LOSS * (ups_input + cooling_w + lighting + base)
    water = it_total / 1000.0 * water_l_per_kwh(outdoor) / 3600.0
    return SitePower(outdoor, it_w, ups_input, cooling_w, lighting, base, lv_losses, pv, water)


def meter_values(spec: PlantSpec, site: SitePower, t: float) -> dict:
    """What a site meter reads, by metric (or (metric, component)); {} if not modelled.

    ``spec.measures``: "grid" (the utility incomer), "ups_output:<UPS>", "mechanical",
    "pv" (the rooftop array's output) or "water". Counters are the model's to integrate.
    """
    kind, _, which = spec.measures.partition(":")
    if kind == "water":
        return {"water_flow_liters_per_second": site.water_l_s}
    watts = {
        "grid": site.grid_w,
        "ups_output": site.it_w.get(which, 0.0),
        "mechanical": site.cooling_w,
        "pv": site.pv_w,
    }.get(kind)
    if watts is None:
        return {}
    return electrical_readings(watts, POWER_FACTOR[kind], t, phase=len(spec.name))


def electrical_readings(watts: float, power_factor: float, t: float, phase: float = 0.0) -> dict:
    """A three-phase meter's readings for ``watts`` at about ``power_factor`` on a 400 V
    board: apparent power, PF, voltages and per-phase currents ((metric, component) keys).
    ``phase`` shifts the slow wander of voltage and PF, so that meters differ."""
    pf = power_factor - 0.004 * (1.0 + math.sin(t / 900.0 + phase)) if watts else 1.0
    volts = LINE_V * (1.0 + 0.004 * math.sin(t / 611.0 + phase))
    amps = abs(watts) / pf / (math.sqrt(3.0) * volts)
    out: dict = {
        "meter_active_power_watts": watts,
        "meter_apparent_power_voltamperes": abs(watts) / pf,
        "meter_power_factor": pf,
        "meter_voltage_volts": volts,
        "meter_frequency_hertz": 50.0 + 0.02 * math.sin(t / 97.0),
    }
    for n in (1, 2, 3):
        out["meter_phase_current_amperes", f"phase:{n}"] = amps * (1.0 + 0.01 * (n - 2))
        phase_v = volts / math.sqrt(3.0) * (1.0 + 0.002 * (n - 2))
        out["meter_phase_voltage_volts", f"phase:{n}"] = phase_v
    return out
