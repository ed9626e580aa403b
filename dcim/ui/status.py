"""Status tones: which colour a status value gets, the same on every page and in every
table cell (``{% status_badge %}`` and ``dcim.ui.tables.badge`` both ask here)."""

# Tone per status value, shared by every enumeration in the product. A tone is a colour
# class in static/css/dcim.css: ok (green), info (blue), warn (amber), crit (red), muted.
TONES = {
    "active": "ok",
    "connected": "ok",
    "ok": "ok",
    "up": "ok",
    "planned": "info",
    "reserved": "info",
    "maintenance": "warn",
    "degraded": "warn",
    "warning": "warn",
    "failed": "crit",
    "offline": "crit",
    "down": "crit",
    "critical": "crit",
    "decommissioned": "muted",
    "unknown": "muted",
}
TONE_NAMES = {"ok", "info", "warn", "crit", "muted"}


def tone_for(value: object) -> str:
    """The colour class for a status value; unknown values are muted, not alarming."""
    return TONES.get(str(value).lower(), "muted")
