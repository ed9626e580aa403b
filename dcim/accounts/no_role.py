"""Reading takes a role, not only a login.

``LoginRequiredMiddleware`` sends visitors who are not signed in to the login page. This
one answers 403 to a signed-in user who holds no role (Viewer, Operator or Admin; a
superuser always passes): an account an Admin created but has not given a role yet sees
no page, JSON twin, export or report until they do. Every action checks its own
permission as well; this is the floor under all of them, so a view added tomorrow cannot
forget it.

Left alone: the public views (``@login_not_required``: health, login, the ICS feed with
its token, the HA webhook with its signature), the admin site (its own ``is_staff``
check and login) and logout (a user without a role must still be able to sign out).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from dcim.accounts.roles import has_role

ALWAYS_ALLOWED = frozenset({"logout"})


class RoleRequiredMiddleware:
    """After ``LoginRequiredMiddleware``: signed in is not enough, a role is needed."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if not getattr(view_func, "login_required", True):
            return None  # public, with a guard of its own
        if not request.user.is_authenticated:
            return None  # LoginRequiredMiddleware's case: sent to the login page
        match = request.resolver_match
        if match is not None and (match.app_name == "admin" or match.url_name in ALWAYS_ALLOWED):
            return None
        if has_role(request.user):
            return None
        return render(request, "registration/no_role.html", status=403)
