"""What alerting listens to: stored polls (telemetry's ``poll_stored``) and rule edits.

Connected when ``AlertsConfig.ready()`` imports this module.
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from dcim.alerts import engine, rule_index
from dcim.alerts.models import Rule
from telemetry.signals import poll_stored


@receiver(poll_stored, dispatch_uid="alerts.evaluate_stored_poll")
def _evaluate_stored_poll(sender, *, target, result, **_kwargs) -> None:
    """Rules covering a poll's readings, right after they are stored (decision 0013)."""
    engine.evaluate_poll(target, result)


@receiver(post_save, sender=Rule)
@receiver(post_delete, sender=Rule)
def _rules_changed(**_kwargs) -> None:
    """Rule edits drop this process's compiled rule index (other processes: its TTL)."""
    rule_index.invalidate()
