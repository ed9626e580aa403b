"""IT-load forecasts and the date a budget is reached: pure functions over numpy arrays.

Why these choices (numbers in docs/decisions/0019-energy-forecasts.md): Holt-Winters from
statsmodels, additive, with a season of one week (168 hours, which holds the daily shape of
each weekday) once there are two weeks of history and of one day before that. It starts
from the first season as it was, so every state is built from past hours only; the band is
then the spread of the model's own past errors at each step ahead (statsmodels' simulated
band grows like a random walk: ±29 % a week ahead, and it held 100 % of held-out hours at
90 %). Fitting 720 hours and forecasting 168 takes about 0.1 s on the 2-core VM.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd
from scipy.stats import theilslopes
from statsmodels.tools.sm_exceptions import ConvergenceWarning
from statsmodels.tsa.holtwinters import ExponentialSmoothing

HOUR = np.timedelta64(3600, "s")
DAY_HOURS = 24
WEEK_HOURS = 168
# Three days: the first day is the season the model starts from, and the next two are what
# it fits its smoothing weights on and measures its band with (24 forecasts a day ahead).
# With less, the "forecast" would be yesterday repeated with a band we cannot measure.
MIN_HISTORY_HOURS = 3 * DAY_HOURS
# A weekly season: one week to start from and one to learn on.
WEEKLY_FROM_HOURS = 2 * WEEK_HOURS
# Eight weeks: older behaviour says little about next week, and fit time grows with length.
MAX_HISTORY_HOURS = 8 * WEEK_HOURS
# Refuse when more than half the hours would be filled in: that would forecast our guesses.
MIN_OBSERVED_SHARE = 0.5
# Fewest in-sample forecasts a band quantile is taken from; later steps reuse the last
# step that had this many.
MIN_BAND_ORIGINS = 12


@dataclass(frozen=True)
class Forecast:
    t: np.ndarray  # datetime64[s], UTC, the forecast instants (hourly)
    mean: np.ndarray  # kW
    lower: np.ndarray  # kW, lower edge of the band
    upper: np.ndarray  # kW
    level: float  # share of hours the band should hold, e.g. 0.9
    model: str  # words for the page
    history_points: int  # hours of history with readings (filled-in hours not counted)
    filled_points: int = 0  # hours of the fitted history that were filled in


@dataclass(frozen=True)
class ReachDate:
    """When the load reaches the mark, in words for the page; None where unknown."""

    date: date | None  # the first day at or above the mark, if within the window
    words: str  # "reaches 80 % on 2027-03-14", "already above 80 % of budget", ...
    slope_kw_per_day: float | None  # the trend of daily peaks (with 7 full days or more)
    current_kw: float | None  # the peak hour of the last full day of history


def hourly_grid(t: np.ndarray, kw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Hourly means on a regular grid from the first to the last hour with a reading.

    Readings are averaged into the hour they fall in, so an irregular last partial hour
    becomes that hour's mean; hours without a reading are NaN. Times are datetime64[s].
    """
    t = np.asarray(t, dtype="datetime64[s]")
    kw = np.asarray(kw, dtype=float)
    ok = ~np.isnat(t) & np.isfinite(kw)
    if not ok.any():
        return np.array([], dtype="datetime64[s]"), np.array([], dtype=float)
    s = pd.Series(kw[ok], index=pd.DatetimeIndex(t[ok])).sort_index().resample("h").mean()
    return s.index.values.astype("datetime64[s]"), s.to_numpy(dtype=float)


