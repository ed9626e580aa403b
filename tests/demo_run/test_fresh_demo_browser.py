"""A fresh ``make run``, as a new user meets it: what the browser shows in the first minutes.

Starts the whole stack (``python -m devstack.stack run``) on a scratch var directory and free
ports, with its own embedded PostgreSQL and Redis, then, in real Chromium:

- within two minutes of the web server answering, the Floor's inlet view has a value for
  every rack with working servers, and the Overview's IT-load chart has more than one point;
- the device page of each role shows no raw unit word ("joules", "celsius", "bool", ...);
- screenshots of the Overview, the Floor (power and inlet), the GPUs heatmap, a rack and a
  device of each role land in ``test-artifacts/screenshots/demo/``.

About four minutes; skipped (loudly) without Chromium or Playwright.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from dcim.ui.tables import unpooled
from tests.browser.conftest import ARGS, CHROMIUM, _missing, login

BASE_DIR = Path(__file__).resolve().parents[2]
SHOTS = BASE_DIR / "test-artifacts" / "screenshots" / "demo"
PASSWORD = "demo-run-browser-test"
FIRST_MINUTES_S = 120
RAW_UNIT_WORDS = ("joules", "celsius", "bool", "pascals", "voltamperes", "bytes_per_second")
# One device of each role that the demo polls, and the rack shown.
DEVICES = {
    "gpu_server": "H1-A01-DGX01",
    "switch": "H1-A01-LEAF",
    "pdu": "H1-A01-PDU-A",
    "env_sensor": "H1-A01-ENV",
    "ups": "UPS-A",
    "crah": "H1-CRAH-01",
    "cdu": "H1-CDU-01",
    "chiller": "CHILLER-01",
}
NOT_RUNNING = {"H2-D08"}  # the rack being installed: servers on order, sensor dead


def _free_port(kind: int = socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Iterator[dict]:
    why = _missing()
    if why:
        pytest.skip(f"BROWSER TESTS SKIPPED: {why}")
    var = tmp_path_factory.mktemp("demo-var")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL")}
    env |= {
        "DCIM_VAR_DIR": str(var),
        "PORT": str(port),
        "DCIM_SIM_SNMP_PORT": str(_free_port(socket.SOCK_DGRAM)),
        "DCIM_SIM_MODBUS_PORT": str(_free_port()),
        "DCIM_ADMIN_USER": "admin",
        "DCIM_ADMIN_PASSWORD": PASSWORD,
    }
    env.pop("DCIM_BUILDING_PLAN", None)
    log_path = var / "stack.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "devstack.stack", "run"],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 300
        while "DCIM is running" not in log_path.read_text():
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"make run did not start:\n{log_path.read_text()[-3000:]}")
            time.sleep(1)
        yield {
            "url": f"http://127.0.0.1:{port}",
            "up": time.monotonic(),
            "log": log_path,
            "env": env,
        }
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(90)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def page(demo):
    from playwright.sync_api import sync_playwright  # optional package: skipped above

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport={"width": 1440, "height": 1000})
        pg = context.new_page()
        pg.set_default_timeout(30_000)
        login(pg, demo["url"], "admin", PASSWORD)
        yield pg
        browser.close()


def _json(page, url: str) -> dict:
    response = page.request.get(url)
    assert response.ok, f"{url}: {response.status}"
    return json.loads(response.text())


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _until(deadline: float, done, every: float = 5.0) -> bool:
    """Call ``done`` until it returns True or the deadline passes."""
    while not done():
        if time.monotonic() > deadline:
            return False
        time.sleep(every)
    return True


def _missing_inlets(page, base: str) -> list[str]:
    rooms = _json(page, f"{base}/api/floor/?metric=inlet")["rooms"]
    missing = []
    for room in rooms:
        floor = _json(page, f"{base}/api/floor/?metric=inlet&room={room['id']}")
        for rack in floor["racks"] + floor["unplaced"]:
            if rack["name"] not in NOT_RUNNING and "°C" not in (rack["text"] or ""):
                missing.append(rack["name"])
    return missing


def test_first_minutes_show_inlets_and_a_load_curve(demo, page):
    base, deadline = demo["url"], demo["up"] + FIRST_MINUTES_S
    if not _until(deadline, lambda: not _missing_inlets(page, base)):
        missing = _missing_inlets(page, base)
        assert not missing, f"no inlet within {FIRST_MINUTES_S} s for {missing}"

    def points() -> int:
        chart = _json(page, f"{base}/api/overview/it-load/?range=1h")
        return max((len(t.get("x", [])) for t in chart.get("traces", [])), default=0)

    assert _until(deadline, lambda: points() > 1), "the IT-load chart is one point or none"
    page.goto(f"{base}/")
    page.wait_for_timeout(1500)
    _shot(page, "overview")
    for metric in ("power", "inlet"):
        page.goto(f"{base}/floor/?metric={metric}")
        page.wait_for_timeout(1500)
        _shot(page, f"floor-{metric}")
    page.goto(f"{base}/gpus/")
    page.wait_for_timeout(2000)
    _shot(page, "gpus-heatmap")


def _device_url(page, base: str, name: str) -> str:
    results = _json(page, f"{base}/api/search/?q={name}")["tables"]["results"]
    cells = results["cells"] if isinstance(results, dict) else [c for r in results for c in r]
    for c in cells:
        if c.get("t") == name and c.get("h"):
            return base + c["h"]
    raise AssertionError(f"{name} not found by search")


@pytest.mark.parametrize("role", sorted(DEVICES))
def test_device_pages_show_no_raw_unit_words(demo, page, role):
    base = demo["url"]
    url = _device_url(page, base, DEVICES[role])
    page.goto(url)
    page.wait_for_timeout(2500)  # a live refresh, charts drawn
    text = page.inner_text("main") if page.query_selector("main") else page.inner_text("body")
    found = [w for w in RAW_UNIT_WORDS if w in text.lower()]
    _shot(page, f"device-{role}")
    assert not found, f"{DEVICES[role]} shows {found}"


def test_a_rack_page(demo, page):
    base = demo["url"]
    floor = _json(page, f"{base}/api/floor/?metric=power")
    rack = next(r for r in floor["racks"] if r["name"] == "H1-A01")
    page.goto(base + rack["href"])
    page.wait_for_timeout(1500)
    _shot(page, "rack-H1-A01")
    assert "°C" in page.inner_text("body")


# Meter history is written in the background (~90 s of building model on an idle laptop,
# niced) and then the ledger runs: Power & PUE has a week of PUE within minutes of start.
# On a two-core machine shared with the running stack's workers it took past 480 s in one
# of three fresh-clone runs (coverage 67 % at the deadline): the wait is 900 s, and it
# ends as soon as the figure is there.
ENERGY_WITHIN_S = 900


def _energy_command(demo, period: str) -> dict:
    out = subprocess.run(
        [sys.executable, "manage.py", "energy", "--site", "demo", "--period", period, "--json"],
        cwd=BASE_DIR,
        env=demo["env"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(out.stdout)


def test_power_and_pue_shows_a_plausible_pue_the_energy_command_states(demo, page):
    base, deadline = demo["url"], demo["up"] + ENERGY_WITHIN_S

    def week() -> dict:
        return _json(page, f"{base}/energy/api/")["figures"]["7d"]

    assert _until(deadline, lambda: week().get("pue") is not None and not week()["withheld"]), (
        f"no 7-day PUE within {ENERGY_WITHIN_S} s: {week()}"
    )
    for _ in range(2):  # figures count ended hours: read page and command within one hour
        hour = time.time() // 3600
        page.goto(f"{base}/energy/")
        page.wait_for_timeout(1500)
        shown = {
            name: page.locator(f"#pue-7d [data-{name}]").inner_text()
            for name in ("pue", "category", "coverage")
        }
        command = _energy_command(demo, "7d")
        if time.time() // 3600 == hour:
            break
    _shot(page, "power-pue")
    assert 1.1 < command["pue"] < 1.6
    assert shown["pue"] == f"{command['pue']:.2f}"
    assert shown["category"] == command["category_words"]
    assert command["category"] in ("PUE1", "PUE2")
    assert f"{command['coverage'] * 100:.0f} %" in shown["coverage"]


# The demo polls its HA pairs every 30 s (demo.targets.SNMP_DEFAULT_S).
POLL_S = 30
LB_GROUP = "API load balancers"


def _lb_state(page, base: str) -> tuple[str, str, int]:
    """(active member, state word, failover records) of the load-balancer group."""
    tables = _json(page, f"{base}/ha/api/")["tables"]
    (row,) = [r for r in unpooled(tables["groups"]) if r[0]["t"] == LB_GROUP]
    records = sum(1 for r in unpooled(tables["failovers"]) if r[1]["t"] == LB_GROUP)
    return row[5]["t"], row[2]["t"], records


def test_an_injected_failover_shows_on_the_ha_page_within_two_polls(demo, page):
    base = demo["url"]
    state: dict = {}

    def polled() -> bool:
        state["before"] = _lb_state(page, base)
        return state["before"][0] in ("LB-01", "LB-02")

    assert _until(time.monotonic() + 180, polled), f"LB pair never polled: {state}"
    was_active, _, records = state["before"]
    subprocess.run(
        [sys.executable, "manage.py", "demo_inject", "failover", "LB"],
        cwd=BASE_DIR,
        env=demo["env"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    injected = time.monotonic()

    def switched() -> bool:
        state["after"] = _lb_state(page, base)
        return state["after"][0] not in ("", was_active, "—") and state["after"][2] > records

    assert _until(injected + 2 * POLL_S + 10, switched, every=2.0), (
        f"no failover record within two polls of {POLL_S} s: {state}"
    )
    now_active = state["after"][0]
    page.goto(f"{base}/ha/")
    rows = page.locator("table tr", has_text=LB_GROUP)
    failover = rows.filter(has_text=was_active).filter(has_text=now_active).first
    failover.wait_for(timeout=15_000)
    # The old master reports a fault for 90 s after the switch: the pair has lost its spare.
    assert page.locator("table tr", has_text=LB_GROUP).filter(has_text="Degraded").count() >= 1
    _shot(page, "ha-after-failover")


REPORTS = ("daily_operations", "weekly_capacity", "monthly_energy", "monthly_availability")


@pytest.mark.parametrize("report", REPORTS)
def test_each_report_renders_for_the_running_demo(demo, page, report):
    import io

    from pypdf import PdfReader

    base = f"{demo['url']}/reports/preview/{report}/demo"
    assert _json(page, f"{base}/api/")  # every figure and table, raw
    response = page.goto(f"{base}/")
    assert response.ok, f"{report} preview: {response.status}"
    _shot(page, f"report-{report}")
    pdf = page.request.get(f"{base}/pdf/")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages)
    assert "Demo AI Campus" in text, text[:500]
