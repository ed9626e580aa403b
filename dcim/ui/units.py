"""Values as people read them: one formatter for every page, chart axis and alert.

The store keeps base units and codes, right for arithmetic and wrong for people:
"187,204,910,400.00 joules" is 52 MWh, "840.00 seconds" of battery is 14 min,
``ups_battery_status 2`` is "normal". Every page, chart and alert goes through here, so a
value reads the same wherever it is shown, and the raw number stays one hover away
(``raw``; a table cell's ``title``).

``unit`` is the unit string the readings carry (the metric catalog's: "joules", "celsius",
"bytes_per_second", "bool" ...); ``metric`` names the metric whose state words apply
(``Metric.states`` in the catalog). An unknown unit shows the number and the unit's words.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from dcim.ui.tables import DASH, cell
from telemetry.collectors.catalog import describe
from telemetry.collectors.states import BOOL

SI = ("", "k", "M", "G", "T", "P", "E")
IEC = ("", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei")
# unit -> (symbol, prefixes it scales with, base): () keeps the base unit whatever the size.
SYMBOLS: dict[str, tuple[str, tuple[str, ...], int]] = {
    "watts": ("W", SI, 1000),
    "voltamperes": ("VA", SI, 1000),
    "volts": ("V", SI, 1000),
    "amperes": ("A", SI, 1000),
    "hertz": ("Hz", SI, 1000),
    "pascals": ("Pa", SI, 1000),
    "watt_hours": ("Wh", SI, 1000),  # joules are shown as these
    "bytes_per_second": ("B/s", SI, 1000),
    "bits_per_second": ("b/s", SI, 1000),
    "bytes": ("B", IEC, 1024),
    "celsius": ("°C", (), 1),
    "kelvin": ("K", (), 1),
    "percent": ("%", (), 1),
    "rpm": ("rpm", (), 1),
    "liters_per_second": ("L/s", (), 1),
    "liters": ("L", SI, 1000),  # water meters: kL, ML
    "meters_per_second": ("m/s", (), 1),
    "cubic_meters_per_minute": ("m³/min", (), 1),
    "count": ("", (), 1),
    "": ("", (), 1),
    "per_second": ("/s", (), 1),
}
# Decimals a unit is read with when the caller does not say: temperatures to a tenth.
DIGITS = {"celsius": 1, "kelvin": 1}
# The symbol a raw (base-unit) value is shown with on hover.
RAW = {"joules": "J", "seconds": "s", "watt_hours": "Wh", "bits_per_second": "b/s"}
WORDY = {"bool", "state", "", "count"}  # units whose codes may have words
WORDS_UNITS = {"bool", "state", "bitmask", "pstate", "xid"}  # codes, never quantities
RATES = {
    "joules": "watts",
    "bytes": "bytes_per_second",
    "liters": "liters_per_second",
    "count": "per_second",
    "": "per_second",
}


def text(
    value: float | None,
    unit: str,
    metric: str = "",
    *,
    digits: int | None = None,
    prefix: str | None = None,
) -> str:
    """The value as people read it: "52 MWh", "14 min", "73.1 kPa", "23.4 °C", "down".

    ``digits`` fixes the decimals (default: ``DIGITS`` for the unit, else about three
    significant figures, trailing zeros dropped); ``prefix`` fixes the scale ("k", "G",
    "Gi") for a column of one unit.
    """
    if value is None or math.isnan(value):
        return DASH
    words = _words(metric) or (BOOL if unit == "bool" else {})
    if unit == "bitmask":
        return _bits(value, words)
    if words and unit in WORDY:
        return _word(value, words)
    if unit == "pstate":
        return f"P{value:.0f}"
    if unit == "xid":
        return "none" if value == 0 else f"XID {value:.0f}"
    if unit == "seconds":
        return duration(value)
    if unit == "joules":
        unit, value = "watt_hours", value / 3600
    unit = _canonical(unit)
    if unit not in SYMBOLS:
        return f"{_number(value, digits)} {unit.replace('_', ' ')}".strip()
    symbol, prefixes, base = SYMBOLS[unit]
    digits = DIGITS.get(unit) if digits is None else digits
    i = _scale_index(value, prefixes, base, prefix)
    shown = _number(value / base**i, digits)
    if prefixes and i + 1 < len(prefixes) and prefix is None and _abs(shown) >= base:
        i += 1  # 999.96 W rounds to "1,000": say 1 kW
        shown = _number(value / base**i, digits)
    unit_text = (prefixes[i] if prefixes else "") + symbol
    if not unit_text:
        return shown
    return f"{shown}{unit_text}" if unit_text.startswith("/") else f"{shown} {unit_text}"


def raw(value: float | None, unit: str) -> str:
    """The stored number with its base unit's symbol, for hover: "187,204,910,400 J"."""
    if value is None or math.isnan(value):
        return ""
    if not math.isfinite(value) or abs(value) >= 1e15:
        number = f"{value:.6e}"
    else:
        number = f"{value:,.6f}".rstrip("0").rstrip(".")
    unit = _canonical(unit)
    symbol = RAW.get(unit) or (SYMBOLS[unit][0] if unit in SYMBOLS else unit)
    if unit in WORDS_UNITS:
        symbol = ""
    return f"{number}{symbol}" if symbol.startswith("/") else f"{number} {symbol}".strip()


