"""Start the embedded PostgreSQL (unless DATABASE_URL is set) before Django connects, lend
tests the embedded-services runner (tooling the product itself never imports), and give
every app's tests the same users and logged-in clients.

The user fixtures never make a superuser: pytest-django's ``admin_user``/``admin_client``
are superusers, whose every permission check passes and so would hide a missing
permission. Here an "admin" is a user in the Admin role (``admin_role_user``).
"""

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.test import Client

from dcim.inventory.tests.factories import PASSWORD, unique
from dcim.inventory.tests.factories import make_user as make_role_user
from devstack.services import EmbeddedServices


def pytest_configure(config):
    if not os.environ.get("DATABASE_URL"):
        EmbeddedServices.from_env().up(postgres=True, redis=False)


@pytest.fixture
def private_redis():
    """A Redis of the test's own, on a unix socket under a short temporary path (the
    socket path must stay under 107 bytes); yields its broker URL."""
    workdir = Path(tempfile.mkdtemp(prefix="redis-", dir="/tmp"))
    services = EmbeddedServices(workdir / "var")
    services.up(postgres=False, redis=True)
    yield services.broker_url()
    services.stop_redis()
    shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def fresh_rule_caches():
    """The alert rule index and the store's registry (device facts, series ids) are
    process caches: they must not outlive a test's rolled-back transaction. Test packages
    that evaluate rules make this autouse in their conftest."""
    from dcim.alerts import rule_index
    from telemetry.store.db import clear_caches

    rule_index.invalidate()
    clear_caches()
    yield
    rule_index.invalidate()
    clear_caches()


# -- users and logged-in clients ---------------------------------------------------------------


@pytest.fixture
def make_user(db) -> Callable[..., User]:
    """``make_user("alice", role="Viewer")``: a user with the factories' ``PASSWORD`` and
    that role (Viewer, Operator or Admin; none if not given); a unique name if not given."""

    def make(username: str | None = None, role: str | None = None) -> User:
        if role:
            return make_role_user(role, username)
        return get_user_model().objects.create_user(username or unique("user"), password=PASSWORD)

    return make


def _logged_in(user: User) -> Client:
    """A client of its own (the ``client`` fixture stays anonymous) logged in as ``user``."""
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def viewer_client(make_user) -> Client:
    """Logged in as "vera", a Viewer."""
    return _logged_in(make_user("vera", role="Viewer"))


@pytest.fixture
def operator_client(make_user) -> Client:
    """Logged in as "otto", an Operator."""
    return _logged_in(make_user("otto", role="Operator"))


@pytest.fixture
def admin_role_user(make_user) -> User:
    """A non-superuser in the Admin role (staff, with the Admin group's permissions)."""
    return make_user(role="Admin")


@pytest.fixture
def admin_role_client(admin_role_user) -> Client:
    return _logged_in(admin_role_user)
