"""The three roles as the migrations leave them, and assign_role as admins rely on it."""

import pytest
from django.contrib.auth.models import Group, Permission, User

from dcim.accounts.roles import ADMIN, OPERATOR, PRODUCT_APPS, ROLES, VIEWER, assign_role

pytestmark = pytest.mark.django_db


def perms(role: str) -> set[str]:
    """The group's permissions as "app_label.codename"."""
    return {
        f"{app}.{code}"
        for app, code in Permission.objects.filter(group__name=role).values_list(
            "content_type__app_label", "codename"
        )
    }


def user_with(role: str, username: str = "u") -> User:
    user = User.objects.create_user(username, password="x")
    assign_role(user, role)
    return User.objects.get(pk=user.pk)  # fresh: no cached permissions


def test_the_three_groups_exist_after_migrations():
    assert set(Group.objects.filter(name__in=ROLES).values_list("name", flat=True)) == set(ROLES)


def test_viewer_only_views_product_apps():
    viewer = perms(VIEWER)
    assert {"inventory.view_device", "inventory.view_rack", "inventory.view_gpu"} <= viewer
    for perm in viewer:
        app, code = perm.split(".")
        assert app in PRODUCT_APPS and code.startswith("view_"), perm


def test_viewer_does_not_see_credentials():
    assert "inventory.view_credential" not in perms(VIEWER)
    assert not user_with(VIEWER).has_perm("inventory.view_credential")


def test_operator_is_a_viewer_who_can_change_devices():
    operator = perms(OPERATOR)
    assert perms(VIEWER) <= operator
    assert "inventory.change_device" in operator
    user = user_with(OPERATOR)
    assert user.has_perm("inventory.change_device")
    for denied in (
        "inventory.add_device",
        "inventory.delete_device",
        "inventory.change_rack",
        "inventory.view_credential",
        "auth.change_user",
    ):
        assert not user.has_perm(denied), denied


def test_admin_manages_inventory_and_accounts():
    user = user_with(ADMIN)
    for model in ("device", "rack", "site", "gpu", "credential"):
        for action in ("add", "change", "delete", "view"):
            assert user.has_perm(f"inventory.{action}_{model}"), f"{action}_{model}"
    for model in ("user", "group"):
        for action in ("add", "change", "delete"):
            assert user.has_perm(f"auth.{action}_{model}"), f"auth.{action}_{model}"


def test_assign_role_admin_makes_staff_and_replaces_other_roles():
    user = user_with(VIEWER)
    assign_role(user, OPERATOR)
    assign_role(user, ADMIN)
    user.refresh_from_db()
    assert list(user.groups.values_list("name", flat=True)) == [ADMIN]
    assert user.is_staff


def test_assign_role_away_from_admin_removes_staff():
    user = user_with(ADMIN)
    assign_role(user, VIEWER)
    user.refresh_from_db()
    assert list(user.groups.values_list("name", flat=True)) == [VIEWER]
    assert not user.is_staff


def test_assign_role_keeps_groups_that_are_not_roles():
    oncall = Group.objects.create(name="GPU on-call")
    user = user_with(VIEWER)
    user.groups.add(oncall)
    assign_role(user, OPERATOR)
    assert set(user.groups.values_list("name", flat=True)) == {OPERATOR, "GPU on-call"}


def test_assign_role_rejects_an_unknown_role():
    user = User.objects.create_user("u", password="x")
    with pytest.raises(ValueError, match="unknown role 'Root'"):
        assign_role(user, "Root")
    assert not user.groups.exists()


def test_models_of_later_apps_join_the_roles_on_migrate():
    """Telemetry's models came after the roles' migration; post_migrate brought them in."""
    assert "telemetry.change_collectiontarget" in perms("Admin")
    assert "telemetry.view_collectiontarget" in perms("Viewer")
    assert "telemetry.change_collectiontarget" not in perms("Operator")
