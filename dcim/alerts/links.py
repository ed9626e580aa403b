"""Links to an alert's subject: the operator page of its GPU, device, rack or target.

A GPU has no page of its own: its row sits in the GPU table of its server's page, so its
link is that page with the table's anchor. A collection target is edited in admin.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse


def device_url(device_id: int) -> str:
    return reverse("dashboard:device", args=[device_id])


def rack_url(rack_id: int) -> str:
    return reverse("dashboard:rack", args=[rack_id])


def gpu_url(device_id: int) -> str:
    return f"{device_url(device_id)}#gpus"  # the table names each GPU by index


def target_url(target_id: int) -> str:
    return reverse("admin:telemetry_collectiontarget_change", args=[target_id])


def subject_url(alert) -> str | None:
    """The page of what the alert is about: GPU, else device, else collection target."""
    if alert.device_id and alert.component.startswith("gpu") and alert.component[3:].isdigit():
        return gpu_url(alert.device_id)
    if alert.device_id:
        return device_url(alert.device_id)
    if alert.target_id:
        return target_url(alert.target_id)
    return None


def absolute(path: str | None) -> str:
    """An absolute URL for emails and webhooks, from DCIM_BASE_URL."""
    base = getattr(settings, "DCIM_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
    return f"{base}{path}" if path else ""
