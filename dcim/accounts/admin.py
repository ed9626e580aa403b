"""Users and groups in Django admin, without a way up to superuser.

Django's stock admin lets anyone with ``auth.change_user`` tick "superuser status", give
any permission directly, or edit the Admin group's permissions, so an Admin could make
itself (or anyone) superuser. Here only superusers may grant superuser status or direct
permissions, edit a superuser's account (its password included), or change what a group
(a role, defined as data in ``roles.py``) may do. Admins still manage users and give them
roles (groups), which hold no more than the Admin role itself.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

SUPERUSER_ONLY_FIELDS = ("is_superuser", "user_permissions")


class GuardedUserAdmin(UserAdmin):
    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple:
        fields = tuple(super().get_readonly_fields(request, obj))
        if request.user.is_superuser:
            return fields
        return fields + SUPERUSER_ONLY_FIELDS

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False  # its password or e-mail would be a way into the superuser account
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = ""):
        target = self.get_object(request, id)
        if target is not None and target.is_superuser and not request.user.is_superuser:
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)


class GuardedGroupAdmin(GroupAdmin):
    """Roles are seen by Admins and changed only by superusers."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser


admin.site.unregister(User)
admin.site.unregister(Group)
admin.site.register(User, GuardedUserAdmin)
admin.site.register(Group, GuardedGroupAdmin)
