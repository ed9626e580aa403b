"""The measurements behind docs/decisions/0019-energy-forecasts.md: load-forecast options on
the synthetic histories of dcim/energy/tests/test_forecast.py. No database, no Django.

    .venv/bin/python -m bench.forecast_options [seeds]

Each option is fitted on 21 days and forecasts the next 7 (168 h), for ``seeds`` histories
(20 unless given, as in the ADR) of three kinds: the tests' load (daily swing, weekday
levels, flatter weekend, AR(1) noise), the same with +40 kW (8 %) from 3 days before the
cut (a new cluster), and the same without the weekly pattern. Printed per option and kind: MAPE over
168 h (mean and 90th percentile over histories) and over the first 24 h, the share of
held-out hours inside a 90 % band where the option has one; then the time of one fit and
168-hour forecast on 30 days (720 h).
"""

from __future__ import annotations

import sys
import time
import warnings
from collections.abc import Callable

import numpy as np
from statsmodels.tsa.ar_model import AutoReg
from statsmodels.tsa.holtwinters import ExponentialSmoothing
from statsmodels.tsa.seasonal import MSTL
from statsmodels.tsa.statespace.structural import UnobservedComponents

from dcim.energy import forecast as fc
from dcim.energy.tests.test_forecast import synthetic_load

H = 168
Band = tuple[np.ndarray, np.ndarray | None, np.ndarray | None]


def _hw(y: np.ndarray, period: int, init: str, **kw) -> object:
    first = y[:period]
    if init == "known":
        kw |= {"initial_level": first.mean(), "initial_seasonal": first - first.mean()}
    return ExponentialSmoothing(
        y, seasonal="add", seasonal_periods=period, initialization_method=init, **kw
    ).fit()


def chosen(y: np.ndarray, t: np.ndarray) -> Band:
    f = fc.forecast_load(t, y, H)
    return f.mean, f.lower, f.upper


def chosen_simulated_band(y: np.ndarray, t: np.ndarray) -> Band:
    fit = _hw(y, 168, "known")
    sims = np.asarray(fit.simulate(H, repetitions=1000, error="add", anchor="end"))
    lo, hi = np.quantile(sims, [0.05, 0.95], axis=1)
    return fc.forecast_load(t, y, H).mean, lo, hi


def hw_heuristic(y: np.ndarray, t: np.ndarray, period: int = 168) -> Band:
    """Heuristic start, band from its in-sample errors (the start saw those hours)."""
    fit = _hw(y, period, "heuristic")
    level, season = np.asarray(fit.level), np.asarray(fit.season)
    lo, hi = fc._band_offsets(y, np.ones(len(y), bool), level, season, period, H, 0.9)
    mean = fc.step_forecasts(level, season, period, np.array([len(y) - 1]), np.arange(1, H + 1))[0]
    return mean, mean + lo, mean + hi


def hw_daily(y: np.ndarray, t: np.ndarray) -> Band:
    return hw_heuristic(y, t, 24)


def hw_estimated(y: np.ndarray, t: np.ndarray) -> Band:
    return np.asarray(_hw(y, 168, "estimated").forecast(H)), None, None


def hw_damped_trend(y: np.ndarray, t: np.ndarray) -> Band:
    fit = _hw(y, 168, "known", trend="add", damped_trend=True, initial_trend=0.0)
    return np.asarray(fit.forecast(H)), None, None


def _ar(y: np.ndarray, exog: np.ndarray | None = None, **kw) -> Band:
    n = len(y)
    fit = AutoReg(y, lags=[1, 2], exog=None if exog is None else exog[:n], **kw).fit()
    p = fit.get_prediction(n, n + H - 1, exog_oos=None if exog is None else exog[n:])
    ci = p.conf_int(alpha=0.1)
    return np.asarray(p.predicted_mean), ci[:, 0], ci[:, 1]


