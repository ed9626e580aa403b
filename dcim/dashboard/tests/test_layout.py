"""The frame every page shares: navigation, account controls, offline assets, a11y basics."""

import re

import pytest

from dcim.dashboard.context_processors import SECTIONS

pytestmark = pytest.mark.django_db

NAV = re.compile(r'<nav class="nav" aria-label="Sections">(.*?)</nav>', re.S)


def nav_html(client) -> str:
    return NAV.search(client.get("/").content.decode()).group(1)


def test_nav_lists_every_section_in_order(viewer_client):
    nav = nav_html(viewer_client)
    labels = [label.replace("&", "&amp;") for label, _ in SECTIONS]
    assert [label for label in labels if label in nav] == labels
    positions = [nav.index(label) for label in labels]
    assert positions == sorted(positions)
    assert len(labels) == 11


def test_overview_is_linked_and_marked_current(viewer_client):
    assert '<a href="/" aria-current="page">Overview</a>' in nav_html(viewer_client)


def test_unbuilt_sections_are_text_not_dead_links(viewer_client):
    nav = nav_html(viewer_client)
    links = re.findall(r'<a href="([^"]+)"', nav)
    # The dashboard's pages are linked; sections other apps have not built yet are not.
    for url in ("/", "/floor/", "/racks/", "/gpus/", "/network/", "/cooling/"):
        assert url in links
    soon = re.findall(r'<span class="nav-soon"[^>]*>([^<]+)<span class="visually-hidden">', nav)
    # Every section is built now (Reports was the last); the rule still holds for any new one.
    assert "Floor" not in soon and "Reports" not in soon
    assert len(links) + len(soon) == len(SECTIONS)
    assert nav.count("(not yet available)") == len(soon)


def test_account_area_shows_user_and_a_post_logout_with_csrf(viewer_client):
    html = viewer_client.get("/").content.decode()
    assert "vera</span>" in html
    form = re.search(r'<form method="post" action="/logout/">(.*?)</form>', html, re.S).group(1)
    assert 'name="csrfmiddlewaretoken"' in form
    assert '<button type="submit"' in form


def test_admin_link_only_for_staff(client, make_user):
    client.force_login(make_user("vera", role="Viewer"))
    assert 'href="/admin/"' not in client.get("/").content.decode()
    client.force_login(make_user("ada", role="Admin"))
    assert '<a href="/admin/">Admin</a>' in client.get("/").content.decode()


def test_login_page_shows_no_navigation(client):
    html = client.get("/login/").content.decode()
    assert 'aria-label="Sections"' not in html and "Log out" not in html


def test_skip_link_targets_main_content(viewer_client):
    html = viewer_client.get("/").content.decode()
    assert '<a class="skip-link" href="#content">Skip to content</a>' in html
    assert '<main id="content"' in html
    assert html.index("skip-link") < html.index('class="topbar"')


def test_pages_load_nothing_from_the_network(viewer_client, client):
    for html in (viewer_client.get("/").content.decode(), client.get("/login/").content.decode()):
        assert not re.search(r'(src|href)="(https?:)?//', html)


def test_stylesheet_is_served_locally_without_remote_imports(viewer_client):
    response = viewer_client.get("/static/css/dcim.css")
    assert response.status_code == 200
    css = b"".join(response.streaming_content).decode()
    assert ":focus-visible" in css and ".badge-crit" in css
    assert "@import" not in css and "url(" not in css
