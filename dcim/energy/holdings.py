"""What each rack, device and GPU of a site is measured by: the ledger series of its
energy, read once for a whole attribution (``dcim.energy.attribution`` says the rules).
"""

from __future__ import annotations

from collections import defaultdict

from dcim.energy.ledger import GPU_ENERGY
from dcim.energy.models import Meter, MeterKind
from dcim.inventory.models import GPU, Device, Site
from telemetry import store

RACK_KINDS = (MeterKind.IT_PDU_OUTPUT, MeterKind.IT_INPUT)  # best first, for a rack
DEVICE_KINDS = (MeterKind.IT_INPUT, MeterKind.IT_PDU_OUTPUT)  # a server's own inlets first


class Holdings:
    """The site's devices, IT meters and GPU counters, read once (a few queries, whatever
    the number of racks)."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.devices: dict[int, tuple[str, int | None]] = {
            pk: (name, rack_id)
            for pk, name, rack_id in Device.objects.filter(site=site).values_list(
                "pk", "name", "rack_id"
            )
        }
        self._meters = list(
            Meter.objects.filter(
                site=site, enabled=True, series_id__isnull=False, kind__in=RACK_KINDS
            ).values("pk", "kind", "series_id", "device_id", "device__rack_id")
        )
        self._parent_of = dict(Meter.objects.values_list("pk", "parent_id"))
        self._gpu_series: dict[int, tuple[tuple[int, str], int | None]] | None = None
        self._gpu_inventory: dict[tuple[int, str], int] | None = None

    def gpu_series(self) -> dict[int, tuple[tuple[int, str], int | None]]:
        """{series id: ((device id, component), rack id)} of the site's GPU counters."""
        if self._gpu_series is None:
            self._gpu_series = {
                s["id"]: ((s["device_id"], s["component"]), self.devices[s["device_id"]][1])
                for s in store.find_series(metric=GPU_ENERGY)
                if s["device_id"] in self.devices
            }
        return self._gpu_series

    def rack_series(self) -> dict[int, tuple[str, set[int]]]:
        """{rack id: (source, series ids)}: its meters of the best kind it has, counted
        once, else its GPUs' counters."""
        by_rack: dict[int, list[dict]] = defaultdict(list)
        for m in self._meters:
            if m["device__rack_id"] is not None:
                by_rack[m["device__rack_id"]].append(m)
        out = {rack: self._best(ms, RACK_KINDS) for rack, ms in by_rack.items()}
        for sid, (_, rack_id) in self.gpu_series().items():
            if rack_id is not None and (rack_id not in out or out[rack_id][0] == "gpu"):
                out.setdefault(rack_id, ("gpu", set()))[1].add(sid)
        return out

    def device_series(self) -> dict[int, set[int]]:
        """{device id: its own IT meters' series, the best kind it has, counted once}."""
        by_device: dict[int, list[dict]] = defaultdict(list)
        for m in self._meters:
            by_device[m["device_id"]].append(m)
        return {d: self._best(ms, DEVICE_KINDS)[1] for d, ms in by_device.items()}

    def _best(self, meters: list[dict], kinds: tuple[str, ...]) -> tuple[str, set[int]]:
        for kind in kinds:
            chosen = [m for m in meters if m["kind"] == kind]
            if chosen:
                return str(kind), {m["series_id"] for m in self._counted_once(chosen)}
        return "", set()

    def _counted_once(self, meters: list[dict]) -> list[dict]:
        """``dcim.energy.models.meter.counted_once``'s rule (skip a meter whose ancestor is
        in the same sum) with the parent map read once for every rack, not once per sum."""
        ids = {m["pk"] for m in meters}
        kept = []
        for m in meters:
            up, seen = self._parent_of.get(m["pk"]), set()
            while up is not None and up not in ids and up not in seen:
                seen.add(up)
                up = self._parent_of.get(up)
            if up is None or up not in ids:
                kept.append(m)
        return kept

    def gpu_inventory(self) -> dict[tuple[int, str], int]:
        """{(device id, NVML component "gpu<index>"): inventory GPU id}."""
        if self._gpu_inventory is None:
            rows = GPU.objects.filter(device__site=self.site).values_list(
                "pk", "device_id", "index"
            )
            self._gpu_inventory = {(d, f"gpu{i}"): pk for pk, d, i in rows}
        return self._gpu_inventory

    def gpu_series_by_holding(self) -> dict[str, dict[int, set[int]]]:
        """GPU counter series by rack id, by device id and by inventory GPU id."""
        inventory = self.gpu_inventory()
        out: dict[str, dict[int, set[int]]] = {"rack": {}, "device": {}, "gpu": {}}
        for sid, (key, rack_id) in self.gpu_series().items():
            out["device"].setdefault(key[0], set()).add(sid)
            if rack_id is not None:
                out["rack"].setdefault(rack_id, set()).add(sid)
            if key in inventory:
                out["gpu"].setdefault(inventory[key], set()).add(sid)
        return out
