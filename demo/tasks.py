"""The demo's background work: meter history that is too slow to wait for at start-up."""

from celery import shared_task

from dcim.energy.ledger import update_ledger
from demo.energy_history import backfill


@shared_task(name="demo.backfill_energy")
def backfill_energy(days: int = 30) -> dict:
    """Write the demo's meter history (``demo.energy_history``), then bring the ledger up
    to date so Power & PUE shows it without waiting for the next ledger run."""
    written = backfill(days)
    report = update_ledger()
    return {"values": written, "ledger_hours": report.hours}
