"""bench_load: signed-in users over the pages and JSON twins, against gunicorn.

Gunicorn is started as ``make run`` starts it (same workers and threads, dcim.wsgi, which
freezes the loaded heap) on a free loopback port, over a database that holds the demo and
days of history (bench_pages' database). Locust runs in its own process (it patches the
socket library with gevent, which must not happen inside Django's process) with
bench/locustfile.py, twice: one user first, the baseline, then the load. Each run's
figures come from locust's CSV statistics: requests, failures, p50 / p99 per endpoint
and in total. The ratio p99(load) / p99(one user) says what the crowd costs each user.
"""

from __future__ import annotations

import csv
import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

WORKERS, THREADS = "2", "4"  # as devstack.stack starts the web process for make run


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(database: str, port: int, log: Path) -> subprocess.Popen:
    bin_dir = Path(sys.executable).parent
    env = dict(os.environ, DCIM_DATABASE_NAME=database, DCIM_HTTPS="0")
    cmd = [str(bin_dir / "gunicorn"), "dcim.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    cmd += ["--workers", WORKERS, "--threads", THREADS, "--log-level", "warning"]
    proc = subprocess.Popen(
        cmd, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2):
                return proc
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.5)
    proc.kill()
    raise RuntimeError(f"gunicorn did not answer on port {port}: see {log}")


# Users sign in at this many per second: each sign-in hashes a password (PBKDF2, about
# 0.3-0.5 s of CPU here), which is deliberate and is not what the pages cost.
SIGN_INS_PER_S = 5


def run_locust(
    host: str,
    users: int,
    seconds: int,
    targets: list,
    user: str,
    password: str,
    work: Path,
    pace_s: float = 0.0,
    think_s: str = "2,8",
) -> dict:
    """One headless locust run; its total and per-endpoint figures over the ``seconds``
    after every user is signed in (the statistics start over then: see locustfile.py)."""
    prefix = work / f"locust-{users}"
    env = dict(
        os.environ,
        LOAD_TARGETS=json.dumps(targets),
        LOAD_USER=user,
        LOAD_PASSWORD=password,
        LOAD_THINK_S=think_s,
        LOAD_PACE_S=str(pace_s),
    )
    # Measure once every user is signed in, with room for sign-ins queued behind others.
    ramp_s = 0 if users == 1 else users // SIGN_INS_PER_S + 20
    env["LOAD_MEASURE_AFTER_S"] = str(ramp_s)
    cmd = [sys.executable, "-m", "locust", "-f", str(Path(__file__).with_name("locustfile.py"))]
    cmd += ["--headless", "--host", host, "-u", str(users), "-r", str(SIGN_INS_PER_S)]
    cmd += ["-t", f"{ramp_s + seconds}s", "--csv", str(prefix)]
    cmd += ["--only-summary", "--stop-timeout", "10"]
    subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=ramp_s + seconds + 120)
    return read_stats(prefix.with_name(prefix.name + "_stats.csv"))


def sign_in_ms(host: str, user: str, password: str, times: int = 5) -> list[float]:
    """Milliseconds of ``times`` sign-ins through the login form, one after another."""
    took = []
    for _ in range(times):
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        form = opener.open(f"{host}/login/", timeout=30).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
        body = urllib.parse.urlencode(
            {"username": user, "password": password, "csrfmiddlewaretoken": token.group(1)}
        ).encode()
        request = urllib.request.Request(  # noqa: S310 (http://127.0.0.1 only)
            f"{host}/login/", data=body, headers={"Referer": f"{host}/login/"}
        )
        t = time.perf_counter()
        opener.open(request, timeout=30).read()
        took.append(round((time.perf_counter() - t) * 1000, 1))
    return took


def _ms(text: str) -> float | None:
    """A percentile column of locust's CSV: "N/A" where an endpoint had no request."""
    try:
        return float(text)
    except ValueError:
        return None


def read_stats(path: Path) -> dict:
    endpoints: dict = {}
    total: dict = {}
    with path.open() as f:
        for row in csv.DictReader(f):
            figures = {
                "requests": int(row["Request Count"]),
                "errors": int(row["Failure Count"]),
                "p50_ms": _ms(row["50%"]),
                "p99_ms": _ms(row["99%"]),
                "rps": round(float(row["Requests/s"]), 2),
            }
            if row["Name"] == "Aggregated":
                total = figures
            else:
                endpoints[row["Name"]] = figures
    return {"total": total, "endpoints": endpoints}


def measure(
    database: str,
    targets: list,
    user: str,
    password: str,
    users: int,
    seconds: int,
    pace_s: float,
    log,
    stress_think_s: str | None = "2,8",
) -> dict:
    """Baseline (one user asking at once), the load at the product's pace (one request per
    user every ``pace_s``), and, unless None, a stress run at ``stress_think_s``."""
    work = Path(tempfile.mkdtemp(prefix="bench-load-"))
    port = free_port()
    proc = start_gunicorn(database, port, work / "gunicorn.log")
    host = f"http://127.0.0.1:{port}"
    args = (targets, user, password, work)
    try:
        signin = sign_in_ms(host, user, password)
        log(f"baseline: 1 user for 30 s against {host}…")
        baseline = run_locust(host, 1, 30, *args, think_s="0.1,0.3")
        log(f"load: {users} users, one request each every {pace_s:g} s, for {seconds} s…")
        load = run_locust(host, users, seconds, *args, pace_s=pace_s)
        stress = None
        if stress_think_s:
            log(f"stress: {users} users asking every {stress_think_s} s, for {seconds} s…")
            stress = run_locust(host, users, seconds, *args, think_s=stress_think_s)
    finally:
        proc.terminate()
        proc.wait(15)
    b, lo = baseline["total"], load["total"]
    return {
        "users": users,
        "seconds": seconds,
        "pace_s": pace_s,
        "gunicorn": {"workers": int(WORKERS), "threads": int(THREADS)},
        "cpus": os.cpu_count(),
        "sign_in_ms": signin,
        "baseline_1_user": baseline,
        "load": load,
        "stress": stress,
        "stress_think_s": stress_think_s,
        "errors": lo["errors"],
        "p50_ms": lo["p50_ms"],
        "p99_ms": lo["p99_ms"],
        "ratio_p99_load_over_baseline": (
            round(lo["p99_ms"] / b["p99_ms"], 2) if b["p99_ms"] and lo["p99_ms"] else None
        ),
        "target": {"errors": 0, "p99_ms": 500},
        "meets_target": lo["errors"] == 0 and (lo["p99_ms"] or 0) <= 500,
    }
