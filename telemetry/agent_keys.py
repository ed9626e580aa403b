"""The server's side of agent signing: the secret every host key derives from.

``TELEMETRY_AGENT_SECRET`` (settings, from the environment) when set; else one derived
from ``SECRET_KEY`` with its own context, so that a stack works without another secret
and the agent keys change when SECRET_KEY is rotated.
"""

from __future__ import annotations

import hashlib

from django.conf import settings

from telemetry import signing


def agent_secret() -> bytes:
    configured = getattr(settings, "TELEMETRY_AGENT_SECRET", "") or ""
    if configured:
        return configured.encode()
    return hashlib.sha256(b"dcim-agent-secret/" + settings.SECRET_KEY.encode()).hexdigest().encode()


def agent_key_hex(host: str) -> str:
    """What to put in DCIM_AGENT_KEY on ``host``."""
    return signing.host_key(agent_secret(), host).hex()
