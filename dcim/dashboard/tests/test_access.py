"""Who gets in where: login required everywhere but /health and the login page itself;
every page and its JSON twin open for a Viewer and send anonymous users to the login."""

import pytest
from django.contrib.auth.models import User

from dcim.inventory.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_anonymous_is_sent_to_login_from_the_overview(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/"


def test_anonymous_is_sent_to_a_login_page_from_the_admin(client):
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/admin/login/?next=/admin/")
    assert b'name="password"' in response.content


def test_health_answers_anonymous_with_json(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_login_page_is_public_and_offers_the_form(client):
    response = client.get("/login/?next=/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="username"' in html and 'name="password"' in html
    assert '<input type="hidden" name="next" value="/">' in html
    assert "Please log in to see that page." in html


def test_login_with_the_right_password_goes_to_next(client, make_user):
    make_user("olga", role="Operator")
    response = client.post(
        "/login/", {"username": "olga", "password": PASSWORD, "next": "/?from=login"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/?from=login"
    assert client.get("/").status_code == 200


def test_login_without_next_lands_on_the_overview(client, make_user):
    make_user("olga", role="Operator")
    response = client.post("/login/", {"username": "olga", "password": PASSWORD}, follow=True)
    assert response.redirect_chain == [("/", 302)]
    assert b"<h1>Overview</h1>" in response.content


def test_login_ignores_a_next_pointing_to_another_site(client, make_user):
    make_user("olga", role="Operator")
    response = client.post(
        "/login/", {"username": "olga", "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_wrong_password_fails_with_a_clear_message(client, make_user):
    make_user("olga", role="Operator")
    response = client.post("/login/", {"username": "olga", "password": "wrong"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="alert"' in html
    assert "Please enter a correct username and password" in html
    assert client.get("/").status_code == 302  # still anonymous


def test_inactive_user_cannot_log_in(client, make_user):
    user = make_user("gone", role="Viewer")
    User.objects.filter(pk=user.pk).update(is_active=False)
    response = client.post("/login/", {"username": "gone", "password": PASSWORD})
    assert response.status_code == 200
    assert client.get("/").status_code == 302


def test_logout_is_a_post_and_returns_to_login(client, make_user):
    client.force_login(make_user("olga", role="Operator"))
    assert client.get("/logout/").status_code == 405  # a link cannot log anyone out
    response = client.post("/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert client.get("/").status_code == 302


@pytest.mark.parametrize("role", ["Viewer", "Operator", "Admin"])
def test_every_role_sees_the_overview(client, make_user, inventory, role):
    client.force_login(make_user("someone", role=role))
    response = client.get("/")
    assert response.status_code == 200
    assert b"<h1>Overview</h1>" in response.content


def test_a_user_without_a_role_is_told_to_ask_for_one(client, make_user):
    """Signed in is not enough: an account with no role yet sees no page (and can still
    sign out); tests/test_every_route.py walks every route."""
    client.force_login(make_user("nobody"))
    response = client.get("/")
    assert response.status_code == 403
    assert b"your account has no role" in response.content
    assert client.post("/logout/").status_code == 302


def test_only_admins_reach_the_admin_site(client, make_user):
    client.force_login(make_user("vera", role="Viewer"))
    assert client.get("/admin/").status_code == 302
    client.force_login(make_user("ada", role="Admin"))
    assert client.get("/admin/").status_code == 200


# -- every page and JSON twin --------------------------------------------------------------


def pages(live) -> list[str]:
    gpu01, rack = live["gpu01"].pk, live["rack"].pk
    return [
        "/",
        "/api/overview/",
        "/api/overview/it-load/?range=24h",
        "/floor/",
        "/api/floor/",
        "/racks/",
        "/api/racks/",
        f"/racks/{rack}/",
        f"/api/racks/{rack}/",
        f"/devices/{gpu01}/",
        f"/api/devices/{gpu01}/",
        f"/api/devices/{gpu01}/chart/?metric=gpu_temperature_celsius&range=1h",
        "/gpus/",
        "/api/gpus/",
        "/network/",
        "/api/network/",
        "/cooling/",
        "/api/cooling/",
        "/api/cooling/delta-t/?range=24h",
        "/search/?q=gpu",
        "/api/search/?q=gpu",
    ]


def test_a_viewer_sees_every_page_and_endpoint(viewer_client, live):
    for url in pages(live):
        response = viewer_client.get(url)
        assert response.status_code == 200, url
        if "/api/" in url:
            assert response["Content-Type"] == "application/json", url


def test_anonymous_users_are_sent_to_login_everywhere(client, live):
    for url in pages(live):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/login/?next="), url


def test_json_endpoints_are_not_cached(viewer_client, live):
    assert viewer_client.get("/api/gpus/")["Cache-Control"] == "no-store"
