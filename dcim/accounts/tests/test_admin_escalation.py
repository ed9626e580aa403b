"""Only superusers make superusers (issue 15): an Admin edits users and gives roles, but
cannot tick "superuser", hand out permissions directly, take over a superuser's account,
or widen a role's permissions."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.test import Client

from dcim.accounts.roles import ADMIN, VIEWER, assign_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user() -> User:
    user = User.objects.create_user("admin1", password="x", is_staff=True)
    assign_role(user, ADMIN)
    return user


def client_of(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def change_form(user: User, **changes) -> dict:
    """The change form's fields as the page would post them back, with ``changes``."""
    data = {
        "username": user.username,
        "first_name": "",
        "last_name": "",
        "email": "",
        "is_active": "on",
        "is_staff": "on" if user.is_staff else "",
        "groups": [str(g) for g in user.groups.values_list("pk", flat=True)],
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
        "initial-date_joined_0": "2026-01-01",
        "initial-date_joined_1": "00:00:00",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


def test_an_admin_cannot_make_itself_superuser(admin_user):
    client = client_of(admin_user)
    page = client.get(f"/admin/auth/user/{admin_user.pk}/change/")
    assert page.status_code == 200
    assert 'name="is_superuser"' not in page.content.decode()
    every = [str(p) for p in Permission.objects.values_list("pk", flat=True)]
    answer = client.post(
        f"/admin/auth/user/{admin_user.pk}/change/",
        change_form(admin_user, is_superuser="on", user_permissions=every),
    )
    assert answer.status_code == 302  # saved, without the fields it may not set
    admin_user.refresh_from_db()
    assert not admin_user.is_superuser and not admin_user.user_permissions.exists()


def test_an_admin_cannot_make_another_user_superuser_but_gives_roles(admin_user):
    viewer = User.objects.create_user("viewer1", password="x")
    admin_group = Group.objects.get(name=ADMIN)
    client = client_of(admin_user)
    answer = client.post(
        f"/admin/auth/user/{viewer.pk}/change/",
        change_form(viewer, is_superuser="on", groups=[str(admin_group.pk)]),
    )
    assert answer.status_code == 302
    viewer.refresh_from_db()
    assert not viewer.is_superuser
    assert list(viewer.groups.values_list("name", flat=True)) == [ADMIN]


def test_an_admin_cannot_take_over_a_superuser_account(admin_user):
    root = User.objects.create_superuser("root", password="root-password")
    client = client_of(admin_user)
    assert client.get(f"/admin/auth/user/{root.pk}/password/").status_code == 403
    answer = client.post(
        f"/admin/auth/user/{root.pk}/password/",
        {"password1": "taken-over-9x", "password2": "taken-over-9x"},
    )
    assert answer.status_code == 403
    client.post(f"/admin/auth/user/{root.pk}/change/", change_form(root, email="me@x.org"))
    client.post(f"/admin/auth/user/{root.pk}/delete/", {"post": "yes"})
    root.refresh_from_db()
    assert root.check_password("root-password") and root.email == ""


def test_an_admin_cannot_widen_a_role(admin_user):
    client = client_of(admin_user)
    group = Group.objects.get(name=ADMIN)
    before = set(group.permissions.values_list("pk", flat=True))
    every = [str(p) for p in Permission.objects.values_list("pk", flat=True)]
    answer = client.post(
        f"/admin/auth/group/{group.pk}/change/", {"name": ADMIN, "permissions": every}
    )
    assert answer.status_code == 403
    assert set(group.permissions.values_list("pk", flat=True)) == before
    assert client.post("/admin/auth/group/add/", {"name": "root-ish"}).status_code == 403
    assert client.get(f"/admin/auth/group/{group.pk}/change/").status_code == 200  # sees it


def test_a_superuser_still_grants_superuser():
    root = User.objects.create_superuser("root", password="x")
    viewer = User.objects.create_user("viewer1", password="x")
    assign_role(viewer, VIEWER)
    answer = client_of(root).post(
        f"/admin/auth/user/{viewer.pk}/change/", change_form(viewer, is_superuser="on")
    )
    assert answer.status_code == 302
    viewer.refresh_from_db()
    assert viewer.is_superuser
