"""What the collectors know by name: their profiles (SNMP), register maps (Modbus)."""

from __future__ import annotations

from telemetry.collectors.profiles.snmp import PROFILES
from telemetry.collectors.registers import MAPS


def unknown_profiles(protocol: str, profile: str) -> list[str]:
    """Profile names a target gives that its protocol's collector does not know."""
    if protocol == "snmp":
        return [p for p in _split(profile) if p not in PROFILES]
    if protocol == "modbus":
        return [] if profile in MAPS else [profile]
    return []


def _split(profile: str) -> list[str]:
    return [p.strip() for p in profile.split(",") if p.strip()]
