"""The Power & PUE page and its JSON twin (``/energy/``, ``/energy/api/``) on a metered site
fed through the store and the real ledger (``page_site``): power now, PUE per period with
its category and coverage, the reason instead of a number where coverage is low, the
30-day family, pPUE per room, racks and tenants, the outlook, the site choice, the figures
equal to ``manage.py energy --json``, and who may see it."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from dcim.energy.models import BoundaryHour
from dcim.energy.tests.page_html import table_rows, tile
from dcim.energy.tests.page_site import PPUE, in_first_local_hour, seed
from dcim.energy.views import words
from dcim.inventory.tests.factories import make_site
from dcim.ui.tables import unpooled

pytestmark = pytest.mark.django_db
CATEGORY_2 = "Category 2: IT at PDU output"


def energy_json(period: str, site: str = "rhine") -> dict:
    out = StringIO()
    call_command("energy", "--site", site, "--period", period, "--json", stdout=out)
    return json.loads(out.getvalue())


def twin_and_command(client, period: str) -> tuple[dict, dict]:
    """The JSON twin's figures for ``period`` and the command's, read within one hour (at
    an hour's turn both are read again: the figures count the hours that have ended)."""
    for _ in range(2):
        twin = client.get("/energy/api/").json()
        command = energy_json(period)
        if timezone.now().replace(minute=0, second=0, microsecond=0) <= _at(twin):
            return twin, command
    raise AssertionError("the hour turned twice")


def _at(twin: dict) -> datetime:
    return datetime.fromisoformat(twin["generated_at"]).replace(minute=0, second=0, microsecond=0)


def test_anonymous_is_sent_to_login(client):
    for url in ("/energy/", "/energy/api/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"/login/?next={url}"


def test_the_navigation_links_power_and_pue(viewer_client):
    html = viewer_client.get("/").content.decode()
    assert '<a href="/energy/">Power &amp; PUE</a>' in html


def test_nothing_here_changes_state(viewer_client, rhine):
    assert viewer_client.post("/energy/").status_code == 405
    assert viewer_client.post("/energy/api/").status_code == 405


def test_power_now_is_the_meters_latest_power(viewer_client, rhine):
    html = viewer_client.get("/energy/").content.decode()
    assert tile(html, "facility_now") == words.kw(rhine["facility_now_kw"])
    assert tile(html, "it_now") == words.kw(rhine["it_now_kw"])
    # The utility meter is an energy counter: "now" comes from its power sibling.
    assert tile(html, "facility_now_note").startswith("Sum of 1 meter(s), facility input")
    assert tile(html, "it_now_note").startswith("Sum of 2 meter(s), IT at PDU output")


def test_power_now_falls_back_to_the_last_covered_ledger_hour(viewer_client):
    now = timezone.now()
    site = seed(now - timedelta(hours=3))["site"]
    last = (
        BoundaryHour.objects.filter(site=site, room__isnull=True, facility_cov__gte=0.99)
        .order_by("-hour")
        .first()
    )
    html = viewer_client.get("/energy/").content.decode()
    assert tile(html, "facility_now") == words.kw(last.facility_kwh)
    assert tile(html, "it_now") == words.kw(last.it_pdu_kwh)
    local = f"{last.hour.astimezone(ZoneInfo('Europe/Berlin')):%Y-%m-%d %H:%M %Z}"
    assert tile(html, "facility_now_note") == (
        f"Mean of the ledger hour from {local}: 1 of 1 meter(s) "
        "(facility input and on-site generation) have no fresh power reading."
    )


def test_pue_per_period_with_category_and_coverage(viewer_client, rhine):
    html = viewer_client.get("/energy/").content.decode()
    keys = ["today", "7d"]
    if in_first_local_hour(timezone.now()):
        keys.remove("today")
        assert tile(html, "today_label") == "iPUE" and tile(html, "today_value") == "Withheld"
        assert tile(html, "today_category") == ""
        assert tile(html, "today_withheld") == "No complete hour in this period yet."
    for key in keys:
        assert tile(html, f"{key}_label") == "iPUE"  # less than 12 months of data
        assert tile(html, f"{key}_value") == "1.30"
        assert tile(html, f"{key}_category") == CATEGORY_2
        assert re.fullmatch(r"Coverage 100 % \((\d+) of \1 h\)", tile(html, f"{key}_coverage"))
        assert tile(html, f"{key}_withheld") == ""


def test_low_coverage_shows_the_reason_instead_of_a_number(viewer_client, rhine):
    """Nine days of data in 30 days and 12 months: both withheld, with why."""
    twin = viewer_client.get("/energy/api/").json()
    html = viewer_client.get("/energy/").content.decode()
    for key in ("30d", "t12m"):
        reason = twin["figures"][key]["withheld"]
        assert reason.startswith("Coverage ") and "is below 80%" in reason
        assert tile(html, f"{key}_value") == "Withheld"
        assert tile(html, f"{key}_withheld") == reason
        assert re.fullmatch(r"Coverage \d+ % \(\d+ of [\d,]+ h\)", tile(html, f"{key}_coverage"))
    kpis = {r[0]: r for r in table_rows(html, "kpis")}
    for figure in ("iPUE", "DCiE", "CUE", "REF"):
        assert kpis[figure][1] == "Withheld"
        assert kpis[figure][4] == twin["figures"]["30d"]["withheld"]
    periods = {r[0]: r for r in table_rows(html, "periods")}
    assert periods["30 days"][4] == "Withheld"
    assert periods["30 days"][10] == twin["figures"]["30d"]["withheld"]


def test_the_30_day_family_once_coverage_is_enough(viewer_client, rhine, settings):
    settings.ENERGY_MIN_COVERAGE = 0.2
    twin, command = twin_and_command(viewer_client, "30d")
    f = command
    html = viewer_client.get("/energy/").content.decode()
    assert tile(html, "30d_value") == f"{f['pue']:.2f}" == "1.30"
    kpis = {r[0]: r for r in table_rows(html, "kpis")}
    assert kpis["iPUE"][1] == "1.30" and kpis["iPUE"][4] == CATEGORY_2
    assert kpis["DCiE"][1] == f"{f['dcie_percent']:,.1f} %"
    assert kpis["CUE"][1] == f"{f['cue_kg_per_kwh']:,.3f} kg CO2eq/kWh" == "0.520 kg CO2eq/kWh"
    assert kpis["REF"][1] == "0.0 %"
    assert kpis["Energy cost"][1] == f"{f['cost']:,.2f} EUR"
    assert kpis["Energy cost"][3] == f"{f['cost_coverage'] * 100:.0f} %"
    assert kpis["WUE"][4] == "No water meter reports."
    assert tile(html, "cost_30d") == f"{f['cost']:,.2f} EUR"


def test_twin_figures_equal_the_energy_command(viewer_client, rhine, settings):
    """Every period's figures in the JSON twin are the command's, key for key (the
    command adds each room's pPUE to every site period; the page, to 30 days)."""
    settings.ENERGY_MIN_COVERAGE = 0.2
    for key in ("today", "7d", "30d", "t12m"):
        twin, command = twin_and_command(viewer_client, key)
        if key != "30d":
            command.pop("rooms")
        assert twin["figures"][key] == command


def test_page_and_twin_show_the_same_figures(viewer_client, rhine):
    twin = viewer_client.get("/energy/api/").json()
    html = viewer_client.get("/energy/").content.decode()
    for key, value in twin["tiles"].items():
        if not key.endswith("_now_note"):  # "12 s ago" moves between the two requests
            assert tile(html, key) == value, key
    for name, pooled in twin["tables"].items():
        assert table_rows(html, name) == [[c["t"] for c in row] for row in unpooled(pooled)] or (
            not pooled["rows"]
        ), name
    for key, f in twin["figures"].items():
        shown = "Withheld" if f["withheld"] else f"{f['pue']:.2f}"
        assert twin["tiles"][f"{key}_value"] == shown
        assert twin["tiles"][f"{key}_category"] == f["category_words"]


def test_times_are_site_time_with_the_zone(viewer_client, rhine):
    html = viewer_client.get("/energy/").content.decode()
    assert '<strong id="site-tz">Europe/Berlin</strong>' in html
    periods = {r[0]: r for r in table_rows(html, "periods")}
    assert re.fullmatch(r"\d{4}-\d\d-\d\d 00:00 CET", periods["7 days"][1])
    twin = viewer_client.get("/energy/api/").json()
    assert twin["tz"] == "Europe/Berlin" and twin["generated_text"].endswith("CET")


def test_ppue_per_room(viewer_client, rhine, settings):
    settings.ENERGY_MIN_COVERAGE = 0.2
    html = viewer_client.get("/energy/").content.decode()
    [hall] = table_rows(html, "rooms")
    assert hall[:4] == ["Hall 1", "pPUE", f"{PPUE:.2f}", CATEGORY_2]
    twin = viewer_client.get("/energy/api/").json()
    [room] = twin["figures"]["30d"]["rooms"]
    assert room["boundary"] == "Hall 1" and abs(room["pue"] - PPUE) < 1e-9


def test_racks_and_tenants_by_energy_and_cost(viewer_client, rhine):
    twin = viewer_client.get("/energy/api/").json()
    racks = unpooled(twin["tables"]["racks"])
    assert [r[0]["t"] for r in racks] == ["R01", "R02"]  # most energy first
    r01 = racks[0]
    assert r01[0]["h"] == f"/racks/{rhine['racks']['R01'].pk}/"
    assert r01[3]["t"] == f"{r01[3]['v']:,.2f} EUR" and r01[4]["t"] == "EUR"
    assert r01[7]["t"] == "PDU output meters"
    [acme] = unpooled(twin["tables"]["tenants"])
    assert acme[0]["t"] == "Acme AI"
    assert (acme[2]["t"], acme[3]["t"]) == (r01[2]["t"], r01[3]["t"])  # it holds R01


def test_forecast_and_budget_reach_dates(viewer_client, rhine):
    twin = viewer_client.get("/energy/api/").json()
    forecast = [[c["t"] for c in r] for r in unpooled(twin["tables"]["forecast"])]
    assert [r[0] for r in forecast] == ["Next 24 h", "Next 7 days"]
    assert all(r[1].endswith(("CET", "CEST")) and r[8] == "90 %" for r in forecast)
    assert "Holt-Winters" in twin["tiles"]["forecast_note"]
    budget = {
        r[0]: r for r in ([c["t"] for c in row] for row in unpooled(twin["tables"]["budget"]))
    }
    # R01 rises 0.1 kW a day toward 8 kW (80 % of 10 kW); R02 is flat at 4 kW.
    assert re.fullmatch(r"reaches 80 % on \d{4}-\d\d-\d\d", budget["R01"][6])
    assert budget["R02"][6] == "not within 12 months"
    assert budget["Hall 1"][1] == "Room" and budget["Hall 1"][3] == "20 kW"
    chart = twin["charts"]["forecast"]
    assert [t["type"] for t in chart["traces"]] == ["line", "band_low", "band_high", "forecast"]
    assert len(chart["traces"][3]["x"]) == 7 * 24


def test_charts_stack_energy_by_kind_and_draw_daily_pue(viewer_client, rhine):
    twin = viewer_client.get("/energy/api/").json()
    energy, pue = twin["charts"]["energy"], twin["charts"]["pue"]
    assert [t["name"] for t in energy["traces"]] == ["IT", "Cooling", "Losses and unmetered"]
    assert energy["unit"] in ("kWh", "MWh") and energy["tz"] == "Europe/Berlin"
    [line] = pue["traces"]
    drawn = [y for y in line["y"] if y is not None]
    assert drawn and all(abs(y - 1.3) < 1e-3 for y in drawn)
    assert len(line["x"]) == 30 - in_first_local_hour(timezone.now())


def test_site_selector_defaults_to_the_first_site(viewer_client, rhine):
    make_site(name="Zambezi", slug="zambezi", timezone="Africa/Harare")
    html = viewer_client.get("/energy/").content.decode()
    assert '<option value="rhine" selected>Rhine</option>' in html
    assert '<option value="zambezi">Zambezi</option>' in html
    other = viewer_client.get("/energy/?site=zambezi").content.decode()
    assert '<strong id="site-tz">Africa/Harare</strong>' in other
    assert tile(other, "7d_withheld") == "No IT meter reports in this boundary."
    assert tile(other, "it_now") == "No data yet"
    twin = viewer_client.get("/energy/api/?site=zambezi").json()
    assert twin["site"]["slug"] == "zambezi" and twin["tz"] == "Africa/Harare"


def test_an_unknown_site_is_a_404(viewer_client, rhine):
    assert viewer_client.get("/energy/?site=nowhere").status_code == 404
    assert viewer_client.get("/energy/api/?site=nowhere").status_code == 404


def test_without_sites_the_page_says_so(viewer_client):
    html = viewer_client.get("/energy/").content.decode()
    assert "No sites yet" in html
    assert viewer_client.get("/energy/api/").json()["site"] is None


def test_csv_links_name_the_site_and_table(viewer_client, rhine):
    html = viewer_client.get("/energy/").content.decode()
    for name in ("periods", "kpis", "days", "rooms", "racks", "tenants", "forecast", "budget"):
        assert f'href="/energy/export.csv?site=rhine&amp;table={name}" data-csv="{name}"' in html