def fill_gaps(t: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Hours without a reading, interpolated after taking out the mean daily shape.

    Interpolating the deseasonalised series fills a missing afternoon with an afternoon
    and a missing day with an average day at the level of its neighbours; a straight line
    across a day would be a flat night-time load. ``t`` is a regular hourly grid.
    """
    seen = np.isfinite(y)
    if seen.all():
        return y.copy()
    hour = t.astype("datetime64[h]").astype(np.int64) % DAY_HOURS
    sums = np.bincount(hour[seen], weights=y[seen], minlength=DAY_HOURS)
    counts = np.bincount(hour[seen], minlength=DAY_HOURS)
    shape = np.divide(sums, counts, out=np.zeros(DAY_HOURS), where=counts > 0)
    shape = np.where(counts > 0, shape - y[seen].mean(), 0.0)
    flat = y - shape[hour]
    at = np.arange(len(y))
    flat[~seen] = np.interp(at[~seen], at[seen], flat[seen])
    return flat + shape[hour]


def _clean(t: np.ndarray, kw: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """The last ``MAX_HISTORY_HOURS`` of the hourly grid, gaps filled, and which hours had
    readings; None when too short or too gappy to forecast from."""
    grid_t, y = hourly_grid(t, kw)
    grid_t, y = grid_t[-MAX_HISTORY_HOURS:], y[-MAX_HISTORY_HOURS:]
    seen = np.isfinite(y)
    if seen.sum() < MIN_HISTORY_HOURS or seen.mean() < MIN_OBSERVED_SHARE:
        return None
    return grid_t, fill_gaps(grid_t, y), seen


def step_forecasts(
    level: np.ndarray, season: np.ndarray, period: int, origins: np.ndarray, steps: np.ndarray
) -> np.ndarray:
    """What an additive Holt-Winters model without trend forecasts from each origin (rows)
    for each step ahead (columns), from its smoothed states: the level at the origin plus
    the season's latest value for the target's hour (Hyndman & Athanasopoulos, 8.3).

    This is statsmodels' forecast except a whole number of seasons ahead, where statsmodels
    0.15 reuses the season's value from before the origin's update (statsmodels issue
    #9538); the mean and the band both come from here, so they agree."""
    i, h = origins[:, None], steps[None, :]
    return level[i] + season[i + h - period * ((h - 1) // period + 1)]


def _band_offsets(
    y: np.ndarray,
    seen: np.ndarray,
    level: np.ndarray,
    season: np.ndarray,
    period: int,
    horizon: int,
    prob: float,
) -> tuple[np.ndarray, np.ndarray] | None:
    """Lower and upper offsets from the mean per step: quantiles of the in-sample errors at
    that step. Origins start after the first season (which is the start itself); targets
    that were filled in are left out. None if no step has enough."""
    n = len(y)
    origins = np.arange(period, n - 1)
    steps = np.arange(1, horizon + 1)
    target = origins[:, None] + steps[None, :]
    inside = target < n
    target = np.minimum(target, n - 1)
    errors = y[target] - step_forecasts(level, season, period, origins, steps)
    errors[~(inside & seen[target])] = np.nan
    enough = np.isfinite(errors).sum(axis=0) >= MIN_BAND_ORIGINS
    if not enough.any():
        return None
    lo, hi = np.nanquantile(errors[:, enough], [(1 - prob) / 2, (1 + prob) / 2], axis=0)
    # Steps past the history's reach reuse the widest step measured; a wider band would be
    # a guess, and a narrower one a promise.
    measured = np.flatnonzero(enough)
    use = np.searchsorted(measured, steps - 1, side="right") - 1
    use = np.maximum(use, 0)
    return lo[use], hi[use]


def fit_states(y: np.ndarray, period: int) -> tuple[np.ndarray, np.ndarray]:
    """Smoothed level and season of an additive Holt-Winters model (no trend) fitted to
    ``y``, statsmodels choosing the smoothing weights.

    It starts from the first season as it was, not from statsmodels' heuristic (an average
    over up to five seasons): then every state is built from past hours only, and the
    model's in-sample forecasts are honest forecasts to measure the band with. No trend term:
    a week ahead the level carries growth, and with a damped trend the optimiser set the
    trend's weight to 0 at three times the fit time (the ADR)."""
    first = y[:period]
    with warnings.catch_warnings():
        # A flat or short series can stop the optimiser early; the weights it found still
        # fit, and the band measures how well.
        warnings.simplefilter("ignore", ConvergenceWarning)
        fit = ExponentialSmoothing(
            y,
            trend=None,
            seasonal="add",
            seasonal_periods=period,
            initialization_method="known",
            initial_level=first.mean(),
            initial_seasonal=first - first.mean(),
        ).fit()
    return np.asarray(fit.level, dtype=float), np.asarray(fit.season, dtype=float)


def forecast_load(
    t: np.ndarray, kw: np.ndarray, horizon_hours: int, *, level: float = 0.9
) -> Forecast | None:
    """Hourly IT load for the next ``horizon_hours`` after the last hour with a reading.

    ``t`` (datetime64, UTC) and ``kw`` are the history, NaN allowed. Returns None with less
    than three days of readings (``MIN_HISTORY_HOURS``: one day to start the daily season
    from, two to fit and to measure the band on), or when more than half the hours of the
    history are missing.

    The band should hold about ``level`` of future hours: at each step ahead it spans the
    ``(1 - level) / 2`` and ``(1 + level) / 2`` quantiles of the errors the model made at
    that step over its own history. Mean and band are clipped at 0 kW.
    """
    if horizon_hours < 1 or not 0 < level < 1:
        raise ValueError("horizon_hours must be at least 1 and level between 0 and 1")
    cleaned = _clean(t, kw)
    if cleaned is None:
        return None
    grid_t, y, seen = cleaned
    period = WEEK_HOURS if len(y) >= WEEKLY_FROM_HOURS else DAY_HOURS
    level_, season_ = fit_states(y, period)
    offsets = _band_offsets(y, seen, level_, season_, period, horizon_hours, level)
    if offsets is None:
        return None
    steps = np.arange(1, horizon_hours + 1)
    mean = step_forecasts(level_, season_, period, np.array([len(y) - 1]), steps)[0]
    season = "weekly" if period == WEEK_HOURS else "daily"
    hour_of = "week" if period == WEEK_HOURS else "day"
    return Forecast(
        t=grid_t[-1] + HOUR * steps,
        mean=np.maximum(mean, 0.0),
        lower=np.maximum(mean + offsets[0], 0.0),
        upper=np.maximum(mean + offsets[1], 0.0),
        level=level,
        model=(
            f"Holt-Winters, additive {season} season (each hour of the {hour_of}),"
            f" {len(y) // DAY_HOURS} days of history"
        ),
        history_points=int(seen.sum()),
        filled_points=int((~seen).sum()),
    )


def mape(actual: np.ndarray, predicted: np.ndarray) -> float:
    """Mean absolute percentage error, in percent; hours where either side is NaN, or the
    actual is 0 (no percentage of nothing), are left out. NaN if none is left."""
    a, p = np.asarray(actual, dtype=float), np.asarray(predicted, dtype=float)
    ok = np.isfinite(a) & np.isfinite(p) & (a != 0)
    if not ok.any():
        return math.nan
    return float(np.mean(np.abs((a[ok] - p[ok]) / a[ok])) * 100)


def holdout_mape(t: np.ndarray, kw: np.ndarray, holdout_hours: int = 168) -> float | None:
    """MAPE of a forecast fitted on all but the last ``holdout_hours`` of the hourly grid,
    against those hours; None when what is left is too short to forecast from."""
    grid_t, y = hourly_grid(t, kw)
    if len(y) <= holdout_hours:
        return None
    head_t, head = grid_t[:-holdout_hours], y[:-holdout_hours]
    seen = np.flatnonzero(np.isfinite(head))
    if not len(seen):
        return None
    # The forecast starts after the head's last reading, so a gap at the cut lengthens it.
    fc = forecast_load(head_t, head, _hours(grid_t[-1] - head_t[seen[-1]]))
    if fc is None:
        return None
    return mape(y[-holdout_hours:], fc.mean[-holdout_hours:])


def _hours(delta: np.timedelta64) -> int:
    return int(delta // HOUR)


def _pct(fraction: float) -> str:
    return f"{fraction * 100:g} %"


def reach_date(
    t: np.ndarray,
    kw: np.ndarray,
    budget_kw: float | None,
    *,
    fraction: float = 0.8,
    now: datetime,
    within_days: int = 365,
) -> ReachDate:
    """The day the load would reach ``fraction`` of ``budget_kw`` at its current trend.

    The trend is a Theil-Sen line (scipy.stats.theilslopes) through the daily peaks: the
    budget is a limit every hour must stay under, so the busiest hour reaches it first (a
    daily mean would name a day too late by the daily swing), and Theil-Sen lets a
    maintenance day or a burn-in test pass without tilting the line as least squares would.
    Days are UTC days before ``now``'s day with at least 18 hours of readings (a partial
    day's peak is too low). "Already above" compares the last full day's peak, a figure the
    operator can see; the date is the first day after it on which the line is at the mark.
    """
    if not budget_kw or budget_kw <= 0:
        return ReachDate(None, "no budget set", None, None)
    mark = fraction * budget_kw
    now_utc = now.astimezone(UTC) if now.tzinfo else now.replace(tzinfo=UTC)
    today = np.datetime64(now_utc.date(), "D")
    grid_t, y = hourly_grid(t, kw)
    days = pd.Series(y, index=pd.DatetimeIndex(grid_t)).resample("D").agg(["max", "count"])
    days = days[(days["count"] >= 18) & (days.index.values.astype("datetime64[D]") < today)]
    if days.empty:
        return ReachDate(None, "no full day of readings yet", None, None)
    day_no = days.index.values.astype("datetime64[D]").astype(np.int64)
    peaks = days["max"].to_numpy(dtype=float)
    current = float(peaks[-1])
    slope = intercept = None
    if len(peaks) >= 7:
        slope, intercept, _, _ = theilslopes(peaks, day_no)
        slope = float(slope)
    if current >= mark:
        return ReachDate(None, f"already above {_pct(fraction)} of budget", slope, current)
    if slope is None:
        return ReachDate(None, "too little history for a trend (7 full days)", None, current)
    not_within = f"not within {_within(within_days)}"
    if slope <= 0:
        return ReachDate(None, not_within, slope, current)
    # The tolerance keeps a crossing that lands on a whole day on that day, not the next.
    crossing = math.ceil((mark - intercept) / slope - 1e-9)
    # Compared as day numbers first: a nearly flat line crosses millennia away, past what a
    # date can hold.
    horizon = int(today.astype(np.int64)) + within_days
    if crossing > horizon:
        return ReachDate(None, not_within, slope, current)
    when = date(1970, 1, 1) + timedelta(days=max(crossing, int(day_no[-1]) + 1))
    if when > now_utc.date() + timedelta(days=within_days):
        return ReachDate(None, not_within, slope, current)
    return ReachDate(when, f"reaches {_pct(fraction)} on {when.isoformat()}", slope, current)


def _within(days: int) -> str:
    return f"{days * 12 // 365} months" if days % 365 == 0 else f"{days} days"
