"""Power & PUE in a real browser: reached from the navigation, it shows each period's PUE
with its category and coverage, or the reason it is withheld, exactly as ``manage.py energy
--json`` states them; its charts draw and live refresh keeps the figures. A screenshot goes
to test-artifacts/screenshots/energy/overview.png."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from dcim.energy.tests.page_site import in_first_local_hour, seed
from tests.browser.conftest import SCREENSHOTS, shot

pytestmark = pytest.mark.slow


@pytest.fixture
def rhine():
    cache.clear()  # the page keeps ledger-derived parts in the cache
    yield seed(timezone.now())
    cache.clear()


def energy_json(period: str) -> dict:
    out = StringIO()
    call_command("energy", "--site", "rhine", "--period", period, "--json", stdout=out)
    return json.loads(out.getvalue())


def coverage_words(f: dict) -> str:
    return (
        f"Coverage {f['coverage'] * 100:.0f} % ({f['covered_hours']:,} of {f['elapsed_hours']:,} h)"
    )


def card(pg, key: str) -> dict[str, str]:
    """What a person reads on one period's PUE card."""
    c = pg.locator(f"#pue-{key}")
    return {
        name: c.locator(f"[data-{name}]").inner_text()
        for name in ("pue", "category", "coverage", "withheld")
    }


def read_with_command(pg) -> tuple[dict, dict]:
    """The cards and the command's figures, read within one hour (the figures count the
    hours that have ended): at an hour's turn, the page is read again."""
    for _ in range(2):
        hour = timezone.now().replace(minute=0, second=0, microsecond=0)
        pg.reload()
        cards = {k: card(pg, k) for k in ("today", "7d", "30d", "t12m")}
        command = {k: energy_json(k) for k in cards}
        if timezone.now().replace(minute=0, second=0, microsecond=0) == hour:
            return cards, command
    raise AssertionError("the hour turned twice")


def test_power_and_pue_shows_what_the_energy_command_states(page, rhine):
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(page.base + "/")
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Power & PUE").click()
    page.wait_for_url(f"{page.base}/energy/")
    assert page.locator("h1").inner_text() == "Power & PUE"
    assert page.locator("#site-tz").inner_text() == "Europe/Berlin"

    cards, command = read_with_command(page)
    keys = ["today", "7d"]
    if in_first_local_hour(timezone.now()):
        keys.remove("today")
        assert command["today"]["withheld"] == "No complete hour in this period yet."
        assert cards["today"]["pue"] == "Withheld"
        assert cards["today"]["withheld"] == command["today"]["withheld"]
    for key in keys:
        f = command[key]
        assert not f["withheld"]
        assert cards[key]["pue"] == f"{f['pue']:.2f}" == "1.30"
        assert cards[key]["category"] == f["category_words"] == "Category 2: IT at PDU output"
        assert cards[key]["coverage"] == coverage_words(f)
    for key in ("30d", "t12m"):  # nine days of data: too little of either period
        f = command[key]
        assert f["withheld"]
        assert cards[key]["pue"] == "Withheld"
        assert cards[key]["withheld"] == f["withheld"]
        assert cards[key]["coverage"] == coverage_words(f)

    page.wait_for_function("document.querySelector('#energy-chart').dataset.traces === '3'")
    page.wait_for_function("document.querySelector('#pue-chart').dataset.traces === '1'")
    page.wait_for_function("document.querySelector('#forecast-chart').dataset.traces === '4'")
    assert page.locator("#energy-chart .main-svg").count() > 0

    # A live refresh (every second in tests) redraws from the JSON twin: same figures.
    page.wait_for_function("document.querySelector('[data-live-url]').dataset.updated")
    assert card(page, "7d") == cards["7d"]
    assert page.locator("#racks tbody tr").first.locator("th").inner_text() == "R01"

    (SCREENSHOTS / "energy").mkdir(parents=True, exist_ok=True)
    shot(page, "energy/overview")
    assert errors == []
