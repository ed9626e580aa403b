"""The IT load outlook: a forecast for the next 24 hours and 7 days with its band, and the
day each rack, feed and room would reach 80 % of its power budget (``dcim.energy.forecast``):
a rack's and room's budget is the racks' power budget, a feed's its breaker rating (80 % of
it is the NEC continuous limit, the feed's available power).

History is the ledger's, never raw samples: a site's or room's hourly IT energy from its
boundary hours (kWh in one hour = mean kW), a rack's from the hourly energy of the series
attribution measures it by. Only hours every meter covered enter; a partly covered hour
would read low and drag the forecast down.

The forecast is kept with the page's other hourly parts (``memo``). Reach dates use full
UTC days only, so they change once a day: they are kept until the UTC day ends (a changed
budget or a backfill of past days gives a new key at once), since
reading a month of hourly energy per rack costs far more than the page's time budget.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from django.db import connection

from dcim.energy import attribution, forecast
from dcim.energy.figures import COVERED_HOUR, IT_FIELD, Figures
from dcim.energy.models import BoundaryHour, Category, Meter, MeterKind
from dcim.energy.views import memo, words
from dcim.energy.views.columns import Col, Record, Table
from dcim.inventory.choices import DeviceRole
from dcim.inventory.models import PowerPort, Rack, Room, Site
from dcim.ui.tables import cell

HOUR = timedelta(hours=1)
HISTORY_HOURS = forecast.MAX_HISTORY_HOURS
SHOWN_HISTORY_HOURS = 7 * 24  # the chart's actuals before the forecast
REACH_HISTORY_DAYS = 30  # daily peaks the budget trend is drawn through
BUDGET_FRACTION = 0.8
IT_FIELDS = tuple(IT_FIELD.values())  # best first


@dataclass
class Outlook:
    forecast: forecast.Forecast | None
    history_t: np.ndarray
    history_kw: np.ndarray
    note: str  # why there is no forecast, or what it is
    budget: list[Record] = field(default_factory=list)


FORECAST = Table(
    "forecast",
    "IT load forecast",
    (
        Col("horizon", "Horizon"),
        Col("from", "From"),
        Col("to", "To"),
        Col("mean_kw", "Mean", "kW", words.power_at("mean_kw"), True),
        Col("peak_kw", "Peak", "kW", words.power_at("peak_kw"), True),
        Col("peak_at", "Peak at"),
        Col("lower_kw", "Band low at peak", "kW", words.power_at("lower_kw"), True),
        Col("upper_kw", "Band high at peak", "kW", words.power_at("upper_kw"), True),
        Col("level", "Band holds", "fraction", words.percent_at("level"), True),
        Col("model", "Model"),
    ),
    "No forecast: see the note above.",
)
BUDGET = Table(
    "budget",
    f"When power would reach {BUDGET_FRACTION:.0%} of budget",
    (
        Col("name", "Rack, feed or room"),
        Col("kind", "Kind"),
        Col("room", "Room"),
        Col("budget_kw", "Budget", "kW", words.power_at("budget_kw"), True),
        Col("peak_kw", "Peak last full day", "kW", words.power_at("peak_kw"), True),
        Col(
            "slope_kw_per_day",
            "Trend per day",
            "kW/day",
            lambda r: _signed_kw(r["slope_kw_per_day"]),
            True,
        ),
        Col("reach_date", "Reaches 80 % on", show=lambda r: cell(r["words"], sort=r["sort"])),
    ),
    "No rack, feed or room has power history and a budget.",
)


def _signed_kw(value: float | None) -> dict:
    if value is None:
        return cell(None, sort=-1e18, num=True)
    return cell(f"{value:+,.2f} kW", sort=round(value, 6), num=True)


def _hours_utc(hours: list[datetime]) -> np.ndarray:
    return np.array([int(h.timestamp()) for h in hours], dtype=np.int64).astype("datetime64[s]")


def site_outlook(site: Site, f30: Figures, now: datetime) -> Outlook:
    """The site's forecast from its IT sum of the 30-day figure's category."""
    end = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    it = _it_field(f30)
    if it is None:
        empty = np.array([], dtype="datetime64[s]")
        return Outlook(None, empty, np.array([]), "No IT meter reports: nothing to forecast.")
    rows = list(
        BoundaryHour.objects.filter(
            site=site, room__isnull=True, hour__gte=end - HISTORY_HOURS * HOUR, hour__lt=end
        )
        .order_by("hour")
        .values_list("hour", f"{it}_kwh", f"{it}_cov")
    )
    t = _hours_utc([r[0] for r in rows])
    kw = np.array(
        [q if q is not None and (c or 0) >= COVERED_HOUR else np.nan for _, q, c in rows],
        dtype=float,
    )
    fc = forecast.forecast_load(t, kw, 7 * 24) if len(t) else None
    if fc is None:
        note = (
            f"No forecast yet: it needs {forecast.MIN_HISTORY_HOURS // 24} days of hourly IT "
            f"energy with at most half the hours missing ({int(np.isfinite(kw).sum())} "
            "covered hours so far)."
        )
    else:
        note = f"{fc.model}; band holds about {fc.level:.0%} of hours."
    keep = t >= (t[-1] - SHOWN_HISTORY_HOURS * np.timedelta64(3600, "s")) if len(t) else []
    return Outlook(fc, t[keep], kw[keep], note)


def _it_field(f: Figures) -> str | None:
    if f.category:
        return IT_FIELD[Category(f.category)]
    present = [name for name in IT_FIELDS if name in f.energy_by_kind]
    return present[0] if present else None


def forecast_records(o: Outlook, tz: ZoneInfo) -> list[Record]:
    """One row per horizon: the mean, the peak hour and the band at that hour."""
    if o.forecast is None:
        return []
    fc, out = o.forecast, []
    for label, n in (("Next 24 h", 24), ("Next 7 days", 7 * 24)):
        mean, lo, hi, t = fc.mean[:n], fc.lower[:n], fc.upper[:n], fc.t[:n]
        k = int(np.argmax(mean))
        out.append(
            {
                "horizon": label,
                "from": words.local_time(_dt(t[0]), tz),
                "to": words.local_time(_dt(t[-1]) + HOUR, tz),
                "mean_kw": float(mean.mean()),
                "peak_kw": float(mean[k]),
                "peak_at": words.local_time(_dt(t[k]), tz),
                "lower_kw": float(lo[k]),
                "upper_kw": float(hi[k]),
                "level": fc.level,
                "model": fc.model,
            }
        )
    return out


def _dt(t: np.datetime64) -> datetime:
    return datetime.fromtimestamp(int(t.astype("datetime64[s]").astype(np.int64)), UTC)


def budget_records(site: Site, now: datetime) -> list[Record]:
    """Racks (measured as attribution measures them) and metered rooms with the day they
    would reach 80 % of budget, soonest first; then those with no date, by name."""
    budgets = tuple(
        Rack.objects.filter(room__site=site).order_by("pk").values_list("pk", "power_budget_kw")
    ) + tuple(sorted((k, v[2]) for k, v in _feed_series(site).items()))
    utc = now.astimezone(UTC)
    until_midnight = datetime.combine(utc.date() + timedelta(days=1), datetime.min.time(), UTC)
    midnight = datetime.combine(utc.date(), datetime.min.time(), UTC)
    return memo.memo(
        (site.pk, utc.date(), budgets, memo.history_version(site, midnight), "budget"),
        lambda: _budget_records(site, now),
        max(60, int((until_midnight - utc).total_seconds())),
    )


def _budget_records(site: Site, now: datetime) -> list[Record]:
    end = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    lo = end - REACH_HISTORY_DAYS * 24 * HOUR
    racks = {
        pk: (name, room, float(budget))
        for pk, name, room, budget in Rack.objects.filter(room__site=site).values_list(
            "pk", "name", "room__name", "power_budget_kw"
        )
    }
    out = []
    series = attribution.rack_series(site)
    for rack_id, (t, kw) in _rack_history(series, lo, end).items():
        if rack_id in racks:
            name, room, budget = racks[rack_id]
            out.append(_reach_record(name, "Rack", room, budget, t, kw, now))
    feeds = _feed_series(site)
    by_feed = {k: ("pdu", sids) for k, (_, _, _, sids) in feeds.items()}
    for feed_id, (t, kw) in _rack_history(by_feed, lo, end).items():
        name, room, rating_kw, _ = feeds[feed_id]
        out.append(_reach_record(name, "Feed", room, rating_kw, t, kw, now))
    for room, (t, kw) in _room_history(site, lo, end).items():
        budget = sum(b for _, r, b in racks.values() if r == room.name)
        out.append(_reach_record(room.name, "Room", room.name, budget, t, kw, now))
    out.sort(key=lambda r: (r["sort"], r["kind"], r["name"]))
    return out


def _feed_series(site: Site) -> dict[int, tuple[str, str, float, set[int]]]:
    """{feed id: (name, room, breaker rating kW, the ledger series of the PDUs it feeds)}:
    each PDU whose IT meter (PDU output or equipment input) is in the ledger, by the feed
    its inlet is wired to."""
    meters = dict(
        Meter.objects.filter(
            site=site,
            enabled=True,
            series_id__isnull=False,
            kind__in=(MeterKind.IT_PDU_OUTPUT, MeterKind.IT_INPUT),
            device__role=DeviceRole.PDU,
        ).values_list("device_id", "series_id")
    )
    out: dict[int, tuple[str, str, float, set[int]]] = {}
    ports = PowerPort.objects.filter(device_id__in=list(meters), feed__isnull=False).values_list(
        "device_id",
        "feed_id",
        "feed__name",
        "feed__rack__room__name",
        "feed__available_power_w",
        "feed__max_utilization",
    )
    for device_id, feed_id, name, room, available_w, max_util in ports:
        if not available_w or not max_util:
            continue
        rating_kw = available_w / (max_util / 100) / 1000
        entry = out.setdefault(feed_id, (name, room or "", rating_kw, set()))
        entry[3].add(meters[device_id])
    return out


def _reach_record(name, kind, room, budget, t, kw, now) -> Record:
    r = forecast.reach_date(t, kw, budget, fraction=BUDGET_FRACTION, now=now)
    return {
        "name": name,
        "kind": kind,
        "room": room,
        "budget_kw": budget,
        "peak_kw": r.current_kw,
        "slope_kw_per_day": r.slope_kw_per_day,
        "reach_date": r.date.isoformat() if r.date else None,
        "words": r.words,
        "sort": r.date.isoformat() if r.date else "~" + r.words,
    }


# Per rack, its hourly sum where every one of its series covered the hour (else NULL: a
# sum with a silent series reads low), as epoch seconds and kWh arrays: 64 racks × 720
# hours come back as 64 rows, not 46,000 rows of timestamps to parse.
RACK_HOURS_SQL = """
SELECT rack, array_agg(t ORDER BY t), array_agg(kwh ORDER BY t) FROM (
    SELECT m.rack, extract(epoch FROM h.hour)::bigint AS t,
           CASE WHEN count(*) = max(m.n) AND min(h.covered_s) >= %(full_s)s
                THEN sum(h.quantity) END AS kwh
    FROM energy_energyhour h
    JOIN unnest(%(series)s::int[], %(racks)s::int[], %(sizes)s::int[]) AS m(series, rack, n)
      ON h.series_id = m.series
    WHERE h.hour >= %(lo)s AND h.hour < %(hi)s
    GROUP BY m.rack, h.hour
) per_hour
GROUP BY rack
"""


def _rack_history(rack_series: dict[int, tuple[str, set[int]]], lo, hi) -> dict:
    """{rack id: (hours, mean kW)}, NaN where the rack's sum is not whole."""
    series, racks, sizes = [], [], []
    for rack_id, (_, sids) in rack_series.items():
        series += sorted(sids)
        racks += [rack_id] * len(sids)
        sizes += [len(sids)] * len(sids)
    if not series:
        return {}
    params = {
        "series": series, "racks": racks, "sizes": sizes, "lo": lo, "hi": hi,
        "full_s": COVERED_HOUR * 3600,
    }  # fmt: skip
    with connection.cursor() as cur:
        cur.execute(RACK_HOURS_SQL, params)
        rows = cur.fetchall()
    return {
        rack: (
            np.array(ts, dtype=np.int64).astype("datetime64[s]"),
            np.array([np.nan if v is None else v for v in kwh], dtype=float),
        )
        for rack, ts, kwh in rows
    }


def _room_history(site: Site, lo, hi) -> dict[Room, tuple[np.ndarray, np.ndarray]]:
    """{room: (hours, mean kW)} of each metered room's IT sum (its best category)."""
    names = [f"{f}_{s}" for f in IT_FIELDS for s in ("kwh", "cov")]
    rows = (
        BoundaryHour.objects.filter(site=site, room__isnull=False, hour__gte=lo, hour__lt=hi)
        .order_by("room_id", "hour")
        .values_list("room_id", "hour", *names)
    )
    grouped: dict[int, list] = {}
    for r in rows:
        grouped.setdefault(r[0], []).append(r[1:])
    rooms = Room.objects.in_bulk(list(grouped))
    out = {}
    for room_id, hours in grouped.items():
        q = np.array([h[1::2] for h in hours], dtype=float)  # hours × IT field, NaN = none
        c = np.array([h[2::2] for h in hours], dtype=float)
        present = np.flatnonzero(~np.isnan(q).all(axis=0))
        if not len(present):
            continue
        k = present[0]
        kw = np.where(np.nan_to_num(c[:, k]) >= COVERED_HOUR, q[:, k], np.nan)
        out[rooms[room_id]] = (_hours_utc([h[0] for h in hours]), kw)
    return out
