"""Locust users of bench_load: signed-in operators as a browser drives the pages.

Each user signs in once (GET the login form for its CSRF token, POST the credentials),
then behaves like an open browser tab: now and then it opens a page, and in between it
asks JSON twins the way a page's live refresh does. The pace is the product's own: one
request per user every ``refresh_s`` (the shortest poll interval, 15 s in the demo), set
by bench.load through LOAD_PACE_S; a stress run asks every 2-8 s (LOAD_THINK_S) and the
one-user baseline at once. The URLs come from LOAD_TARGETS (JSON: [[name, url, kind], ...],
kind "page" or "json"), written by bench.load from bench.pages.targets(), so new pages are
loaded as soon as they are listed.
"""

from __future__ import annotations

import json
import os
import random
import re

import gevent
from locust import between, constant_pacing, events, task
from locust.contrib.fasthttp import FastHttpUser

TARGETS = json.loads(os.environ["LOAD_TARGETS"])
PAGES = [(name, url) for name, url, kind in TARGETS if kind == "page"]
JSON = [(name, url) for name, url, kind in TARGETS if kind == "json"]
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@events.test_start.add_listener
def _measure_after_sign_in(environment, **_kwargs) -> None:
    """Statistics start over once every user has had time to sign in (bench/load.py)."""
    delay = float(os.environ.get("LOAD_MEASURE_AFTER_S", "0"))
    if delay > 0:
        gevent.spawn_later(delay, environment.stats.reset_all)


# How often each user asks: LOAD_PACE_S (a task every N seconds, as an open tab's live
# refresh asks every refresh_s, 15 s in the demo), else LOAD_THINK_S ("a,b": think time).
PACE_S = float(os.environ.get("LOAD_PACE_S", "0"))
THINK_S = [float(x) for x in os.environ.get("LOAD_THINK_S", "2,8").split(",")]


class Operator(FastHttpUser):
    # FastHttpUser (geventhttpclient): a fifth of python-requests' CPU per request, which on
    # a two-core machine is CPU the server under test keeps.
    wait_time = constant_pacing(PACE_S) if PACE_S > 0 else between(*THINK_S)

    def on_start(self) -> None:
        form = self.client.get("/login/", name="login form")
        token = CSRF.search(form.text)
        with self.client.post(
            "/login/",
            {
                "username": os.environ["LOAD_USER"],
                "password": os.environ["LOAD_PASSWORD"],
                "csrfmiddlewaretoken": token.group(1) if token else "",
            },
            headers={"Referer": f"{self.host}/login/"},
            allow_redirects=False,
            catch_response=True,
            name="login",
        ) as response:
            # Signed in: a redirect away from the form. The form again: refused.
            if response.status_code != 302:
                response.failure(f"sign-in refused ({response.status_code})")

    def _get(self, name: str, url: str) -> None:
        """Anything but a 200 counts as an error: a redirect to the login page is a lost
        session, not a page served."""
        with self.client.get(
            url, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                why = getattr(response, "error", None)
                response.failure(f"HTTP {response.status_code}" + (f": {why!r}" if why else ""))

    @task(1)
    def open_page(self) -> None:
        self._get(*random.choice(PAGES))  # noqa: S311 (which page, not a secret)

    @task(4)
    def refresh(self) -> None:
        self._get(*random.choice(JSON))  # noqa: S311
