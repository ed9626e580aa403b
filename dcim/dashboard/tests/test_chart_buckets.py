"""The rule for partial buckets and first-minute charts (dcim/dashboard/buckets.py):
known answers on the rule itself, then through the store and the chart endpoints with
series that start mid-bucket and with only one or two samples."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from dcim.dashboard import buckets
from dcim.dashboard.tests.conftest import add_device, ingest
from dcim.inventory.choices import DeviceRole
from dcim.inventory.models import DeviceType, Rack, Room, Site
from telemetry import store
from telemetry.models import CollectionTarget
from telemetry.readings import Reading

FIVE = timedelta(minutes=5)
PARIS = ZoneInfo("Europe/Paris")
AIR = "cooling_supply_air_temperature_celsius", "cooling_return_air_temperature_celsius"
T0 = datetime(2025, 6, 1, 1, 0, tzinfo=UTC)  # 03:00 in Paris


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def reasons(starts, now, firsts, counts=None, read_from=None) -> list[str]:
    return buckets.partial_reasons(
        starts,
        FIVE,
        now=now,
        read_from=read_from or starts[0],
        firsts=firsts,
        tolerance=timedelta(seconds=45),
        tz=PARIS,
        counts=counts,
        what="PDU series",
    )


def test_first_bucket_begun_mid_bucket_and_the_open_one_are_partial():
    starts = [at(0), at(5), at(10)]
    got = reasons(starts, now=at(12), firsts={0: at(1.5)})
    assert got == [
        "partial: data began 03:01:30, mid-bucket",
        "",
        "partial: still open, 2.0 of 5 min so far",
    ]


def test_a_first_sample_within_one_and_a_half_intervals_is_a_full_bucket():
    assert reasons([at(0), at(5)], now=at(20), firsts={0: at(0.7)}) == ["", ""]


def test_data_back_after_a_gap_mid_bucket_is_partial_and_unknown_is_not():
    starts = [at(0), at(5), at(20), at(25)]
    assert buckets.run_starts(starts, FIVE) == [0, 2]
    assert buckets.run_starts(starts, FIVE, downsampled=True) == [0]
    got = reasons(starts, now=at(40), firsts={0: None, 2: at(22)})
    assert got == ["", "", "partial: data began 03:22:00, mid-bucket", ""]


def test_a_bucket_cut_by_the_charts_start_is_partial():
    got = reasons([at(0), at(5)], now=at(30), firsts={0: at(2)}, read_from=at(2))
    assert got[0] == "partial: cut by the chart's start at 03:02:00" and got[1] == ""


def test_a_sum_missing_some_series_is_partial():
    got = reasons([at(0), at(5), at(10)], now=at(30), firsts={0: at(0)}, counts=[2, 1, 2])
    assert got == ["", "partial: 1 of 2 PDU series", ""]


def test_split_trace_puts_partial_points_apart():
    trace = {"name": "x", "x": [1, 2, 3], "y": [10, 20, 30], "customdata": [1, 2, 2]}
    out = buckets.split_trace(trace, ["partial: a", "", "partial: b"])
    assert out == {
        "name": "x",
        "x": [2],
        "y": [20],
        "customdata": [2],
        "partial": {"x": [1, 3], "y": [10, 30], "why": ["partial: a", "partial: b"]},
    }
    assert buckets.split_trace(trace, ["", "", ""]) is trace


def test_too_little_data_says_so():
    began = at(1.2)
    assert buckets.few_note(1, 1, began, PARIS, live=True) == (
        "Collecting since 03:01 — 1 point so far, 1 partial (hollow)."
    )
    two = "Collecting since 03:01 — 2 points so far."
    assert buckets.few_note(2, 0, began, PARIS, live=True) == two
    assert buckets.few_note(2, 0, began, PARIS, live=False) == (
        "Only 2 points in this range, from 2025-06-01 03:01."
    )
    assert buckets.few_note(6, 1, began, PARIS, live=True) == ""  # 5 complete: enough


# -- through the store and the endpoints ------------------------------------------------


@pytest.fixture
def place(db, device_types):
    """One site (so the Overview shows its zone), a rack with a PDU polled every 30 s and
    a GPU server polled every 30 s; nothing stored yet."""
    site = Site.objects.create(name="Lab", slug="lab", timezone="Europe/Paris")
    rack = Rack.objects.create(room=Room.objects.create(site=site, name="Hall"), name="R1")
    pdu = add_device("pdu-r1", device_types["pdu"], site, rack)
    host = add_device("gpu-r1", device_types["gpu"], site, rack, gpus=1)
    for d in (pdu, host):
        CollectionTarget.objects.create(device=d, protocol="snmp", address=d.name, interval_s=30)
    return {"pdu": pdu, "host": host, "tz": PARIS}


def bucket_now() -> tuple[datetime, datetime]:
    """(now, start of its 5-minute bucket), at least 15 s into the bucket so that the open
    bucket already holds a sample of a series polled every 30 s from 10 s past a bucket."""
    if timezone.now().timestamp() % 300 < 15:
        time.sleep(15 - timezone.now().timestamp() % 300)
    now = timezone.now()
    return now, datetime.fromtimestamp(now.timestamp() // 300 * 300, UTC)


def every_30s(device, start: datetime, until: datetime, value, metric, unit, comp) -> None:
    t = start
    while t <= until:
        ingest(device, [Reading(metric, value(t), unit, comp)], ts=t)
        t += timedelta(seconds=30)


def wall_ms(t: datetime, tz: ZoneInfo) -> int:
    return int((t.timestamp() + t.astimezone(tz).utcoffset().total_seconds()) * 1000)


@pytest.mark.parametrize("rolled", [False, True], ids=["raw", "rolled-up"])
def test_it_load_started_mid_bucket(viewer_client, place, rolled):
    """Data began 90 s into the bucket 10 minutes back: that bucket and the open one are
    partial; only the bucket between them is a complete value. The same whether the
    closed buckets come from the rollups (and the cache) or from raw samples."""
    now, b = bucket_now()
    began = b - 2 * FIVE + timedelta(seconds=90)

    def watts(t):
        return 6000.0 if t < b - FIVE else 8000.0 if t < b else 9000.0

    every_30s(place["pdu"], began, now, watts, "pdu_power_watts", "watts", "inlet:1")
    if rolled:
        store.run_rollups(now=b + timedelta(minutes=2))  # up to b, past the grace period
        viewer_client.get("/api/overview/it-load/?range=1h")  # closed buckets cached
    data = viewer_client.get("/api/overview/it-load/?range=1h").json()
    [trace] = data["traces"]
    tz = place["tz"]
    assert (trace["x"], trace["y"]) == ([wall_ms(b - FIVE, tz)], [8.0])
    assert trace["partial"]["x"] == [wall_ms(b - 2 * FIVE, tz), wall_ms(b, tz)]
    assert trace["partial"]["y"] == [6.0, 9.0]
    first, last = trace["partial"]["why"]
    assert first == f"partial: data began {began.astimezone(tz):%H:%M:%S}, mid-bucket"
    assert last.startswith("partial: still open, ")
    assert data["points"] == 3
    assert data["notice"] == (
        f"Collecting since {began.astimezone(tz):%H:%M} — 3 points so far, 2 partial (hollow)."
    )
    assert data["xrange"] == [wall_ms(b - 3 * FIVE, tz), wall_ms(b + FIVE, tz)]


def test_it_load_with_one_sample_is_one_partial_point_and_says_so(viewer_client, place):
    now, b = bucket_now()
    ingest(place["pdu"], [Reading("pdu_power_watts", 7500.0, "watts", "inlet:1")], ts=now)
    data = viewer_client.get("/api/overview/it-load/").json()
    [trace] = data["traces"]
    assert trace["x"] == [] and trace["partial"]["y"] == [7.5]
    since = now.astimezone(place["tz"])
    assert data["notice"] == f"Collecting since {since:%H:%M} — 1 point so far, 1 partial (hollow)."


def test_it_load_bucket_missing_a_pdu_is_partial(viewer_client, place, device_types):
    """Two PDUs from a bucket's very start; the second misses the middle bucket."""
    now, b = bucket_now()
    pdu2 = add_device("pdu-r1-b", device_types["pdu"], place["pdu"].site, place["pdu"].rack)
    start = b - 3 * FIVE
    every_30s(place["pdu"], start, now, lambda t: 1000.0, "pdu_power_watts", "watts", "inlet:1")
    for a, z in ((start, b - 2 * FIVE - timedelta(seconds=1)), (b - FIVE, now)):
        every_30s(pdu2, a, z, lambda t: 500.0, "pdu_power_watts", "watts", "inlet:1")
    [trace] = viewer_client.get("/api/overview/it-load/?range=1h").json()["traces"]
    assert trace["y"] == [1.5, 1.5]
    assert trace["partial"]["y"] == [1.0, 1.5]
    assert trace["partial"]["why"][0] == "partial: 1 of 2 PDU series"


