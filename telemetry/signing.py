"""Per-agent keys: a GPU-host agent signs what it sends, ingest checks whose it is.

The broker carries results from every GPU host to the ingest workers, so without a check
any host (or anyone who reaches the broker) could store readings for any target id, a
PDU's included, and reset its failure count. Each agent therefore holds a key of its own,
derived from one server-side secret and the agent's host name::

    host key = HMAC-SHA256(secret, "dcim-agent-key/" + host)

The server derives any host's key when it checks; a host is given only its own (``manage.py
agent_key <host>`` prints it), so a compromised host cannot sign for another. A result is
signed over its canonical JSON together with the target id and the host it claims, and
ingest accepts it only for an NVML target whose address is that host. Plain Python, no
Django: the agent imports it and holds no database settings.
"""

from __future__ import annotations

import hashlib
import hmac
import json

KEY_CONTEXT = b"dcim-agent-key/"


class SignatureError(Exception):
    """A result that is not signed by the agent of the host it claims."""


def host_key(secret: bytes, host: str) -> bytes:
    """The key of one agent, from the server's secret and the agent's host name."""
    if not secret:
        raise SignatureError("no agent signing secret is configured")
    return hmac.new(secret, KEY_CONTEXT + host.encode(), hashlib.sha256).digest()


def _message(target_id: int, host: str, result: dict) -> bytes:
    body = {"target": target_id, "host": host, "result": result}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def sign(key: bytes, target_id: int, host: str, result: dict) -> str:
    """Hex HMAC-SHA256 of a result for a target, as sent by the agent of ``host``."""
    return hmac.new(key, _message(target_id, host, result), hashlib.sha256).hexdigest()


def verify(secret: bytes, target_id: int, host: str, result: dict, signature: str) -> None:
    """Raise SignatureError unless ``signature`` is ``host``'s agent's over this result."""
    if not isinstance(signature, str) or not isinstance(host, str) or not host:
        raise SignatureError("the result is not signed")
    try:
        expected = sign(host_key(secret, host), target_id, host, result)
    except (TypeError, ValueError) as exc:  # not JSON-shaped: cannot be what was signed
        raise SignatureError(f"the result cannot be checked: {exc}") from None
    if not hmac.compare_digest(expected, signature):
        raise SignatureError(f"bad signature for a result claimed by host {host[:100]!r}")
