"""Session limits and response headers (issue 15): 12 h after sign-in at most, 30 minutes
idle (the live refresh's JSON polls do not count), Cache-Control on signed-in pages and
JSON, a Permissions-Policy and a Content-Security-Policy everywhere."""

from __future__ import annotations

import time

import pytest
from django.test import Client

from dcim.accounts.sessions import ACTIVE_AT, SIGNED_IN_AT

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(make_user) -> Client:
    user = make_user("viewer1", role="Viewer")
    client = Client()
    client.force_login(user)
    return client


def shift(client: Client, **ago_s: float) -> None:
    """Move the session's stamps into the past."""
    session = client.session
    now = time.time()
    for key, ago in ago_s.items():
        session[{"signed_in": SIGNED_IN_AT, "active": ACTIVE_AT}[key]] = now - ago
    session.save()


def signed_in(client: Client) -> bool:
    return client.get("/health").status_code == 200 and "_auth_user_id" in client.session


def test_the_session_cookie_lasts_12_hours_not_two_weeks(settings):
    assert settings.SESSION_COOKIE_AGE == 12 * 3600
    assert (settings.SESSION_ABSOLUTE_S, settings.SESSION_IDLE_S) == (12 * 3600, 30 * 60)


def test_idle_for_31_minutes_signs_out(client):
    assert signed_in(client)
    shift(client, signed_in=3600, active=31 * 60)
    assert client.get("/alerts/").status_code == 302  # to the login page
    assert "_auth_user_id" not in client.session


def test_a_page_view_keeps_the_session_but_a_json_poll_does_not(client):
    shift(client, signed_in=3600, active=29 * 60)
    assert client.get("/alerts/").status_code == 200  # a page: activity
    assert time.time() - client.session[ACTIVE_AT] < 5
    shift(client, active=29 * 60)
    assert client.get("/alerts/live.json").status_code == 200  # a poll: not activity
    assert time.time() - client.session[ACTIVE_AT] > 28 * 60


def test_12_hours_after_sign_in_even_an_active_session_ends(client):
    shift(client, signed_in=12 * 3600 + 60, active=10)
    assert client.get("/alerts/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_signed_in_pages_and_json_are_not_cached(client):
    for url in ("/alerts/", "/alerts/live.json"):
        cache = client.get(url)["Cache-Control"]
        assert "private" in cache and "no-store" in cache, url


def test_security_headers_on_every_response(client):
    for answer in (client.get("/alerts/"), Client().get("/login/")):
        assert "camera=()" in answer["Permissions-Policy"]
        csp = answer["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp
        assert "unsafe-inline" not in csp.split("script-src", 1)[1].split(";", 1)[0]
        assert "frame-ancestors 'none'" in csp
