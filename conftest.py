"""Start the embedded PostgreSQL (unless DATABASE_URL is set) before Django connects."""

import os

from dcim.services import EmbeddedServices


def pytest_configure(config):
    if not os.environ.get("DATABASE_URL"):
        EmbeddedServices.from_env().up(postgres=True, redis=False)
