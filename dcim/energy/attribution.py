"""Who used the energy over a period: per rack, per GPU and per tenant, from the ledger.

- A rack's energy is its IT meters' (meters whose device is in the rack): its PDU output
  meters when it has any, else its devices' IT input meters (one kind, so a server's inlet
  meter is never added to the PDU outlet that feeds it), each counted once (a sub-meter
  whose ancestor is in the same sum is skipped). A rack with neither is measured by its
  GPUs' energy counters, and says so (``source``).
- A GPU's energy is its NVML energy counter (``gpu_energy_joules_total``, component
  ``gpu<index>``: the collector's name for NVML index N, inventory ``GPU.index`` N).
- A tenant's energy follows its allocations hour by hour: the hour starting at h is
  charged to the allocation in force at h. A rack holding is the rack's energy, a device
  its own IT meters' (or, for a GPU server without one, its GPUs'), a GPU its counter's.
- ``gpu_share`` = the GPUs' energy / the row's energy: how much of a rack's (or tenant's)
  power the accelerators account for, the rest being CPUs, fans, network and PSU losses.

Cost is the row's kWh × the site's average price over the period: the cost of the
facility energy bought / the facility kWh (``dcim.energy.figures.compute``). So a rack is
charged the blended price, including peak and off-peak hours in the site's proportions,
not the price of its own hours; its share of the bill, as IT energy is billed to tenants.

Coverage is covered seconds / the row's seconds (the period's elapsed hours; a tenant's:
the hours it held something), for the least covered meter of the row: 1.0 means every
meter reported for every hour, and a row below 1.0 is an underestimate.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from dcim.energy.figures import Figures, compute
from dcim.energy.holdings import Holdings
from dcim.energy.models import Allocation
from dcim.energy.periods import Period
from dcim.energy.sums import Total, Window, ceil_hour, floor_hour, totals
from dcim.inventory.models import Rack, Site

GPU_COMPONENT = re.compile(r"^gpu(\d+)$")


@dataclass(frozen=True)
class RackEnergy:
    rack_id: int
    rack: str
    room: str
    source: str  # the meter kind its energy is measured by, or "gpu"
    meters: int
    kwh: float
    gpu_kwh: float
    gpu_share: float | None  # None where the energy is the GPUs' own
    coverage: float
    cost: float | None
    currency: str | None


@dataclass(frozen=True)
class GpuEnergy:
    gpu_id: int | None  # None: a counter with no inventory GPU of that index
    device_id: int
    device: str
    index: int | None
    rack_id: int | None
    kwh: float
    coverage: float
    cost: float | None
    currency: str | None


@dataclass(frozen=True)
class TenantEnergy:
    tenant_id: int
    tenant: str
    holdings: int  # allocations in force during the period
    held_hours: float
    kwh: float
    gpu_kwh: float
    gpu_share: float | None
    coverage: float  # of the hours held
    cost: float | None
    currency: str | None


def average_price(figures: Figures) -> tuple[float | None, str | None]:
    """The site's price per kWh over the figures' period: facility cost / facility kWh."""
    facility = figures.energy_by_kind.get("facility", {}).get("quantity")
    if figures.cost is None or not facility:
        return None, figures.currency
    return figures.cost / facility, figures.currency


def racks(
    site: Site,
    period: Period,
    *,
    now: datetime | None = None,
    figures: Figures | None = None,
    limit: int | None = None,
) -> list[RackEnergy]:
    """Each rack of ``site`` with a meter or a GPU counter, most energy first."""
    return Attribution(site, period, now, figures).racks(limit)


def gpus(
    site: Site,
    period: Period,
    *,
    now: datetime | None = None,
    figures: Figures | None = None,
    limit: int | None = None,
) -> list[GpuEnergy]:
    """Each GPU energy counter of ``site``'s devices, most energy first."""
    return Attribution(site, period, now, figures).gpus(limit)


def tenants(
    site: Site,
    period: Period,
    *,
    now: datetime | None = None,
    figures: Figures | None = None,
    limit: int | None = None,
) -> list[TenantEnergy]:
    """Each tenant holding something in ``site`` during the period, most energy first."""
    return Attribution(site, period, now, figures).tenants(limit)


def rack_series(site: Site) -> dict[int, tuple[str, set[int]]]:
    """{rack id: (source, ledger series ids)}: what each rack's energy is measured by (the
    meter kind, or "gpu"), so another figure of a rack (a forecast) stands on the same
    meters as its energy here."""
    return Holdings(site).rack_series()


