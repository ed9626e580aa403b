"""Energy alerts through the real alert engine: meter data written through the store, the
ledger run, energy's derived readings published, and the built-in rules judging them."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dcim.alerts import rule_index
from dcim.alerts.models import Alert, Rule, State
from dcim.energy.alerting import COVERAGE_METRIC, PUE_METRIC, publish
from dcim.energy.ledger import update_ledger
from dcim.energy.models import MeterKind
from dcim.energy.tests.samples import every, write
from telemetry import store

pytestmark = pytest.mark.django_db
POWER = "meter_active_power_watts"
PUE_RULE = "PUE above 1.6 over 24 h"
COVERAGE_RULE = "Meter coverage below 90 % over 24 h"


@pytest.fixture(autouse=True)
def _fresh_rule_index():
    """The engine's compiled rules and device facts must not outlive a test."""
    rule_index.invalidate()
    yield
    rule_index.invalidate()


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def meters(site, make_meter):
    """The site's incomer and its IT at UPS output (category 1)."""
    return (
        make_meter("UTIL", MeterKind.UTILITY, POWER),
        make_meter("IT", MeterKind.IT_UPS_OUTPUT, POWER),
    )


def history(meter, now, watts: float, gap: tuple[int, int] | None = None) -> None:
    """26 hours of a meter's power every minute up to ``now``; ``gap`` = (from, to) hours
    before the start of now's hour with no samples."""
    hi = now.replace(minute=0, second=0, microsecond=0)
    points = every(hi - timedelta(hours=26), now, 60, watts)
    if gap:
        lo_gap, hi_gap = hi - timedelta(hours=gap[0]), hi - timedelta(hours=gap[1])
        points = [(t, v) for t, v in points if not lo_gap < t < hi_gap]
    write(meter.device, POWER, "watts", points)


def run(now):
    """What the ledger task does after writing: the ledger, then energy's readings."""
    update_ledger(now=now)
    return publish(now=now)


def open_alerts(rule_name: str) -> list[Alert]:
    return list(Alert.objects.filter(rule__name=rule_name, state__in=(State.FIRING,)))


def test_the_rules_are_built_in_enabled_and_valid_before_any_value_exists(db):
    assert not store.find_series(metric=PUE_METRIC)
    for name in (PUE_RULE, COVERAGE_RULE):
        rule = Rule.objects.get(name=name)
        assert rule.builtin and rule.enabled and rule.description
        rule.full_clean()  # the metric is declared to the alerts catalog: known already
    assert Rule.objects.get(name=PUE_RULE).threshold == 1.6
    assert Rule.objects.get(name=COVERAGE_RULE).threshold == 0.9


def test_a_site_whose_24_hour_pue_is_above_the_threshold_fires(site, meters, now):
    util, it = meters
    history(util, now, 1800.0)
    history(it, now, 1000.0)

    report = run(now)

    assert (report.pue_readings, report.coverage_readings) == (1, 2)
    [alert] = open_alerts(PUE_RULE)
    assert alert.value == pytest.approx(1.8)
    assert (alert.device_id, alert.component) == (util.device_id, "site:energy-test")
    assert alert.summary == "Energy test site: PUE 1.80 over the last 24 h, above 1.6"
    [series] = store.find_series(metric=PUE_METRIC)
    assert (series["device_id"], series["component"]) == (util.device_id, "site:energy-test")
    assert not open_alerts(COVERAGE_RULE)  # both meters covered the whole day


def test_a_site_below_the_threshold_does_not_fire_and_a_later_breach_does(site, meters, now):
    util, it = meters
    earlier = now - timedelta(hours=20)  # the store refuses readings from the future
    history(util, earlier, 1300.0)
    history(it, earlier, 1000.0)
    run(earlier)
    assert not Alert.objects.exists()
    [pue] = store.latest(metric=PUE_METRIC)
    assert pue.value == pytest.approx(1.3)

    # Then the cooling load jumps: 20 hours later most of the day is at the new level, the
    # 24 h PUE is past 1.6, and the same engine fires.
    start = earlier + timedelta(minutes=1)
    write(util.device, POWER, "watts", every(start, now, 60, 2000.0))
    write(it.device, POWER, "watts", every(start, now, 60, 1000.0))
    run(now)
    [alert] = open_alerts(PUE_RULE)
    assert 1.6 < alert.value < 2.0


def test_a_meter_with_a_gap_fires_a_coverage_alert_and_its_pue_is_withheld(site, meters, now):
    util, it = meters
    history(util, now, 1500.0)
    history(it, now, 1000.0, gap=(10, 4))  # 6 of the last 24 hours missing

    report = run(now)

    [alert] = open_alerts(COVERAGE_RULE)
    assert (alert.device_id, alert.component) == (it.device_id, "meter:IT")
    assert alert.value == pytest.approx(0.75, abs=0.01)
    assert (
        alert.summary == f"Energy meter IT on {it.device.name}: data covers 75 % of the last 24 h"
    )
    # 75 % of the day covered by both sums is below the 80 % a figure needs: no PUE value.
    assert report.pue_readings == 0 and not open_alerts(PUE_RULE)
    [fine] = [r for r in store.latest(metric=COVERAGE_METRIC) if r.series_id != alert_series(alert)]
    assert fine.value == pytest.approx(1.0)


def alert_series(alert: Alert) -> int:
    [s] = store.find_series(
        metric=COVERAGE_METRIC, device_id=alert.device_id, component=alert.component
    )
    return s["id"]
