"""A deterministic, idempotent demo AI data centre (``manage.py seed_demo``).

- ``catalog``: the hardware (device types, port names, credentials) as data;
- ``layout``: the floor plan, power chain and fabric as pure functions of position;
- ``build``: writes it, creating only what is missing.
"""

from demo.inventory.build import SeedReport, StageResult, seed_demo

__all__ = ["SeedReport", "StageResult", "seed_demo"]
