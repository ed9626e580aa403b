"""The Content-Security-Policy holds every page up (issue 15): each page opens, draws its
charts and refreshes with no CSP violation reported by Chromium, and the policy is strict
(no inline script) — an inline script planted in a page would be refused."""

from __future__ import annotations

import pytest

from dcim.accounts.roles import sync_roles
from dcim.inventory.tests.factories import PASSWORD
from tests.browser.conftest import login
from tests.browser.test_pages_browser import fleet

pytestmark = pytest.mark.slow
__all__ = ["fleet"]  # the fixture, shared with the page tests


def strict_page(browser, live_server, settings, make_user, role: str):
    """A signed-in page under the real policy, as every browser test's (conftest)."""
    settings.DASHBOARD_REFRESH_S = 1
    sync_roles()
    make_user(role.lower(), role=role)
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    login(pg, live_server.url, role.lower(), PASSWORD)
    pg.base = live_server.url
    return context, pg


@pytest.fixture
def page(browser, live_server, settings, make_user):
    context, pg = strict_page(browser, live_server, settings, make_user, "Viewer")
    yield pg
    context.close()


@pytest.fixture
def admin_page(browser, live_server, settings, make_user):
    context, pg = strict_page(browser, live_server, settings, make_user, "Admin")
    yield pg
    context.close()


def watch(page) -> list[str]:
    """Every CSP report Chromium makes, from the console and the page's own event."""
    seen: list[str] = []
    page.on(
        "console",
        lambda m: seen.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.on("pageerror", lambda e: seen.append(f"page error: {e}"))
    return seen


def test_no_page_violates_the_policy(page, fleet):
    violations = watch(page)
    urls = [
        "/",
        "/floor/",
        "/racks/",
        f"/racks/{fleet['rack'].pk}/",
        f"/devices/{fleet['host'].pk}/",
        f"/devices/{fleet['crah'].pk}/",
        "/gpus/",
        "/network/",
        "/cooling/",
        "/search/?q=DGX",
        "/alerts/",
        "/energy/",
        "/maintenance/",
        "/ha/",
        "/reports/",
    ]
    for url in urls:
        response = page.goto(page.base + url)
        assert response.status == 200, url
        assert "default-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(300)  # a live refresh (every second here) runs meanwhile
    charts = page.goto(page.base + f"/devices/{fleet['host'].pk}/")
    assert charts.status == 200
    page.wait_for_selector(".js-plotly-plot .main-svg", state="attached")
    assert violations == [], "\n".join(violations)


def test_an_inline_script_is_refused(page, fleet, csp_violations):
    violations = watch(page)
    page.goto(page.base + "/racks/")
    page.evaluate(
        """() => { const s = document.createElement('script');
                   s.textContent = 'window.__ran = true'; document.body.appendChild(s); }"""
    )
    assert page.evaluate("() => window.__ran === true") is False
    assert any("script-src" in v for v in violations), violations
    assert any("script-src" in v for v in csp_violations), csp_violations
    csp_violations.clear()  # provoked on purpose: the conftest would fail the test


def test_admin_pages_work_under_the_policy(admin_page, fleet):
    violations = watch(admin_page)
    base = admin_page.base
    for url in (
        "/admin/",
        "/admin/inventory/device/",
        f"/admin/inventory/device/{fleet['host'].pk}/change/",
        "/admin/inventory/device/import/",
        "/admin/alerts/rule/add/",
    ):
        assert admin_page.goto(base + url).status == 200, url
        admin_page.wait_for_load_state("networkidle")
    admin_page.goto(base + "/admin/inventory/device/export/")
    # django-import-export's "Select all" is an inline handler, allowed by its hash.
    toggle = admin_page.locator("input[name=select-all-toggle]")
    checked = ".selectable-field-export-row input[type=checkbox]:checked"
    assert toggle.count() == 1 and admin_page.locator(checked).count() > 0
    toggle.uncheck()
    assert admin_page.locator(checked).count() == 0
    assert violations == [], "\n".join(violations)
