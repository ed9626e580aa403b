"""The demo's background work: meter history that is too slow to wait for at start-up."""

import subprocess
import sys
from pathlib import Path

from celery import shared_task

# After the first minutes, whose live charts need the worker more (the history is ~90 s
# of building model); and in a process of its own at low priority, so that ingest on the
# worker's other slot keeps its pace meanwhile.
HISTORY_DELAY_S = 45
MANAGE = Path(__file__).resolve().parents[1] / "manage.py"


@shared_task(name="demo.backfill_energy")
def backfill_energy(days: int = 30) -> int:
    """Write the demo's meter history (``demo.energy_history``) and bring the ledger up to
    date (``manage.py seed_demo_energy --days``), so Power & PUE shows a month at once."""
    done = subprocess.run(
        ["nice", "-n", "10", sys.executable, str(MANAGE), "seed_demo_energy", "--days", str(days)],
        check=False,
    )
    return done.returncode
