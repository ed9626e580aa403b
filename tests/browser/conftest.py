"""Browser tests: Playwright (sync API) driving Debian's Chromium against a live server.

No browser is ever downloaded: Chromium comes from the system (``apt-get install chromium``,
which .ci/run does). Without it, or without the playwright package, every browser test is
skipped with a loud message and a warning, never silently passed.

The live server needs a transactional database; the store's own tables (samples, latest,
rollups) are not Django models, so they are emptied here after each test, and the rollup
watermark row that Django's flush removes is put back.

Every page runs under the Content-Security-Policy the product sends (ADR 0023): no test
bypasses it, and any violation Chromium reports (its "Refused to ..." console message, or
a ``securitypolicyviolation`` event) in any context a test opens fails that test. Playwright's
``wait_for_function`` compiles its predicate with ``new Function`` inside the page, which
the policy refuses (no 'unsafe-eval'): here it polls ``evaluate`` from Python instead, which
goes through the DevTools protocol and is not the page's own script.
"""

from __future__ import annotations

import os
import shutil
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

from dcim.accounts.roles import sync_roles
from dcim.inventory.tests.factories import PASSWORD
from telemetry import store
from telemetry.store.db import clear_caches

# Playwright's sync API keeps an event loop on the main thread; Django then refuses ORM calls
# from it ("async context"). The calls are in fact synchronous: allow them, as
# pytest-playwright's documentation advises for Django.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
CHROMIUM = os.environ.get("DCIM_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def _missing() -> str | None:
    try:  # playwright is optional: without it the browser tests skip, loudly
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install playwright)"
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        return f"no Chromium at {CHROMIUM} (apt-get install -y chromium)"
    return None


# Package scope, not session: while Playwright's sync API lives it keeps an asyncio loop
# running in this thread, and every later asyncio.run() (the SNMP and Modbus collectors)
# would fail with "cannot be called from a running event loop".
@pytest.fixture(scope="package")
def browser():
    why = _missing()
    if why:
        message = f"BROWSER TESTS SKIPPED: {why}"
        warnings.warn(message, stacklevel=1)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright  # optional package: imported once known

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _reset_store() -> None:
    clear_caches()
    with connection.cursor() as cur:
        cur.execute(
            "TRUNCATE telemetry_sample, telemetry_rollup_5m, telemetry_rollup_1h, "
            "telemetry_latest, telemetry_rollup_pending"
        )
        cur.execute(
            "INSERT INTO telemetry_rollupstate (id, rolled_until) VALUES (1, NULL) "
            "ON CONFLICT (id) DO NOTHING"
        )


@pytest.fixture(autouse=True)
def _clean_store(transactional_db) -> Iterator[None]:
    """Before: an empty store with its watermark row (a previous flush deleted it).
    After: no samples left behind for the tests that run later in this database."""
    _reset_store()
    yield
    _reset_store()


DEFAULT_TIMEOUT_MS = 15_000
CSP_MARKERS = ("Content Security Policy", "Refused to ", "securitypolicyviolation")
# Chromium logs most violations itself; the event also catches those it reports only there.
REPORT_VIOLATIONS = """
document.addEventListener('securitypolicyviolation', (e) => console.error(
  `securitypolicyviolation: ${e.violatedDirective} refused ${e.blockedURI || 'inline'}`
  + ` at ${e.sourceFile || document.location.href}:${e.lineNumber}`));
"""


def polled_wait_for_function(page, expression: str, *, arg=None, timeout=None, polling=None):
    """``Page.wait_for_function`` without eval in the page: the predicate (an expression or
    a function) is evaluated through the DevTools protocol until it is truthy."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    every_s = polling / 1000 if isinstance(polling, int | float) else 0.05
    deadline = time.monotonic() + (DEFAULT_TIMEOUT_MS if timeout is None else timeout) / 1000
    while True:
        value = page.evaluate(expression, arg)
        if value:
            return value
        if time.monotonic() > deadline:
            raise PlaywrightTimeout(f"wait_for_function: {expression!r} still false")
        time.sleep(every_s)


@pytest.fixture(autouse=True)
def csp_violations(browser, monkeypatch) -> Iterator[list[str]]:
    """What Chromium refused under the policy in any context this test opens; a test that
    provokes a violation on purpose checks the list and clears it."""
    from playwright.sync_api import Page

    seen: list[str] = []
    new_context = browser.new_context

    def watched_context(*args, **kwargs):
        if kwargs.get("bypass_csp"):
            raise AssertionError("browser tests run under the real Content-Security-Policy")
        context = new_context(*args, **kwargs)
        context.add_init_script(REPORT_VIOLATIONS)
        context.on(
            "console",
            lambda m: (
                seen.append(f"{m.location.get('url', '')}: {m.text}")
                if any(k in m.text for k in CSP_MARKERS)
                else None
            ),
        )
        return context

    monkeypatch.setattr(browser, "new_context", watched_context)
    monkeypatch.setattr(Page, "wait_for_function", polled_wait_for_function)
    yield seen
    if seen:
        pytest.fail("Content-Security-Policy violations:\n" + "\n".join(seen), pytrace=False)


@pytest.fixture
def page(browser, live_server, settings, make_user):
    """A logged-in page (through the login form, as a person would), under the real CSP."""
    settings.DASHBOARD_REFRESH_S = 1  # live refresh every second, so tests wait little
    sync_roles()  # the flush of a transactional test removed the role groups
    make_user("vera", role="Viewer")
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    pg.set_default_timeout(DEFAULT_TIMEOUT_MS)
    login(pg, live_server.url, "vera", PASSWORD)
    pg.base = live_server.url
    yield pg
    context.close()


def login(pg, base: str, username: str, password: str) -> None:
    """Through the login form, as a person would."""
    pg.goto(f"{base}/login/")
    pg.fill('input[name="username"]', username)
    pg.fill('input[name="password"]', password)
    pg.click('button[type="submit"]')
    pg.wait_for_url(f"{base}/")


def ingest(device, readings, ts, name: str = "browser") -> None:
    """Store readings of one device at ``ts`` through the store's own write path."""
    batch = store.Batch(batch_id=f"{name}-{device.pk}")
    batch.add_readings(device.pk, readings, ts)
    store.ingest(batch)


def shot(pg, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