def test_device_chart_in_buckets_marks_the_begun_and_open_buckets(viewer_client, place):
    """24 hours: 5-minute buckets. Data began 100 s into the bucket 40 minutes back."""
    now, b = bucket_now()
    began = b - 8 * FIVE + timedelta(seconds=100)

    def temp(t):  # 50 + the bucket's index: bucket means are known
        return 50.0 + (t - (b - 8 * FIVE)) // FIVE

    every_30s(place["host"], began, now, temp, "gpu_temperature_celsius", "celsius", "gpu0")
    url = f"/api/devices/{place['host'].pk}/chart/?metric=gpu_temperature_celsius&range=24h"
    data = viewer_client.get(url).json()
    assert data["resolution"] == "5m"
    [trace] = data["traces"]
    assert trace["y"] == [51.0, 52.0, 53.0, 54.0, 55.0, 56.0, 57.0]
    assert trace["partial"]["y"] == [50.0, 58.0]
    assert "mid-bucket" in trace["partial"]["why"][0]
    assert "still open" in trace["partial"]["why"][1]
    assert data["notice"].startswith("Hollow markers: partial buckets")
    assert data["xrange"] is None


def test_device_chart_with_two_samples_draws_them_raw_and_says_so(viewer_client, place):
    now = timezone.now()
    for t in (now - timedelta(seconds=30), now):
        ingest(place["host"], [Reading("gpu_temperature_celsius", 61.0, "celsius", "gpu0")], ts=t)
    base = f"/api/devices/{place['host'].pk}/chart/?metric=gpu_temperature_celsius"
    since = (now - timedelta(seconds=30)).astimezone(place["tz"])
    for key in ("6h", "24h", "30d"):  # raw by range, or read raw: too few buckets
        data = viewer_client.get(f"{base}&range={key}").json()
        assert data["resolution"] == "raw", key
        [trace] = data["traces"]
        assert trace["y"] == [61.0, 61.0] and "partial" not in trace
        assert data["notice"] == f"Collecting since {since:%H:%M} — 2 points so far."
        pad = 60_000  # one minute (2 poll intervals of 30 s) either side
        assert data["xrange"] == [trace["x"][0] - pad, trace["x"][1] + pad]


