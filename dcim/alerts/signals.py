"""Rule edits drop this process's compiled rule index (other processes refresh on a TTL)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from dcim.alerts.models import Rule


@receiver(post_save, sender=Rule)
@receiver(post_delete, sender=Rule)
def _rules_changed(**_kwargs) -> None:
    from dcim.alerts.rules import invalidate

    invalidate()
