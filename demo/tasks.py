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


# A month of building model takes ~90 s on an idle laptop and several minutes on a busy
# two-core one: well past the default task limits (settings: 240 s soft), which would kill
# it half way and leave a ragged history. Acknowledged on receipt (not late): a run past the
# broker's visibility timeout (1000 s) would otherwise be handed to a second worker while
# the first still writes; a worker lost mid-run loses only the demo's history, which
# `manage.py seed_demo_energy` writes again.
@shared_task(name="demo.backfill_energy", soft_time_limit=1800, time_limit=1860, acks_late=False)
def backfill_energy(days: int = 30) -> int:
    """Write the demo's meter history (``demo.energy_history``) and bring the ledger up to
    date (``manage.py seed_demo_energy --days``), so Power & PUE shows a month at once."""
    done = subprocess.run(
        ["nice", "-n", "10", sys.executable, str(MANAGE), "seed_demo_energy", "--days", str(days)],
        check=False,
    )
    return done.returncode
