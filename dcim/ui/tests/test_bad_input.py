"""Bad parameters are clear 400s, never 500s (issue 15): a NUL character anywhere in a
query or form, and times no time zone can carry to UTC, in search, charts and the alert
history filter."""

from __future__ import annotations

import pytest
from django.test import Client

from dcim.inventory.tests.factories import make_device, make_site, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def viewer() -> Client:
    client = Client()
    client.force_login(make_user("Viewer"))
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/search/?q=gpu%00-01",
        "/api/search/?q=%00%00",
        "/alerts/?since=2026-01-01%0012:00",
        "/racks/?sort=name%00",
    ],
)
def test_a_nul_in_a_query_is_a_400_naming_the_parameter(viewer, url):
    answer = viewer.get(url)
    assert answer.status_code == 400
    assert "holds a NUL character" in answer.content.decode()


def test_a_nul_in_a_chart_parameter_is_a_json_400(viewer):
    device = make_device()
    answer = viewer.get(
        f"/api/devices/{device.pk}/chart/?metric=gpu_power_watts%00", HTTP_ACCEPT="application/json"
    )
    assert answer.status_code == 400
    assert answer.json() == {"error": "Bad request: the parameter 'metric' holds a NUL character."}


def test_a_nul_in_a_form_post_is_a_400_and_nothing_is_read():
    answer = Client().post("/login/", {"username": "admin\x00", "password": "x"})
    assert answer.status_code == 400
    assert "'username' holds a NUL character" in answer.content.decode()


@pytest.mark.parametrize(
    ("zone", "since", "why"),
    [
        (
            "UTC",
            "2026-01-01 00:00+23:59",
            "The time zone offset must be between -14:00 and +14:00.",
        ),
        ("Asia/Tokyo", "0001-01-01 00:00", "The time must be between 1970 and 9998."),
        ("America/New_York", "9999-12-31 23:59", "The time must be between 1970 and 9998."),
    ],
)
def test_a_since_no_query_can_use_is_a_400_with_the_reason(viewer, zone, since, why):
    make_site(timezone=zone)
    answer = viewer.get("/alerts/", {"since": since})
    assert answer.status_code == 400
    assert f"<p>since: {why}</p>" in answer.content.decode()


def test_a_since_with_a_real_offset_filters_in_utc(viewer):
    make_site(timezone="Europe/Amsterdam")
    assert viewer.get("/alerts/", {"since": "2026-01-01 00:00+14:00"}).status_code == 200


@pytest.mark.parametrize(
    ("zone", "start", "end", "why"),
    [
        ("UTC", "2026-01-01T00:00+23:59", "2026-01-02T00:00", "time zone offset must be"),
        ("Asia/Tokyo", "0001-01-01T00:00", "0001-01-02T00:00", "time must be between"),
        ("Asia/Tokyo", "0001-01-01T00:00+14:00", "0001-01-01T01:00", "time must be between"),
        ("America/New_York", "9999-12-30T00:00", "9999-12-31T23:59", "time must be between"),
    ],
)
def test_a_chart_range_no_query_can_use_is_a_400(viewer, zone, start, end, why):
    device = make_device(site=make_site(timezone=zone))
    answer = viewer.get(
        f"/api/devices/{device.pk}/chart/",
        {"metric": "gpu_power_watts", "range": "custom", "start": start, "end": end},
    )
    assert answer.status_code == 400
    assert answer.json()["error"].startswith(f"start and end: the {why}")


def test_a_form_body_over_the_upload_limit_is_a_400(settings):
    default_limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert default_limit == 2.5 * 2**20
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    answer = Client().post("/login/", {"username": "x" * 2000, "password": "y"})
    assert answer.status_code == 400
