"""Every route of the product, walked from the URL resolver: a view added tomorrow is
checked here without anyone listing it.

- Login: LoginRequiredMiddleware guards every view not marked ``@login_not_required``;
  the public ones are exactly these four, each with its own guard (the ICS feed a per-user
  token, the HA webhook an HMAC signature).
- Roles: a signed-in user with no role reads nothing and changes nothing: a GET or a POST
  to any other route is 403 (dcim.accounts.no_role), before the view looks anything up.
  Logout is the one route such a user may use. A Viewer reads but changes nothing: a
  POST is 403, or 404/405 where the route has no such object or takes no POST.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

PUBLIC = {"health", "login", "maintenance:feed", "availability:webhook"}
ANYONE_MAY_POST = {"logout"}


def routes(patterns=None, prefix: str = "", namespace: str = ""):
    """(route, name, view) of every URL pattern outside the admin site."""
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            if str(p.pattern) == "admin/":
                continue  # the admin site has its own login and permissions
            space = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from routes(p.url_patterns, prefix + str(p.pattern), space)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), f"{namespace}{p.name}", p.callback


def example_path(route: str) -> str:
    """The route with each converter filled in (an id or a name that does not exist)."""
    out = route
    for conv, value in (("<int:pk>", "987654"), ("<slug:slug>", "nosuch"), ("<str:name>", "x")):
        out = out.replace(conv, value)
    out = out.replace("<slug:report>", "daily").replace("<slug:site>", "nosuch")
    assert "<" not in out, f"fill in the converter of {route!r}"
    return "/" + out


def test_only_the_four_public_routes_do_without_a_login():
    public = {name for _, name, view in routes() if not getattr(view, "login_required", True)}
    assert public == PUBLIC


def test_anonymous_users_are_sent_to_login_from_every_other_route(client):
    for route, name, _ in routes():
        if name in PUBLIC:
            continue
        path = example_path(route)
        response = client.get(path)
        assert response.status_code == 302, (path, response.status_code)
        assert response["Location"].startswith("/login/?next="), path


def test_a_user_without_a_role_gets_403_from_every_other_route(client, make_user):
    client.force_login(make_user("nobody"))
    for route, name, _ in routes():
        if name in PUBLIC | ANYONE_MAY_POST:
            continue
        path = example_path(route)
        for method in (client.get, client.post):
            response = method(path)
            assert response.status_code == 403, (method.__name__, path, response.status_code)
            assert b"your account has no role" in response.content, path


def test_a_viewer_can_post_to_no_route(viewer_client):
    for route, name, _ in routes():
        if name in PUBLIC | ANYONE_MAY_POST:
            continue
        path = example_path(route)
        response = viewer_client.post(path, {"reason": "x", "note": "x"})
        if name == "maintenance:tokens":  # a Viewer's own calendar token
            assert response.status_code == 200
            continue
        assert response.status_code in (403, 404, 405), (path, response.status_code)
