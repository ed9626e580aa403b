"""Login throttling (issue 15): a user name from one address is locked after 10 failures,
even for the right password, until the cool-off ends or an Admin lifts the lock."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from dcim.accounts.roles import ADMIN, assign_role

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _axes_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 10


@pytest.fixture
def operator():
    return User.objects.create_user("operator1", password=PASSWORD)


def sign_in(client: Client, password: str, username: str = "operator1"):
    return client.post("/login/", {"username": username, "password": password})


def test_200_wrong_passwords_then_the_right_one_is_refused(operator):
    client = Client(REMOTE_ADDR="203.0.113.7")
    statuses = [sign_in(client, f"guess-{i}").status_code for i in range(200)]
    assert statuses[:9] == [200] * 9  # the form again, with its error
    assert set(statuses[10:]) == {429}
    answer = sign_in(client, PASSWORD)
    assert answer.status_code == 429
    html = answer.content.decode()
    assert "Sign-in locked" in html and "operator1" in html and "15 minutes" in html
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 302  # still signed out


def test_the_lock_is_per_user_and_address(operator):
    for _ in range(10):
        sign_in(Client(REMOTE_ADDR="203.0.113.7"), "wrong")
    elsewhere = Client(REMOTE_ADDR="198.51.100.20")
    assert sign_in(elsewhere, PASSWORD).status_code == 302  # signed in from another address
    User.objects.create_user("other", password=PASSWORD)
    same_address = Client(REMOTE_ADDR="203.0.113.7")
    assert sign_in(same_address, PASSWORD, "other").status_code == 302


def test_an_admin_lifts_the_lock_in_django_admin(operator):
    locked = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(12):
        sign_in(locked, "wrong")
    assert sign_in(locked, PASSWORD).status_code == 429
    from axes.models import AccessAttempt  # an app only with throttling installed

    admin_user = User.objects.create_user("admin1", password="x", is_staff=True)
    assign_role(admin_user, ADMIN)
    admin = Client()
    admin.force_login(admin_user)
    attempt = AccessAttempt.objects.get(username="operator1")
    page = admin.get("/admin/axes/accessattempt/")
    assert page.status_code == 200 and "operator1" in page.content.decode()
    gone = admin.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    assert gone.status_code == 302 and not AccessAttempt.objects.exists()
    assert sign_in(locked, PASSWORD).status_code == 302
