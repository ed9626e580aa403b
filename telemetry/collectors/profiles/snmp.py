"""The SNMP profile registry: every vendor table by key (``if_mib``, ``apc_rpdu2`` ...).

The shapes (``Metric``, ``Table``, ``Profile``, ``render``) are in ``snmp_shapes`` and are
re-exported here, so collectors import one module; the vendor tables are in
``snmp_network``, ``snmp_power``, ``snmp_cooling``, ``snmp_environment`` and ``snmp_ha``
(keepalived and VRRP pairs).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from telemetry.collectors.profiles import (
    snmp_cooling,
    snmp_environment,
    snmp_ha,
    snmp_network,
    snmp_power,
)
from telemetry.collectors.profiles.snmp_shapes import (
    UNIT_TEXT,
    Metric,
    Profile,
    Table,
    render,
    side_component,
)

__all__ = [
    "PROFILES",
    "SYSTEM",
    "UNIT_TEXT",
    "Metric",
    "Profile",
    "Table",
    "get",
    "render",
    "side_component",
]


def _registry() -> dict[str, Profile]:
    found: dict[str, Profile] = {}
    for module in (snmp_network, snmp_power, snmp_cooling, snmp_environment, snmp_ha):
        for profile in module.PROFILES:
            if profile.key in found:
                raise ValueError(f"SNMP profile key {profile.key!r} defined twice")
            profile.catalog()  # every metric has a meaning and one unit
            found[profile.key] = profile
    return found


PROFILES: Mapping[str, Profile] = MappingProxyType(_registry())
# Read from every agent whatever its profiles: sysUpTime tells a restart from a wrap.
SYSTEM = PROFILES["system"]


def get(keys: str | list[str] | tuple[str, ...]) -> list[Profile]:
    """Profiles by key: a list, or the comma-separated string a CollectionTarget holds."""
    if isinstance(keys, str):
        keys = [k.strip() for k in keys.split(",") if k.strip()]
    unknown = [k for k in keys if k not in PROFILES]
    if unknown:
        raise KeyError(f"unknown SNMP profile(s): {', '.join(unknown)}; known: {sorted(PROFILES)}")
    return [PROFILES[k] for k in keys]
