"""One webhook POST, the careful way: checked target, one deadline, no redirects.

Why not ``urllib.request.urlopen``: its timeout is per socket operation (a receiver that
trickles a byte a second holds the worker for as long as it likes), it follows redirects
(forwarding our secret header to whatever origin the ``Location`` names, and reporting
success though the body never reached the receiver), and it resolves the host itself, so
the address we checked is not necessarily the address it connects to.

Here the host is resolved once, every address is checked (``target_policy``) before any
connection, the connection goes to a checked address (TLS still verifies the host name),
and a watchdog shuts the socket at the deadline whatever the receiver does. A 3xx is a
failure: the body was not delivered to the URL the admin configured.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from dcim.alerts.target_policy import TargetRefused, check_address, redact

# How much of the answer we read: enough to finish the exchange, never a whole page.
MAX_ANSWER_BYTES = 4096


class DeadlineExceeded(Exception):
    """The whole exchange (resolve, connect, send, answer) took longer than allowed."""


@dataclass(frozen=True)
class Answer:
    status: int
    reason: str
    location: str


def resolve(host: str, port: int) -> list[str]:
    """Every address the name resolves to (all must pass the policy, not just the first)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


def post(
    url: str,
    body: bytes,
    headers: dict[str, str],
    deadline_s: float,
    allow_private: bool,
    allow_loopback: bool,
) -> Answer:
    """POST ``body`` to ``url``; the answer's status. Raises TargetRefused before any
    connection to a refused address, DeadlineExceeded past ``deadline_s`` in all, OSError
    or http.client.HTTPException on a broken exchange."""
    started = time.monotonic()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TargetRefused(f"{redact(url)} is not an http(s) URL")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    addresses = resolve(parts.hostname, port)
    for address in addresses:
        check_address(address, allow_private=allow_private, allow_loopback=allow_loopback)
    remaining = deadline_s - (time.monotonic() - started)
    if remaining <= 0:
        raise DeadlineExceeded
    sock = socket.create_connection((addresses[0], port), timeout=remaining)
    expired = threading.Event()

    def cut() -> None:  # the watchdog: a blocked recv returns at once
        expired.set()
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)

    watchdog = threading.Timer(max(0.0, deadline_s - (time.monotonic() - started)), cut)
    watchdog.start()
    try:
        if parts.scheme == "https":
            context = ssl.create_default_context()
            sock = context.wrap_socket(sock, server_hostname=parts.hostname)
        connection = _Connection(parts.hostname, port, sock, parts.scheme)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection.request("POST", target, body=body, headers=headers)
        response = connection.getresponse()
        response.read(MAX_ANSWER_BYTES)
        if expired.is_set():  # the answer was cut short by the watchdog
            raise DeadlineExceeded
        return Answer(response.status, response.reason, response.getheader("Location", ""))
    except (OSError, http.client.HTTPException):
        if expired.is_set():
            raise DeadlineExceeded from None
        raise
    finally:
        watchdog.cancel()
        sock.close()


class _Connection(http.client.HTTPConnection):
    """An HTTP connection over a socket we opened (to a checked address) ourselves."""

    def __init__(self, host: str, port: int, sock: socket.socket, scheme: str) -> None:
        super().__init__(host, port)
        self.default_port = 443 if scheme == "https" else 80  # the Host header omits it
        self.sock = sock

    def connect(self) -> None:  # already connected; never resolve the name again
        pass
