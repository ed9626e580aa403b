"""The three roles, as groups with permissions, defined as data.

- Viewer: sees every page and every inventory record (credentials excepted), changes nothing.
- Operator: a Viewer who also acts on the live system (device status, and later alerts,
  silences, maintenance windows and failover records).
- Admin: edits everything in Django admin (is_staff), users and groups included.
"""

from typing import TYPE_CHECKING, Any

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group
from django.db.models import QuerySet

if TYPE_CHECKING:
    from django.apps.registry import Apps
    from django.contrib.auth.models import AbstractUser

VIEWER, OPERATOR, ADMIN = "Viewer", "Operator", "Admin"
ROLES = (VIEWER, OPERATOR, ADMIN)

# Apps whose models make up the product; their permissions are handed out by role.
PRODUCT_APPS = {
    "inventory",
    "telemetry",
    "maintenance",
    "availability",
    "energy",
    "alerts",
    "reports",
    "dashboard",
}
# Never visible to Viewers or Operators: only Admins see that a credential exists.
HIDDEN_FROM_VIEWERS = {"inventory.view_credential", "inventory.view_historicalcredential"}
# What an Operator may change beyond viewing: "app_label.codename".
OPERATOR_EXTRA = {
    "inventory.change_device",
    # Reports: Operators subscribe themselves and others, as Admins do (issue 16).
    "reports.add_subscription",
    "reports.change_subscription",
    "reports.delete_subscription",
}
OPERATOR_APPS = {"maintenance", "alerts", "availability"}  # add/change on these apps' models
# axes: Admins see failed sign-ins and lift a lockout (delete its access attempt).
ADMIN_EXTRA_APPS = {"auth", "django_celery_beat", "axes"}


def role_permissions(Permission: Any, role: str) -> QuerySet:
    """The queryset of permissions a role holds.

    ``Permission`` is passed in so that a migration can use its historical model.
    """
    base = Permission.objects.select_related("content_type")
    product = base.filter(content_type__app_label__in=PRODUCT_APPS)
    if role == ADMIN:
        return product | base.filter(content_type__app_label__in=ADMIN_EXTRA_APPS)
    viewing = [
        p.pk
        for p in product.filter(codename__startswith="view_")
        if f"{p.content_type.app_label}.{p.codename}" not in HIDDEN_FROM_VIEWERS
    ]
    if role == VIEWER:
        return base.filter(pk__in=viewing)
    acting = [
        p.pk
        for p in product
        if f"{p.content_type.app_label}.{p.codename}" in OPERATOR_EXTRA
        or (
            p.content_type.app_label in OPERATOR_APPS
            and p.codename.split("_", 1)[0] in ("add", "change")
        )
    ]
    return base.filter(pk__in=viewing + acting)


def sync_roles(apps: "Apps" = global_apps) -> None:
    """Create the groups and give each its permissions (idempotent)."""
    for app_config in apps.get_app_configs():
        # Migration-state app configs have no models_module, and create_permissions skips
        # those: set it for the call, then put back what was there.
        original = getattr(app_config, "models_module", None)
        app_config.models_module = original or True
        try:
            create_permissions(app_config, verbosity=0, apps=apps)
        finally:
            app_config.models_module = original
    # The models of `apps` (a migration's historical ones), not the module's Group.
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for role in ROLES:
        group, _ = group_model.objects.get_or_create(name=role)
        group.permissions.set(role_permissions(permission_model, role))


def sync_roles_after_migrate(sender: Any, apps: "Apps" = global_apps, **kwargs: Any) -> None:
    """post_migrate hook: re-sync once per migrate run.

    Django sends post_migrate only for apps that have a models module, which accounts has
    not; auth always has one, and sync_roles creates every app's permissions itself.
    """
    if sender.label == "auth":
        sync_roles(apps)


def assign_role(user: "AbstractUser", role: str) -> None:
    """Put a user in exactly one role; Admins get admin-site access (is_staff)."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
    user.groups.remove(*Group.objects.filter(name__in=ROLES))
    user.groups.add(Group.objects.get(name=role))
    user.is_staff = role == ADMIN
    user.save(update_fields=["is_staff"])


def has_role(user: "AbstractUser") -> bool:
    """Whether the user holds a role (or is a superuser): what reading any page takes.
    An account an Admin created but gave no role yet has a login and nothing else."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name__in=ROLES).exists()  # once per request (the middleware)