class Attribution(Holdings):
    """One site and period's attribution: the meters, the elapsed window and the price are
    read once, and the whole period's ledger totals are kept, so racks then tenants (as
    the page asks) read each series' period once."""

    def __init__(
        self,
        site: Site,
        period: Period,
        now: datetime | None = None,
        figures: Figures | None = None,
    ) -> None:
        super().__init__(site)
        self.now = now = now or timezone.now()
        # Like the figures: an open period counts only the hours that have ended.
        lo = ceil_hour(period.start)
        self.window = Window(lo, max(lo, min(ceil_hour(period.end), floor_hour(now))))
        figures = figures or compute(site, period, now=now)
        self.price, self.currency = average_price(figures)
        self._period: dict[int, Total] = {}  # the whole window's totals read so far
        self._read: set[int] = set()  # the series they are of (no row: nothing covered)

    def cost(self, kwh: float) -> tuple[float | None, str | None]:
        return (kwh * self.price if self.price is not None else None), self.currency

    def totals(self, wanted: dict[Window, set[int]]) -> dict[Window, dict[int, Total]]:
        """``dcim.energy.sums.totals``, the whole period's answered from what an earlier
        call of this attribution read where it can."""
        ask = dict(wanted)
        if self.window in ask:
            ask[self.window] = ask[self.window] - self._read
        got = totals(ask, self.site.timezone, self.now)
        if self.window in wanted:
            self._period.update(got.get(self.window, {}))
            self._read |= ask[self.window]
            got[self.window] = self._period
        return got

    def energy(self, got: dict, w: Window, sids: set[int]) -> tuple[float, float]:
        """(kWh, coverage of the least covered series) of ``sids`` over ``w``."""
        seconds = w.seconds
        if not sids or not seconds:
            return 0.0, 0.0
        per = got.get(w, {})
        parts = [per.get(s, (0.0, 0.0)) for s in sids]
        return sum(p[0] for p in parts), min(p[1] for p in parts) / seconds

    def racks(self, limit: int | None = None) -> list[RackEnergy]:
        """Each rack of ``site`` with a meter or a GPU counter, most energy first."""
        rack_rows = self.rack_series()
        gpus_of_rack = defaultdict(set)
        for sid, (_, rack_id) in self.gpu_series().items():
            if rack_id is not None:
                gpus_of_rack[rack_id].add(sid)
        wanted = set().union(*(s for _, s in rack_rows.values()), *gpus_of_rack.values())
        got = self.totals({self.window: wanted})
        names = Rack.objects.filter(pk__in=rack_rows).values_list("pk", "name", "room__name")
        out = []
        for rack_id, name, room in names:
            source, sids = rack_rows[rack_id]
            kwh, cov = self.energy(got, self.window, sids)
            gpu_kwh, _ = self.energy(got, self.window, gpus_of_rack.get(rack_id, set()))
            share = gpu_kwh / kwh if kwh > 0 and source != "gpu" else None
            out.append(
                RackEnergy(
                    rack_id, name, room, source, len(sids), kwh, gpu_kwh, share, cov,
                    *self.cost(kwh),
                )
            )  # fmt: skip
        out.sort(key=lambda r: (-r.kwh, r.rack))
        return out[:limit] if limit else out

    def gpus(self, limit: int | None = None) -> list[GpuEnergy]:
        """Each GPU energy counter of ``site``'s devices, most energy first."""
        series = self.gpu_series()
        got = self.totals({self.window: set(series)})
        inventory = self.gpu_inventory()
        per_gpu: dict[tuple[int, str], set[int]] = defaultdict(set)
        for sid, (key, _) in series.items():
            per_gpu[key].add(sid)  # a replaced GPU's new series adds to the same slot
        out = []
        for (device_id, component), sids in per_gpu.items():
            m = GPU_COMPONENT.match(component)
            index = int(m.group(1)) if m else None
            kwh, cov = self.energy(got, self.window, sids)
            device_name, rack_id = self.devices[device_id]
            out.append(
                GpuEnergy(
                    inventory.get((device_id, component)), device_id, device_name, index, rack_id,
                    kwh, cov, *self.cost(kwh),
                )
            )  # fmt: skip
        out.sort(key=lambda g: (-g.kwh, g.device, g.index if g.index is not None else -1))
        return out[:limit] if limit else out

    def tenants(self, limit: int | None = None) -> list[TenantEnergy]:
        """Each tenant holding something in ``site`` during the period, most energy first."""
        w = self.window
        allocations = (
            Allocation.objects.filter(start__lt=w.hi)
            .filter(Q(end__isnull=True) | Q(end__gt=w.lo))
            .filter(
                Q(rack__room__site=self.site)
                | Q(device__site=self.site)
                | Q(gpu__device__site=self.site)
            )
            .select_related("tenant")
        )
        rack_rows = self.rack_series()
        gpus_by = self.gpu_series_by_holding()
        device_rows = self.device_series()
        plans = []  # (allocation, window, energy series, gpu series)
        for a in allocations:
            held = w.clip(a.start, a.end)
            if held.seconds == 0:
                continue
            if a.rack_id:
                energy = rack_rows.get(a.rack_id, ("", set()))[1]
                gpu = gpus_by["rack"].get(a.rack_id, set())
            elif a.device_id:
                gpu = gpus_by["device"].get(a.device_id, set())
                energy = device_rows.get(a.device_id) or gpu
            else:
                energy = gpu = gpus_by["gpu"].get(a.gpu_id, set())
            plans.append((a, held, energy, gpu))
        wanted: dict[Window, set[int]] = defaultdict(set)
        for _, held, energy, gpu in plans:
            wanted[held] |= energy | gpu
        got = self.totals(wanted)
        rows: dict[int, dict] = {}
        for a, held, energy, gpu in plans:
            r = rows.setdefault(
                a.tenant_id,
                {"name": a.tenant.name, "n": 0, "held": 0.0, "kwh": 0.0, "gpu": 0.0, "cov": 0.0},
            )
            kwh, cov = self.energy(got, held, energy)
            r["n"] += 1
            r["held"] += held.seconds
            r["kwh"] += kwh
            r["gpu"] += self.energy(got, held, gpu)[0]
            r["cov"] += cov * held.seconds
        out = [
            TenantEnergy(
                tid, r["name"], r["n"], r["held"] / 3600, r["kwh"], r["gpu"],
                r["gpu"] / r["kwh"] if r["kwh"] > 0 else None,
                r["cov"] / r["held"], *self.cost(r["kwh"]),
            )
            for tid, r in rows.items()
        ]  # fmt: skip
        out.sort(key=lambda t: (-t.kwh, t.tenant))
        return out[:limit] if limit else out


_Context = Attribution  # the name the page's first forecast code used; prefer rack_series
