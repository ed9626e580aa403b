"""Load forecasts and budget dates on synthetic histories: no database, under a few seconds.

The synthetic load is what the ADR's numbers (docs/decisions/0019-energy-forecasts.md) were
measured on: 500 kW, a daily swing, weekday levels and a flatter weekend, slow growth, and
AR(1) noise (hour-to-hour noise that lingers, as real load does).
"""

from datetime import UTC, date, datetime

import numpy as np
import pytest
from statsmodels.tsa.holtwinters import ExponentialSmoothing

from dcim.energy.forecast import (
    HOUR,
    fill_gaps,
    forecast_load,
    holdout_mape,
    mape,
    reach_date,
    step_forecasts,
)

WEEKDAY = np.array([0.0, 0.02, 0.03, 0.02, 0.0, -0.08, -0.10])  # Monday .. Sunday
MONDAY = "2026-01-05T00:00:00"


def synthetic_load(
    days: int = 28, seed: int = 1, *, weekly: bool = True, start: str = MONDAY
) -> tuple[np.ndarray, np.ndarray]:
    """Hourly (t, kW) from ``start`` (a Monday) for ``days`` days."""
    rng = np.random.default_rng(seed)
    n = days * 24
    hour = np.arange(n) % 24
    dow = (np.arange(n) // 24) % 7
    swing = np.where(dow >= 5, 0.04, 0.08)
    shape = swing * np.sin(2 * np.pi * (hour - 9) / 24) + (WEEKDAY[dow] if weekly else 0.0)
    noise = np.zeros(n)
    shocks = rng.normal(0, 0.015, n)
    for i in range(1, n):
        noise[i] = 0.6 * noise[i - 1] + shocks[i]
    kw = 500 * (1 + shape + noise) + 0.2 * np.arange(n) / 24
    return np.datetime64(start, "s") + np.arange(n) * HOUR, kw


# -- forecasts ---------------------------------------------------------------------------------


def test_holdout_mape_under_5_percent():
    t, kw = synthetic_load(28)
    assert holdout_mape(t, kw, 168) < 5
    assert holdout_mape(t, kw, 24) < 5


def test_band_holds_most_held_out_hours():
    # Three histories pooled: one week's coverage swings with the noise of that week.
    inside = []
    for seed in (1, 2, 3):
        t, kw = synthetic_load(28, seed)
        fc = forecast_load(t[:-168], kw[:-168], 168, level=0.9)
        actual = kw[-168:]
        inside.append((actual >= fc.lower) & (actual <= fc.upper))
    assert np.concatenate(inside).mean() >= 0.8


@pytest.mark.parametrize("horizon", [24, 168])
def test_forecast_is_hourly_after_the_history(horizon):
    t, kw = synthetic_load(21)
    fc = forecast_load(t, kw, horizon)
    assert len(fc.t) == len(fc.mean) == len(fc.lower) == len(fc.upper) == horizon
    assert fc.t.dtype == np.dtype("datetime64[s]")
    assert fc.t[0] == t[-1] + HOUR
    assert (np.diff(fc.t) == HOUR).all()
    assert (fc.lower <= fc.mean).all() and (fc.mean <= fc.upper).all()
    assert fc.level == 0.9 and fc.history_points == 21 * 24 and fc.filled_points == 0
    assert (
        fc.model
        == "Holt-Winters, additive weekly season (each hour of the week), 21 days of history"
    )


def test_a_partial_last_hour_is_that_hours_mean():
    t, kw = synthetic_load(7)
    t = np.append(t, t[-1] + np.timedelta64(37 * 60, "s"))
    kw = np.append(kw, kw[-1])
    fc = forecast_load(t, kw, 24)
    assert fc.t[0] == t[-2] + HOUR
    assert fc.history_points == 7 * 24


def test_under_two_weeks_uses_a_daily_season():
    t, kw = synthetic_load(10)
    assert "daily season" in forecast_load(t, kw, 24).model


def test_gaps_are_filled_not_fatal():
    t, kw = synthetic_load(28)
    kw = kw.copy()
    # 30 lone hours between the missing day and the held-out week, and all of day 10.
    kw[np.random.default_rng(7).choice(np.arange(11 * 24, 21 * 24), 30, replace=False)] = np.nan
    missing_day = np.arange(10 * 24, 11 * 24)
    t, kw = np.delete(t, missing_day), np.delete(kw, missing_day)
    fc = forecast_load(t[:-168], kw[:-168], 168)
    assert fc.filled_points == 24 + 30
    assert np.isfinite(fc.mean).all() and np.isfinite(fc.lower).all()
    assert holdout_mape(t, kw, 168) < 5
    kw[-170:-168] = np.nan  # a gap right at the cut: the forecast starts before it
    assert holdout_mape(t, kw, 168) < 5


def test_a_missing_afternoon_is_filled_with_an_afternoon():
    t, kw = synthetic_load(7, weekly=False)
    gap = kw.copy()
    afternoon = np.arange(3 * 24 + 12, 3 * 24 + 18)
    gap[afternoon] = np.nan
    filled = fill_gaps(t, gap)
    assert np.isfinite(filled).all()
    assert mape(kw[afternoon], filled[afternoon]) < 3
    # A straight line between the edges would miss the afternoon's peak.
    line = np.interp(
        afternoon, [afternoon[0] - 1, afternoon[-1] + 1], kw[[afternoon[0] - 1, afternoon[-1] + 1]]
    )
    assert mape(kw[afternoon], filled[afternoon]) < mape(kw[afternoon], line)


def test_too_little_history_is_refused():
    t, kw = synthetic_load(3)
    assert forecast_load(t[:-1], kw[:-1], 24) is None
    assert forecast_load(t, kw, 24) is not None
    t8, kw8 = synthetic_load(8)
    kw8 = kw8.copy()
    kw8[: 5 * 24] = np.nan
    kw8[: 5 * 24 : 6] = 500.0  # readings now and then: the grid is mostly guesses
    assert forecast_load(t8, kw8, 24) is None
    assert holdout_mape(t, kw, 168) is None


def test_step_forecasts_are_statsmodels_forecasts_but_for_its_season_bug():
    """The band's in-sample forecasts and the mean come from ``step_forecasts``: equal to
    statsmodels' one-step fitted values and its forecast, except a whole season ahead, where
    statsmodels (issue #9538) uses the season's value from before the last update."""
    y = synthetic_load(21)[1]
    first = y[:168]
    fit = ExponentialSmoothing(
        y,
        seasonal="add",
        seasonal_periods=168,
        initialization_method="known",
        initial_level=first.mean(),
        initial_seasonal=first - first.mean(),
    ).fit()
    steps = np.arange(1, 201)
    ours = step_forecasts(fit.level, fit.season, 168, np.array([len(y) - 1]), steps)[0]
    other = steps != 168
    np.testing.assert_allclose(ours[other], fit.forecast(200)[other])
    assert ours[167] == pytest.approx(fit.level[-1] + fit.season[-1])
    one_step = step_forecasts(fit.level, fit.season, 168, np.arange(168, len(y) - 1), steps[:1])
    np.testing.assert_allclose(one_step[:, 0], fit.fittedvalues[169:])


def test_mape_leaves_out_nan_and_zero_actuals():
    actual, predicted = np.array([100.0, np.nan, 0.0, 200.0]), np.array([110.0, 5.0, 3.0, 190.0])
    assert mape(actual, predicted) == pytest.approx(7.5)
    assert np.isnan(mape(np.array([0.0]), np.array([1.0])))


# -- the day a budget is reached ---------------------------------------------------------------


def daily_peaks(peaks: np.ndarray, start: str = "2026-01-01") -> tuple[np.ndarray, np.ndarray]:
    """Hourly load whose peak on day d (14:00) is ``peaks[d]``, half a kW lower per hour
    away from it."""
    hour = np.arange(len(peaks) * 24)
    kw = np.repeat(peaks, 24) - 0.5 * np.abs(hour % 24 - 14)
    return np.datetime64(start, "s") + hour * HOUR, kw


NOW = datetime(2026, 1, 31, 8, tzinfo=UTC)


def test_a_rising_trend_reaches_80_percent_on_the_day_worked_out_by_hand():
    # Peaks 100 kW on 1 January, +1 kW a day: 160 kW (80 % of 200) on day 60, 2 March.
    t, kw = daily_peaks(100.0 + np.arange(30))
    # This morning's hours (a partial day) and a maintenance day do not move it.
    kw[10 * 24 : 11 * 24] = 40.0
    t = np.append(t, np.datetime64("2026-01-31T00:00:00", "s") + np.arange(8) * HOUR)
    kw = np.append(kw, np.full(8, 20.0))
    r = reach_date(t, kw, 200.0, now=NOW)
    assert r.date == date(2026, 3, 2)
    assert r.words == "reaches 80 % on 2026-03-02"
    assert r.slope_kw_per_day == pytest.approx(1.0)
    assert r.current_kw == 129.0


def test_a_flat_load_is_not_within_12_months():
    rng = np.random.default_rng(3)
    t, kw = daily_peaks(120.0 + rng.normal(0, 2, 30))
    r = reach_date(t, kw, 200.0, now=NOW)
    assert (r.date, r.words) == (None, "not within 12 months")
    t, kw = daily_peaks(np.full(30, 120.0))
    r = reach_date(t, kw, 200.0, now=NOW, within_days=730)
    assert (r.date, r.words, r.slope_kw_per_day) == (None, "not within 24 months", 0.0)


def test_a_slow_rise_past_the_window_is_not_within_it():
    t, kw = daily_peaks(100.0 + np.arange(30))
    r = reach_date(t, kw, 200.0, now=NOW, within_days=20)
    assert (r.date, r.words) == (None, "not within 20 days")


def test_a_nearly_flat_rise_crossing_past_any_date_is_not_within_the_window():
    # +1e-9 kW a day from 100 kW: 160 kW in 6e10 days, beyond the last date Python can
    # hold (year 9999). Seen on a running demo whose history was cut short.
    t, kw = daily_peaks(100.0 + 1e-9 * np.arange(30))
    r = reach_date(t, kw, 200.0, now=NOW)
    assert (r.date, r.words) == (None, "not within 12 months")
    assert r.slope_kw_per_day == pytest.approx(1e-9)


def test_already_above():
    t, kw = daily_peaks(np.full(30, 170.0))
    r = reach_date(t, kw, 200.0, now=NOW)
    assert (r.date, r.words, r.current_kw) == (None, "already above 80 % of budget", 170.0)
    assert r.slope_kw_per_day == 0.0
    assert reach_date(t, kw, 200.0, fraction=0.9, now=NOW).words == "not within 12 months"


def test_no_full_day_of_readings():
    t, kw = daily_peaks(np.array([100.0]))
    r = reach_date(t[:12], kw[:12], 200.0, now=NOW)
    assert (r.date, r.words, r.current_kw) == (None, "no full day of readings yet", None)
    r = reach_date(t[:0], kw[:0], 200.0, now=NOW)
    assert r.words == "no full day of readings yet"


def test_a_short_history_has_no_trend_yet():
    t, kw = daily_peaks(100.0 + np.arange(5), start="2026-01-26")
    r = reach_date(t, kw, 200.0, now=NOW)
    assert (r.date, r.current_kw) == (None, 104.0)
    assert r.words == "too little history for a trend (7 full days)"


@pytest.mark.parametrize("budget", [0, 0.0, None])
def test_no_budget(budget):
    t, kw = daily_peaks(100.0 + np.arange(30))
    assert reach_date(t, kw, budget, now=NOW).words == "no budget set"
