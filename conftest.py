"""Start the embedded PostgreSQL (unless DATABASE_URL is set) before Django connects, and
lend tests the embedded-services runner (tooling the product itself never imports)."""

import os
import shutil
import tempfile
from pathlib import Path

import pytest

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
