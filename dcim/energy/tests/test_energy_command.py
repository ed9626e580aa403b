"""``manage.py energy``: its JSON is exactly the figures the page shows."""

import json
from datetime import UTC, datetime, time, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from dcim.energy.figures import compute
from dcim.energy.ledger import update_ledger
from dcim.energy.models import MeterKind
from dcim.energy.periods import period
from dcim.energy.tests.samples import every, write

WATTS = "meter_active_power_watts"


@pytest.fixture
def metered(site, room, make_meter):
    """Yesterday-but-one, 06:00–12:00 site time: 1.3 kW in, 1 kW IT in Hall 1."""
    day = (timezone.now() - timedelta(days=2)).astimezone(ZoneInfo(site.timezone)).date()
    start = datetime.combine(day, time(6), ZoneInfo(site.timezone)).astimezone(UTC)
    end = start + timedelta(hours=6)
    fac = make_meter("F", MeterKind.UTILITY, WATTS)
    it = make_meter("IT", MeterKind.IT_PDU_OUTPUT, WATTS, room=room)
    cool = make_meter("Cooling", MeterKind.COOLING, WATTS, room=room)
    span = (start - timedelta(minutes=10), end + timedelta(minutes=10))
    write(fac.device, WATTS, "watts", every(*span, 300, 1300.0))
    write(it.device, WATTS, "watts", every(*span, 300, 1000.0))
    write(cool.device, WATTS, "watts", every(*span, 300, 200.0))
    update_ledger(now=end + timedelta(minutes=30))
    return day


def _json(*args) -> dict:
    out = StringIO()
    call_command("energy", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def _plain(d: dict) -> dict:
    return json.loads(json.dumps(d))


def test_json_is_the_figures_of_the_same_call(site, room, metered):
    got = _json("--site", site.slug, "--start", f"{metered}T06:00", "--end", f"{metered}T12:00")
    p = period(
        "custom",
        site.timezone,
        now=timezone.now(),
        start=datetime.combine(metered, time(6)),
        end=datetime.combine(metered, time(12)),
    )
    site_figures = compute(site, p, now=timezone.now())
    room_figures = compute(site, p, room=room, now=timezone.now())
    assert got == _plain({**site_figures.as_dict(), "rooms": [room_figures.as_dict()]})
    assert got["category"] == "PUE2" and got["coverage"] == 1.0
    assert got["pue"] == pytest.approx(1.3)
    assert got["rooms"][0]["label"] == "pPUE" and got["rooms"][0]["pue"] == pytest.approx(1.2)


def test_boundary_gives_the_rooms_figures(site, room, metered):
    got = _json(
        "--site", site.name, "--boundary", "hall 1", "--period", "day", "--start", str(metered)
    )
    p = period("day", site.timezone, now=timezone.now(), on=metered)
    assert got == _plain(compute(site, p, room=room, now=timezone.now()).as_dict())
    assert "rooms" not in got


def test_an_offset_time_is_taken_as_given(site, metered):
    local = _json("--site", site.slug, "--start", f"{metered}T06:00", "--end", f"{metered}T12:00")
    offset = _json(
        "--site", site.slug, "--start", f"{metered}T05:00Z", "--end", f"{metered}T11:00+00:00"
    )
    assert offset == local  # Berlin is UTC+1 in winter


def test_table_reads_without_json(site, metered):
    out = StringIO()
    call_command(
        "energy", "--site", site.slug, "--period", "day", "--start", str(metered), stdout=out
    )
    text = out.getvalue()
    assert "iPUE" in text and "Category 2" in text and "Hall 1" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--site", "nowhere", "--period", "7d"], "No site 'nowhere'"),
        (["--site", "energy-test", "--period", "7d", "--boundary", "Hall 9"], "No room 'Hall 9'"),
        (["--site", "energy-test", "--start", "2026-13-01", "--end", "2026-12-02"], "--start"),
        (["--site", "energy-test", "--start", "2026-12-02", "--end", "2026-12-01"], "ends before"),
        (["--site", "energy-test", "--start", "2026-12-02"], "both --start and --end"),
        (["--site", "energy-test", "--period", "30d", "--start", "2026-12-02"], "no --start"),
    ],
)
def test_bad_input_is_a_clear_error(site, room, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("energy", *args, "--json", stdout=StringIO())
