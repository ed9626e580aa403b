"""snmprec records and the OIDs the simulated fleet answers under: shared by every kind.

snmprec lines are ``OID|TAG|VALUE``; tags: 2 Integer32, 4 OCTET STRING, 65 Counter32,
66 Gauge32, 67 TimeTicks, 70 Counter64, 128/129/130 noSuchObject/noSuchInstance/
endOfMibView. ``TAG:numeric`` hands the value to snmpsim's variation module (our agent
computes it the same way); ``TAG:model`` names a value of the demo building's model, which
only our agent serves (``agent.model_value``).
"""

from __future__ import annotations

import random

Record = tuple[str, str, str]

IF, IFX = "1.3.6.1.2.1.2.2.1", "1.3.6.1.2.1.31.1.1.1"
ENT_SENSOR, ENT_NAME = "1.3.6.1.2.1.99.1.1.1", "1.3.6.1.2.1.47.1.1.1.1.7"
UPS, APC, RARITAN, ST4 = (
    "1.3.6.1.2.1.33.1",
    "1.3.6.1.4.1.318.1.1.26",
    "1.3.6.1.4.1.13742.6",
    "1.3.6.1.4.1.1718.4.1",
)
LIEBERT = "1.3.6.1.4.1.476.1.42.3.9.20.1"


def seeded(seed: int) -> random.Random:
    """Deterministic pseudo-random numbers: simulated loads, not secrets."""
    return random.Random(seed)  # noqa: S311


def counter(initial: int, per_s: float, tag: str = "70") -> tuple[str, str]:
    """A counter that grows by ``per_s`` a second from the responder's start."""
    top = 2**64 - 1 if tag == "70" else 2**32 - 1
    return f"{tag}:numeric", f"initial={initial},rate={per_s:g},max={top},wrap=1"


def wave(mean: float, swing: float, period_s: float, tag: str = "2") -> tuple[str, str]:
    """A gauge swinging ``swing`` around ``mean`` over ``period_s`` (wall-clock phase)."""
    rate = 6.283185307 / period_s
    return f"{tag}:numeric", f"function=sin,atime=1,rate={rate:.6g},scale={swing:g},offset={mean:g}"


def rec(oid: str, tag_value: tuple[str, str] | str, value: object = None) -> Record:
    if isinstance(tag_value, tuple):
        return (oid, tag_value[0], str(tag_value[1]))
    return (oid, tag_value, str(value))


def uptime(initial_ticks: int = 360_000) -> Record:
    return rec("1.3.6.1.2.1.1.3.0", ("67:numeric", f"initial={initial_ticks},rate=100"))


def model(key: str, scale: float = 1.0, tag: str = "66") -> tuple[str, str]:
    """A value read from the building model at request time, times ``scale``."""
    return f"{tag}:model", f"{key},scale={scale:g}"