def _hour_and_weekday(n: int) -> np.ndarray:
    at = np.arange(n + H)  # the histories start on a Monday at midnight
    hour, dow = at % 24, (at // 24) % 7
    return np.column_stack(
        [hour == k for k in range(1, 24)] + [dow == k for k in range(1, 7)]
    ).astype(float)


def ar_hour_of_week(y: np.ndarray, t: np.ndarray) -> Band:
    return _ar(y, seasonal=True, period=168)


def ar_hour_and_weekday(y: np.ndarray, t: np.ndarray) -> Band:
    return _ar(y, _hour_and_weekday(len(y)))


def uc_daily_weekday(y: np.ndarray, t: np.ndarray) -> Band:
    n, x = len(y), _hour_and_weekday(len(y))[:, 23:]
    fit = UnobservedComponents(
        y, level="local level", freq_seasonal=[{"period": 24, "harmonics": 4}], exog=x[:n]
    ).fit(disp=False)
    p = fit.get_forecast(H, exog=x[n:])
    ci = np.asarray(p.conf_int(alpha=0.1))
    return np.asarray(p.predicted_mean), ci[:, 0], ci[:, 1]


def mstl_ar(y: np.ndarray, t: np.ndarray) -> Band:
    s = np.asarray(MSTL(y, periods=(24, 168)).fit().seasonal)
    mean, lo, hi = _ar(y - s.sum(axis=1))
    ahead = np.tile(s[-24:, 0], H // 24) + s[-168:, 1]
    return mean + ahead, lo + ahead, hi + ahead


def seasonal_naive(y: np.ndarray, t: np.ndarray) -> Band:
    return y[-H:], None, None


OPTIONS: dict[str, Callable[[np.ndarray, np.ndarray], Band]] = {
    "seasonal naive (last week)": seasonal_naive,
    "HW daily season, heuristic start": hw_daily,
    "HW weekly season, heuristic start": hw_heuristic,
    "HW weekly season, estimated start": hw_estimated,
    "HW weekly season + damped trend": hw_damped_trend,
    "HW weekly, first-week start (chosen)": chosen,
    "  same, band from simulate()": chosen_simulated_band,
    "AutoReg(2) + hour-of-week dummies": ar_hour_of_week,
    "AutoReg(2) + hour + weekday dummies": ar_hour_and_weekday,
    "UC level + daily trig + weekday": uc_daily_weekday,
    "MSTL(24, 168) + AutoReg(2)": mstl_ar,
}


def history(kind: str, seed: int, days: int = 28) -> tuple[np.ndarray, np.ndarray]:
    t, kw = synthetic_load(days, seed, weekly=kind != "no weekly")
    if kind == "step":
        kw = kw.copy()
        kw[-(H + 72) :] += 40.0
    return t, kw


def main(seeds: int = 20) -> None:
    warnings.simplefilter("ignore")  # statsmodels' convergence and rank notes, not results
    print(f"{'option':38s} {'kind':9s}  MAPE168  p90  MAPE24  in 90% band")
    for name, option in OPTIONS.items():
        for kind in ("weekly", "step", "no weekly"):
            m168, m24, inside = [], [], []
            for seed in range(1, seeds + 1):
                t, kw = history(kind, seed)
                mean, lo, hi = option(kw[:-H], t[:-H])
                actual = kw[-H:]
                m168.append(fc.mape(actual, mean))
                m24.append(fc.mape(actual[:24], mean[:24]))
                if lo is not None:
                    inside.append(np.mean((actual >= lo) & (actual <= hi)))
            band = f"{np.mean(inside):.2f}" if inside else "-"
            print(
                f"{name:38s} {kind:9s} {np.mean(m168):6.2f} {np.quantile(m168, 0.9):6.2f}"
                f" {np.mean(m24):6.2f}  {band}"
            )
    t, kw = synthetic_load(30, 5)
    print("\nfit + 168 h forecast on 720 h, median of 15:")
    for name, option in OPTIONS.items():
        times = []
        for _ in range(15):
            start = time.perf_counter()
            option(kw, t)
            times.append(time.perf_counter() - start)
        print(f"{name:38s} {np.median(times) * 1000:6.0f} ms")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:]))
