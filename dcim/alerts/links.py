"""Links to an alert's subject: the operator page of its GPU, device, rack or target.

A GPU has no page of its own: its row sits in the GPU table of its server's page, so its
link is that page with the table's anchor. A collection target is edited in admin.

Pages that list many alerts use ``SubjectLinks`` (or ``linker``) rather than the functions:
``reverse()`` costs ~50 µs a call and the Alerts page links a few hundred times.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.urls import reverse

from dcim.ui.tables import linker

GPU_ANCHOR = "#gpus"  # the GPU table of a server's page, which names each GPU by index


def device_url(device_id: int) -> str:
    return reverse("dashboard:device", args=[device_id])


def rack_url(rack_id: int) -> str:
    return reverse("dashboard:rack", args=[rack_id])


def gpu_url(device_id: int) -> str:
    return f"{device_url(device_id)}{GPU_ANCHOR}"


def target_url(target_id: int) -> str:
    return reverse("admin:telemetry_collectiontarget_change", args=[target_id])


def subject_url(alert) -> str | None:
    """The page of what the alert is about: GPU, else device, else collection target."""
    return _subject(alert, device_url, target_url)


class SubjectLinks:
    """Subject and rack links for a page of alerts, each URL pattern resolved once."""

    def __init__(self) -> None:
        self.device = linker("dashboard:device")
        self.rack = linker("dashboard:rack")
        self.target = linker("admin:telemetry_collectiontarget_change")

    def subject(self, alert) -> str | None:
        """Same as ``subject_url(alert)``."""
        return _subject(alert, self.device, self.target)


def _subject(alert, device: Callable[[int], str], target: Callable[[int], str]) -> str | None:
    if alert.device_id and alert.component.startswith("gpu") and alert.component[3:].isdigit():
        return f"{device(alert.device_id)}{GPU_ANCHOR}"
    if alert.device_id:
        return device(alert.device_id)
    if alert.target_id:
        return target(alert.target_id)
    return None


def absolute(path: str | None) -> str:
    """An absolute URL for emails and webhooks, from DCIM_BASE_URL."""
    base = getattr(settings, "DCIM_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
    return f"{base}{path}" if path else ""