def duration(seconds: float) -> str:
    """A duration as people say it: "45 s", "14 min", "14 min 05 s", "2 h 05 min",
    "3 d 04 h" (minutes without seconds past the hour, hours without minutes past a day)."""
    sign, s = ("-" if seconds < 0 else ""), abs(seconds)
    if s < 60:
        return f"{sign}{_number(s, None)} s"
    t = round(s)
    if t < 3600:
        m, sec = divmod(t, 60)
        return f"{sign}{m} min" + (f" {sec:02d} s" if sec else "")
    if t < 86400:
        h, rest = divmod(t, 3600)
        return f"{sign}{h} h {rest // 60:02d} min"
    d, rest = divmod(t, 86400)
    return f"{sign}{d:,} d {rest // 3600:02d} h"


def rate_unit(unit: str) -> str:
    """The unit of a counter's rate: joules -> watts, bytes -> bytes_per_second."""
    return RATES.get(unit, f"{unit}_per_second")


def measure(
    value: float | None,
    unit: str,
    metric: str = "",
    *,
    digits: int | None = None,
    prefix: str | None = None,
) -> dict[str, Any]:
    """A table cell: the text people read, sorting by the raw value, the raw value on
    hover (its ``title``) where it says more than the text."""
    if value is None:
        return cell(None, sort=-1e18, num=True)
    shown, exact = text(value, unit, metric, digits=digits, prefix=prefix), raw(value, unit)
    if shown == exact:  # nothing to add on hover
        return cell(shown, sort=round(value, 6), num=True)
    return cell(shown, sort=round(value, 6), num=True, ti=exact)


def measures(
    unit: str, metric: str = "", *, digits: int | None = None, prefix: str | None = None
) -> Callable[[float | None], dict[str, Any]]:
    """``measure`` for a whole column, one shared cell per value as shown at ``digits``
    (2,048 GPUs' temperatures make a few dozen cells; pooled JSON sends each once)."""
    memo: dict[float | None, dict] = {}
    _, prefixes, base = SYMBOLS.get(unit, ("", (), 1))
    step = base ** prefixes.index(prefix) if prefix and prefixes else 1
    places = 3 if digits is None else digits

    def make(value: float | None) -> dict:
        key = None if value is None else round(value / step, places)
        c = memo.get(key)
        if c is None:
            shown = None if key is None else key * step
            c = memo[key] = measure(shown, unit, metric, digits=digits, prefix=prefix)
        return c

    return make


@dataclass(frozen=True, slots=True)
class Axis:
    """How a chart shows a unit: the axis label, the factor its values are multiplied by,
    and for states the (code, word) ticks."""

    label: str
    factor: float = 1.0
    ticks: tuple[tuple[int, str], ...] = ()


def axis(unit: str, metric: str, peak: float) -> Axis:
    """The axis for values of ``unit`` up to ``peak`` (absolute): "kW" and 1e-3 for
    watts up to 7,500, "min" for seconds up to an hour, words for states."""
    words = _words(metric) or (BOOL if unit == "bool" else {})
    if unit in WORDS_UNITS or (words and unit in WORDY):
        return Axis("", 1.0, tuple(words.items()) if unit != "bitmask" else ())
    if unit == "seconds":
        if peak >= 7200:
            return Axis("h", 1 / 3600)
        return Axis("min", 1 / 60) if peak >= 120 else Axis("s")
    factor = 1.0
    if unit == "joules":
        unit, factor = "watt_hours", 1 / 3600
    unit = _canonical(unit)
    if unit not in SYMBOLS:
        return Axis(unit.replace("_", " "), factor)
    symbol, prefixes, base = SYMBOLS[unit]
    i = _scale_index(peak * factor, prefixes, base, None)
    return Axis(((prefixes[i] if prefixes else "") + symbol) or "", factor / base**i)


def _canonical(unit: str) -> str:
    """A counter's rate unit such as "count_per_second" -> "per_second" ("3.2/s")."""
    if unit.endswith("_per_second") and unit not in SYMBOLS:
        return "per_second" if unit[: -len("_per_second")] in RATES else unit
    return unit


@lru_cache(maxsize=1024)
def _words(metric: str) -> dict[int, str]:
    known = describe(metric) if metric else None
    return known.words() if known else {}


def _word(value: float, words: dict[int, str]) -> str:
    if value != int(value):  # an average over a bucket, not a code
        return _number(value, None)
    return words.get(int(value), f"code {value:.0f}")


def _bits(value: float, words: dict[int, str]) -> str:
    mask = int(value)
    if not mask:
        return "none"
    named = [w for bit, w in words.items() if mask & bit]
    rest = mask & ~sum(words)
    return ", ".join(named + ([f"0x{rest:X}"] if rest else [])) if words else f"0x{mask:04X}"


def _scale_index(value: float, prefixes: tuple[str, ...], base: int, prefix: str | None) -> int:
    if not prefixes or not math.isfinite(value):
        return 0
    if prefix is not None:
        return prefixes.index(prefix)
    i, a = 0, abs(value)
    while i + 1 < len(prefixes) and a >= base ** (i + 1):
        i += 1
    return i


def _number(x: float, digits: int | None) -> str:
    """Grouped thousands; about three significant figures unless ``digits`` says."""
    if math.isinf(x):
        return "∞" if x > 0 else "-∞"
    if digits is None:
        a = abs(x)
        places = 0 if a >= 100 else 1 if a >= 10 else 2 if a >= 1 or a == 0 else 0
        if 0 < a < 1:
            places = min(6, 2 - math.floor(math.log10(a)))
        s = f"{x:,.{places}f}"
        s = s.rstrip("0").rstrip(".") if "." in s else s
    else:
        s = f"{x:,.{digits}f}"
    return s[1:] if s.startswith("-") and not s.strip("-0.,") else s  # no "-0"


def _abs(shown: str) -> float:
    try:
        return abs(float(shown.replace(",", "")))
    except ValueError:  # "∞"
        return 0.0
