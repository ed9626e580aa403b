"""``manage.py set_role``: the one-step way to give someone a role (and an account)."""

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "blue-rack-42-cold-aisle"


def set_role(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("set_role", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def roles_of(username: str) -> list[str]:
    return list(User.objects.get(username=username).groups.values_list("name", flat=True))


def test_gives_an_existing_user_a_role():
    User.objects.create_user("olga", password=GOOD_PASSWORD)
    out, _ = set_role("olga", "Operator")
    assert "Updated olga: role Operator." in out
    assert roles_of("olga") == ["Operator"]


def test_role_names_are_case_insensitive_and_admin_becomes_staff():
    User.objects.create_user("ada", password=GOOD_PASSWORD)
    out, _ = set_role("ada", "admin")
    assert "role Admin (staff: can use /admin/)" in out
    user = User.objects.get(username="ada")
    assert roles_of("ada") == ["Admin"] and user.is_staff


def test_changing_role_replaces_the_old_one():
    User.objects.create_user("ada", password=GOOD_PASSWORD)
    set_role("ada", "Admin")
    set_role("ada", "Viewer")
    assert roles_of("ada") == ["Viewer"]
    assert not User.objects.get(username="ada").is_staff


def test_unknown_user_needs_create():
    with pytest.raises(CommandError, match="No user 'nobody'. Pass --create"):
        set_role("nobody", "Viewer")
    assert not User.objects.filter(username="nobody").exists()


def test_unknown_role_is_refused_with_the_choices():
    User.objects.create_user("olga", password=GOOD_PASSWORD)
    with pytest.raises(CommandError, match="unknown role 'Root'; choose Viewer, Operator, Admin"):
        set_role("olga", "Root")


def test_create_with_password_from_env_can_then_log_in(monkeypatch, client):
    monkeypatch.setenv("NEW_PW", GOOD_PASSWORD)
    out, _ = set_role("vera", "Viewer", "--create", "--password-from-env", "NEW_PW")
    assert "Created vera: role Viewer." in out
    assert roles_of("vera") == ["Viewer"]
    response = client.post("/login/", {"username": "vera", "password": GOOD_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"


def test_password_from_env_resets_an_existing_users_password(monkeypatch):
    User.objects.create_user("olga", password="old-password-123")
    monkeypatch.setenv("NEW_PW", GOOD_PASSWORD)
    set_role("olga", "Operator", "--password-from-env", "NEW_PW")
    assert User.objects.get(username="olga").check_password(GOOD_PASSWORD)


def test_weak_password_is_rejected_and_nothing_is_created(monkeypatch):
    monkeypatch.setenv("NEW_PW", "1234")
    with pytest.raises(CommandError, match="Password rejected: .*too short"):
        set_role("vera", "Viewer", "--create", "--password-from-env", "NEW_PW")
    assert not User.objects.filter(username="vera").exists()


def test_empty_env_variable_is_refused(monkeypatch):
    monkeypatch.delenv("NEW_PW", raising=False)
    with pytest.raises(CommandError, match="NEW_PW: that variable is empty or unset"):
        set_role("vera", "Viewer", "--create", "--password-from-env", "NEW_PW")


def test_create_without_a_terminal_or_env_password_refuses_rather_than_hangs():
    # pytest captures stdin, so there is no terminal here, as in CI or a cron job.
    with pytest.raises(CommandError, match="No terminal to ask for a password"):
        set_role("vera", "Viewer", "--create")
    assert not User.objects.filter(username="vera").exists()


def test_warns_that_a_superuser_keeps_every_permission():
    User.objects.create_superuser("root", password=GOOD_PASSWORD)
    _, err = set_role("root", "Viewer")
    assert "root is a superuser and keeps every permission" in err
