"""One model of the demo building behind every simulator (see ``model``).

``from_env()`` is how a simulator process finds it: the demo writes the plan to a JSON file
and names it in ``DCIM_BUILDING_PLAN``; without it the simulators keep their stand-alone
behaviour (tests, a single simulated host).
"""

from __future__ import annotations

import os
from functools import lru_cache

from telemetry.simulators.building.model import Building, Gpu, Snapshot
from telemetry.simulators.building.plan import (
    DeviceSpec,
    HaPairSpec,
    PduSpec,
    Plan,
    PlantSpec,
    Plug,
    RackSpec,
)

PLAN_ENV = "DCIM_BUILDING_PLAN"

__all__ = [
    "PLAN_ENV",
    "Building",
    "DeviceSpec",
    "Gpu",
    "HaPairSpec",
    "PduSpec",
    "Plan",
    "PlantSpec",
    "Plug",
    "RackSpec",
    "Snapshot",
    "from_env",
]


@lru_cache(maxsize=1)
def _load(path: str) -> Building:
    return Building(Plan.load(path))


def from_env() -> Building | None:
    """The building named by ``DCIM_BUILDING_PLAN``, loaded once per process; else None."""
    path = os.environ.get(PLAN_ENV, "")
    return _load(path) if path and os.path.exists(path) else None
