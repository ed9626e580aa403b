"""The ledger task warms the Power & PUE page's cache: after a run, the page's JSON request
reads figures, trend, attribution, forecast and reach dates from the cache (it runs only
the queries a fully warm request runs), and a failure while warming never fails the run."""

from __future__ import annotations

import logging

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dcim.energy import tasks
from dcim.energy.models import Meter, MeterKind
from dcim.energy.views import warming
from dcim.inventory.tests.factories import make_device, make_site

pytestmark = pytest.mark.django_db


def queries_of(client, url: str = "/energy/api/?site=rhine") -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in captured.captured_queries]


def within_one_hour(steps):
    """Run ``steps`` again if the hour turned meanwhile (the page's keys name the hour)."""
    for _ in range(2):
        hour = timezone.now().replace(minute=0, second=0, microsecond=0)
        out = steps()
        if timezone.now().replace(minute=0, second=0, microsecond=0) == hour:
            return out
    raise AssertionError("the hour turned twice")


def test_after_a_run_the_page_computes_nothing_from_the_ledger(viewer_client, rhine):
    make_site(name="Empty", slug="empty")  # no meters: nothing to warm

    def steps():
        cache.clear()
        cold = queries_of(viewer_client)
        cache.clear()
        result = tasks.run()
        after_run = queries_of(viewer_client)
        warm = queries_of(viewer_client)
        return result, cold, after_run, warm

    result, cold, after_run, warm = within_one_hour(steps)
    assert result["warmed_sites"] == ["rhine"]
    assert len(after_run) == len(warm) < len(cold)
    # Attribution's and the reach dates' reads of hourly energy, and the forecast's
    # history, are among the cold request's queries only.
    assert any("energy_energyhour" in q for q in cold)
    assert not any("energy_energyhour" in q for q in after_run)


@pytest.mark.parametrize("table", ["racks", "budget"])
def test_the_csv_of_racks_and_of_reach_dates_is_warm_too(viewer_client, rhine, table):
    url = f"/energy/export.csv?site=rhine&table={table}"

    def steps():
        tasks.run()
        return queries_of(viewer_client, url), queries_of(viewer_client, url)

    after_run, warm = within_one_hour(steps)
    assert len(after_run) == len(warm)


def test_a_failure_while_warming_is_logged_and_the_run_goes_on(
    viewer_client, rhine, monkeypatch, caplog
):
    """One site failing leaves the others warmed and the ledger run's result intact."""
    other = seed_other_site()
    real_warm = warming.warm

    def warm_failing_for_rhine(site, now):
        if site.slug == "rhine":
            raise RuntimeError("boom")
        real_warm(site, now)

    monkeypatch.setattr(warming, "warm", warm_failing_for_rhine)
    with caplog.at_level(logging.ERROR, logger="dcim.energy.views.warming"):
        result = tasks.run()
    assert result["warmed_sites"] == [other.slug]
    assert result["coverage_readings"] >= 1  # the alerting step ran and its result came back
    assert "warming the Power & PUE page of site rhine failed" in caplog.text
    assert "boom" in caplog.text


def seed_other_site():
    """A second site with one enabled meter and no history yet."""
    site = make_site(name="Alster", slug="alster", timezone="Europe/Berlin")
    device = make_device(name="Alster utility", site=site)
    Meter.objects.create(
        name="Alster utility", kind=MeterKind.UTILITY, site=site, device=device,
        metric="meter_active_power_watts",
    )  # fmt: skip
    return site
