"""Where a webhook may go, and how its URL is shown.

A webhook URL is an address an Admin types, reached from inside the data centre's network:
left open, it is a way to make the server talk to cloud metadata services (169.254.169.254,
fd00:ec2::254: instance credentials), link-local devices and internal services. So the
resolved address (not the name, which could point anywhere) is checked before any
connection: link-local and metadata are always refused; private, shared (CGNAT) and other
non-global ranges unless ``ALERTS_WEBHOOK_ALLOW_PRIVATE``; loopback unless
``ALERTS_WEBHOOK_ALLOW_LOOPBACK`` (the tests' local receivers).

A Slack-style webhook URL *is* the secret (its path is the token), so it is never written
into an error, the alert history or a page: only ``scheme://host/…``.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

METADATA = {
    ipaddress.ip_address("169.254.169.254"),  # AWS, GCP, Azure, OpenStack
    ipaddress.ip_address("fd00:ec2::254"),  # AWS over IPv6
}
LINK_LOCAL = [ipaddress.ip_network("169.254.0.0/16"), ipaddress.ip_network("fe80::/10")]


class TargetRefused(Exception):
    """The webhook's address is one this server must not reach."""


def redact(url: str) -> str:
    """``https://hooks.example.com/services/T0/B0/XXXX`` -> ``https://hooks.example.com/…``"""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return "(unreadable URL)"
    if ":" in host:
        host = f"[{host}]"
    shown = f"{parts.scheme}://{host}{f':{port}' if port else ''}"
    return f"{shown}/…" if (parts.path not in ("", "/") or parts.query) else f"{shown}/"


def check_address(address: str, *, allow_private: bool, allow_loopback: bool) -> None:
    """Raise TargetRefused with the reason when ``address`` (an IP) is not allowed."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # fe80::1%eth0
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if ip in METADATA:
        raise TargetRefused(f"{ip} is a cloud metadata address")
    if any(ip in net for net in LINK_LOCAL):
        raise TargetRefused(f"{ip} is a link-local address")
    if ip.is_loopback:
        if not allow_loopback:
            raise TargetRefused(f"{ip} is a loopback address (ALERTS_WEBHOOK_ALLOW_LOOPBACK)")
        return
    if ip.is_multicast or ip.is_unspecified or ip.is_reserved:
        raise TargetRefused(f"{ip} is not a unicast address")
    if not ip.is_global and not allow_private:
        raise TargetRefused(f"{ip} is a private address (ALERTS_WEBHOOK_ALLOW_PRIVATE)")