def test_delta_t_goes_through_the_same_rule(viewer_client, place, device_types):
    """A CRAH reporting since 60 s into the bucket 15 minutes back: delta-T's first and
    open buckets are partial, the two between complete."""
    now, b = bucket_now()
    crah_type = DeviceType.objects.create(
        manufacturer=device_types["gpu"].manufacturer,
        model="C1",
        slug="c1",
        default_role=DeviceRole.CRAH,
    )
    crah = add_device("crah-1", crah_type, place["pdu"].site)
    t = b - 3 * FIVE + timedelta(seconds=60)
    while t <= now:
        ingest(crah, [Reading(m, v, "celsius") for m, v in zip(AIR, (18.0, 30.0), strict=True)], t)
        t += timedelta(seconds=30)
    [trace] = viewer_client.get("/api/cooling/delta-t/?range=24h").json()["traces"]
    assert trace["y"] == [12.0, 12.0] and trace["partial"]["y"] == [12.0, 12.0]
    assert "mid-bucket" in trace["partial"]["why"][0]
    assert "still open" in trace["partial"]["why"][1]


def test_it_load_in_its_first_minutes_sums_each_poll(viewer_client, place):
    """Two and a half minutes of data: not one partial 5-minute bucket but a point a poll
    interval, each complete but the open one."""
    now = timezone.now()
    began = datetime.fromtimestamp(now.timestamp() // 30 * 30 - 120, UTC)
    every_30s(place["pdu"], began, now, lambda t: 5000.0, "pdu_power_watts", "watts", "inlet:1")
    data = viewer_client.get("/api/overview/it-load/?range=1h").json()
    [trace] = data["traces"]
    assert data["resolution"] == "30 s"  # the PDU's poll interval
    assert len(trace["x"]) >= 3 and set(trace["y"]) == {5.0}
    assert set(trace.get("partial", {}).get("y", [])) <= {5.0}
