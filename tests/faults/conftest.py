"""Fixtures of the fault tests: a scratch broker and the test's worker processes."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

from tests.faults.harness import Broker, Processes


@pytest.fixture
def broker():
    broker = Broker()
    yield broker
    broker.close()


@pytest.fixture
def procs():
    logs = Path(tempfile.mkdtemp(prefix="fault-logs-", dir="/tmp"))
    procs = Processes(logs)
    yield procs
    procs.stop()
    shutil.rmtree(logs, ignore_errors=True)
