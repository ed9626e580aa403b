"""Run snmpsim on loopback: one responder process serving many simulated agents.

Every ``*.snmprec`` file in the data directory is one agent: its name is the v2c community
and the v3 context name. The responder runs as the current user (snmpsim would otherwise
drop to ``nobody`` and then fail to import from a root-owned virtualenv), keeps its indexes
in a private cache directory, and only ever listens on 127.0.0.0/8.

    sim = start_snmpsim(data_dir)          # free port chosen, returns once it answers
    ... SnmpTarget("127.0.0.1", port=sim.port, ...)
    sim.stop()
"""

from __future__ import annotations

import grp
import ipaddress
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from telemetry.collectors import snmp_ber as ber


@dataclass(frozen=True)
class V3User:
    """A USM user for the responder; protocol names as snmpsim spells them (SHA, AES ...)."""

    name: str
    auth_key: str = ""
    auth_proto: str = "SHA"
    priv_key: str = ""
    priv_proto: str = "AES"

    def args(self) -> list[str]:
        out = [f"--v3-user={self.name}"]
        if self.auth_key:
            out += [f"--v3-auth-key={self.auth_key}", f"--v3-auth-proto={self.auth_proto}"]
        if self.priv_key:
            out += [f"--v3-priv-key={self.priv_key}", f"--v3-priv-proto={self.priv_proto}"]
        return out


# The demo's v3 user (demo.inventory.catalog "demo-snmp-v3"): none of it protects anything.
DEMO_V3_USER = V3User("demo-ops", "demo-auth-key", "SHA", "demo-priv-key", "AES")


@dataclass
class SnmpSim:
    """A running responder; ``stop()`` ends it and removes its private cache."""

    process: subprocess.Popen
    host: str
    port: int
    data_dir: Path
    cache_dir: Path
    log_path: Path
    _own_cache: bool = field(default=False, repr=False)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        if self._own_cache:
            shutil.rmtree(self.cache_dir, ignore_errors=True)

    def __enter__(self) -> SnmpSim:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def free_udp_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def _answers(host: str, port: int, community: str) -> bool:
    """True when the agent answers a v2c GET of sysUpTime (any answer will do)."""
    body = ber.varbind_list([ber.enc_oid_body("1.3.6.1.2.1.1.3.0")])
    msg = ber.v2c_message(community.encode(), ber.pdu(ber.GET, 1, 0, 0, body))
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(0.3)
        sock.sendto(msg, (host, port))
        try:
            sock.recvfrom(65535)
        except OSError:
            return False
    return True


def start_snmpsim(
    data_dir: str | os.PathLike,
    port: int = 0,
    *,
    host: str = "127.0.0.1",
    v3_users: tuple[V3User, ...] = (DEMO_V3_USER,),
    cache_dir: str | os.PathLike | None = None,
    max_var_binds: int = 64,
    ready_timeout: float = 30.0,
) -> SnmpSim:
    """Start snmpsim serving ``data_dir`` on ``host:port`` (0: a free port); wait for it."""
    if not ipaddress.ip_address(host).is_loopback:
        raise ValueError(f"the SNMP simulator listens on loopback only, not {host}")
    data_dir = Path(data_dir).resolve()
    files = sorted(data_dir.glob("*.snmprec"))
    if not files:
        raise FileNotFoundError(f"no .snmprec files in {data_dir}")
    port = port or free_udp_port(host)
    own_cache = cache_dir is None
    cache = Path(cache_dir or tempfile.mkdtemp(prefix="snmpsim-cache-"))
    cache.mkdir(parents=True, exist_ok=True)
    user = pwd.getpwuid(os.getuid()).pw_name
    group = grp.getgrgid(os.getgid()).gr_name
    cmd = [
        sys.executable,
        "-m",
        "snmpsim.commands.responder",
        f"--data-dir={data_dir}",
        f"--agent-udpv4-endpoint={host}:{port}",
        f"--process-user={user}",
        f"--process-group={group}",
        f"--cache-dir={cache}",
        f"--max-var-binds={max_var_binds}",
        "--log-level=error",
    ]
    for v3 in v3_users:
        cmd += v3.args()
    return launch(
        "snmpsim",
        cmd,
        host,
        port,
        data_dir,
        cache,
        cache / "snmpsim.log",
        own_cache,
        community=files[0].stem,
        ready_timeout=ready_timeout,
    )


def launch(
    what: str,
    cmd: list[str],
    host: str,
    port: int,
    data_dir: Path,
    work_dir: Path,
    log_path: Path,
    own_dir: bool,
    *,
    community: str,
    ready_timeout: float,
) -> SnmpSim:
    """Start an SNMP responder and return once it answers ``community`` (or raise with
    the tail of its log): snmpsim and our fleet agent start the same way."""
    with open(log_path, "wb") as log:
        process = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    sim = SnmpSim(process, host, port, data_dir, work_dir, log_path, own_dir)
    deadline = time.monotonic() + ready_timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sim.stop()
            raise RuntimeError(f"{what} exited ({process.returncode}):\n{sim.log()[-2000:]}")
        if _answers(host, port, community):
            return sim
        time.sleep(0.1)
    sim.stop()
    raise RuntimeError(f"{what} did not answer on {host}:{port} within {ready_timeout} s")
