"""Stopping `make run` leaves the embedded PostgreSQL up while a `make test` beside it
still uses it (issue 15); the last user gone, it stops as before."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time

import psycopg
import pytest

from devstack.services import DATABASE_NAME, EmbeddedServices
from devstack.stack import stop_services_unless_used

# A second process using the services as `make test` does: its settings point at them.
USER = """
import time, psycopg
from devstack.services import EmbeddedServices
svc = EmbeddedServices.from_env()
svc.database_settings()
with psycopg.connect(svc.database_url()) as conn:
    print("connected", flush=True)
    while True:
        conn.execute("SELECT 1")
        time.sleep(0.1)
"""


@pytest.fixture
def services(tmp_path):
    svc = EmbeddedServices(tmp_path / "var")
    yield svc
    svc.down()


def test_registered_users_are_live_processes_only(tmp_path):
    svc = EmbeddedServices(tmp_path / "var")
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        svc.register_user(sleeper.pid)
        svc.register_user()  # this process: never counted as "another" user
        assert svc.other_users() == [sleeper.pid]
    finally:
        sleeper.kill()
        sleeper.wait()
    assert svc.other_users() == []
    assert not (svc.users_dir / str(sleeper.pid)).exists()  # a dead pid's file is pruned


def test_the_stack_stops_postgres_only_when_no_one_else_uses_it(services):
    services.up(postgres=True, redis=False)
    env = os.environ | {"DCIM_VAR_DIR": str(services.var_dir)}
    tester = subprocess.Popen(
        [sys.executable, "-c", USER], env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert tester.stdout.readline().strip() == "connected"
        out = io.StringIO()
        assert stop_services_unless_used(services, out) is False
        assert f"still used by process {tester.pid}" in out.getvalue()
        time.sleep(0.3)
        assert services.pg_running() and tester.poll() is None  # the tester still runs
        with psycopg.connect(services.database_url()) as conn:
            assert conn.execute("SELECT current_database()").fetchone()[0] == DATABASE_NAME
    finally:
        tester.kill()
        tester.wait()
    assert stop_services_unless_used(services, io.StringIO()) is True
    assert not services.pg_running()


def test_an_exited_unreaped_process_is_not_a_user(tmp_path):
    svc = EmbeddedServices(tmp_path / "var")
    quick = subprocess.Popen([sys.executable, "-c", "pass"])
    svc.register_user(quick.pid)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and svc.other_users():  # exits, stays a zombie
        time.sleep(0.05)
    try:
        assert svc.other_users() == []
    finally:
        quick.wait()
