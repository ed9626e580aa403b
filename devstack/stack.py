"""`make run`: the whole product on one machine, from one command.

    python -m devstack.stack run

Prepares a local ``.env`` with generated secrets (first run only), starts the embedded
PostgreSQL and Redis unless DATABASE_URL / CELERY_BROKER_URL name real ones, migrates,
creates the demo admin, loads the demo data center and its collection targets, then runs
until Ctrl-C:

- the simulated fleet (snmpsim and the Modbus simulator on loopback), waited for;
- the web server;
- the central Celery worker (dispatch, ingest, SNMP / Modbus / HTTP polls, notifications);
- the GPU-host agent, standing in for all demo GPU hosts: one worker consuming every
  ``nvml.<host>`` queue with the NVML stand-in, and no database settings, as on a GPU host;
- Celery beat;

and stops all of it (embedded services included). Running it again reuses the database:
nothing is created twice.

The Celery processes (workers, the GPU-host agent, beat) are supervised: one that exits
while the stack runs is logged and restarted after 1 s, 2 s, 4 s ... up to 30 s (back to
1 s once it had run a minute), as compose's ``restart: unless-stopped`` would. Celery 5's
worker can exit when Redis vanishes under it; what it held unacknowledged comes back after
the visibility timeout, so a restart loses nothing. The web server or the simulators
exiting still stops the stack.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import django
from cryptography.fernet import Fernet
from django.conf import settings
from django.core.management import call_command
from django.db import connections

from demo.fleet import plan_file, ready_file
from devstack.services import BASE_DIR, EmbeddedServices, wanted
from telemetry.agent_keys import agent_secret
from telemetry.simulators.building import PLAN_ENV

ENV_FILE = Path(os.environ.get("DCIM_ENV_FILE", BASE_DIR / ".env"))


def pids_file() -> Path:
    """Beside the embedded services: two stacks with their own DCIM_VAR_DIR never stop
    each other's processes as "leftovers"."""
    return EmbeddedServices.from_env().var_dir / "stack.pids"


def ensure_env_file(path: Path = ENV_FILE) -> list[str]:
    """Write generated SECRET_KEY / FIELD_ENCRYPTION_KEY into .env when neither the
    environment nor the file has them. The key must persist: credentials stored with it
    cannot be read without it. Returns the names written."""
    existing = path.read_text() if path.exists() else ""
    names = {line.split("=", 1)[0].strip() for line in existing.splitlines() if "=" in line}
    generated = {
        "SECRET_KEY": lambda: secrets.token_urlsafe(50),
        "FIELD_ENCRYPTION_KEY": lambda: Fernet.generate_key().decode(),
    }
    added = [n for n in generated if n not in names and not os.environ.get(n)]
    if added:
        lines = [f"{n}={generated[n]()}" for n in added]
        header = "" if existing else "# Written by `make run` for this checkout. Keep it secret.\n"
        sep = "" if not existing or existing.endswith("\n") else "\n"
        path.write_text(existing + sep + header + "\n".join(lines) + "\n")
        path.chmod(0o600)
    return added


def port_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def udp_port_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def simulator_ports_free(snmp_port: int, modbus_port: int) -> bool:
    if udp_port_free(snmp_port) and port_free(modbus_port):
        return True
    print(
        f"dcim: simulator port {snmp_port}/udp or {modbus_port}/tcp is in use; set "
        "DCIM_SIM_SNMP_PORT / DCIM_SIM_MODBUS_PORT to free ones.",
        file=sys.stderr,
    )
    return False


def stop_leftovers() -> None:
    """Stop processes a previous run left behind (it was killed, not interrupted)."""
    path = pids_file()
    if not path.exists():
        return
    for pid in (int(p) for p in path.read_text().split() if p.isdigit()):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if any(word in cmdline for word in (b"gunicorn", b"celery", b"telemetry.simulators")):
            _signal_group(pid, signal.SIGTERM)
    path.unlink()


def _signal_group(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


@dataclass(frozen=True)
class Prepared:
    """What the processes need to know from the database and settings."""

    broker_url: str
    nvml_queues: list[str]
    sim_ports: tuple[int, int]  # (SNMP udp, Modbus tcp)


def prepare(out=sys.stdout) -> Prepared:
    """Migrate, collect static files, ensure the demo admin, data center and targets."""
    django.setup()
    # Models need the app registry set up just above; run() picks the settings first.
    from telemetry.models import CollectionTarget, Protocol

    call_command("migrate", interactive=False, verbosity=0)
    print("database migrated", file=out)
    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("ensure_admin", stdout=out)
    call_command("seed_demo", stdout=out)
    call_command("seed_demo_targets", stdout=out)
    call_command("seed_demo_energy", "--background", stdout=out)
    call_command("seed_demo_maintenance", stdout=out)
    call_command("seed_demo_availability", stdout=out)
    nvml = CollectionTarget.objects.filter(protocol=Protocol.NVML, enabled=True)
    prepared = Prepared(
        broker_url=settings.CELERY_BROKER_URL,
        nvml_queues=sorted({t.queue for t in nvml.only("protocol", "address")}),
        sim_ports=(settings.DCIM_SIM_SNMP_PORT, settings.DCIM_SIM_MODBUS_PORT),
    )
    connections.close_all()
    return prepared


# Queues of the central worker; polls have a worker of their own, so a slow poll never
# delays ingest, alerts or notices (ADR 0024); NVML queues belong to the GPU-host agent.
CENTRAL_QUEUES = "celery,ingest,alerts,notify"
POLL_QUEUES = "poll.snmp,poll.modbus,poll.http"
# What a GPU host's agent gets: the broker and the library, never database settings.
AGENT_ENV_KEPT = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "VIRTUAL_ENV")


def processes(port: int, prepared: Prepared) -> dict[str, tuple[list[str], dict | None]]:
    """name -> (command, environment; None: this process's), in start order."""
    bin_dir = Path(sys.executable).parent
    celery = str(bin_dir / "celery")
    agent_env = {k: v for k, v in os.environ.items() if k in AGENT_ENV_KEPT}
    agent_env |= {
        "CELERY_BROKER_URL": prepared.broker_url,
        "NVML_MODULE": "telemetry.simulators.nvml",
        # One agent serves every simulated host, so it signs with each host's key
        # (telemetry.signing); a real GPU host gets only its own DCIM_AGENT_KEY.
        "DCIM_AGENT_SECRET": agent_secret().decode(),
        # The stand-in reads the building the simulators model (demo.fleet writes it).
        PLAN_ENV: str(plan_file()),
        "PYTHONPATH": str(BASE_DIR),
    }
    return {
        "simulators": ([sys.executable, "-m", "demo.fleet"], None),
        "web": (
            [
                str(bin_dir / "gunicorn"),
                "dcim.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--threads",
                "4",
                "--graceful-timeout",
                "5",
                "--log-level",
                "warning",
            ],
            None,
        ),
        "worker": (
            [
                celery,
                "-A",
                "dcim",
                "worker",
                "-l",
                "WARNING",
                "-c",
                "2",
                "-Q",
                CENTRAL_QUEUES,
                "-n",
                "central@%h",
            ],
            None,
        ),
        "poller": (
            [celery, "-A", "dcim", "worker", "-l", "WARNING", "-c", "2", "-Q", POLL_QUEUES]
            + ["-n", "poller@%h"],
            None,
        ),
        "gpu-agent": (
            [
                # -q: no banner listing 252 queues.
                celery,
                "-q",
                "-A",
                "telemetry.agent",
                "worker",
                "-l",
                "WARNING",
                "-c",
                "1",
                "-Q",
                ",".join(prepared.nvml_queues),
                "-n",
                "gpu-agent@%h",
            ],
            agent_env,
        ),
        "beat": ([celery, "-A", "dcim", "beat", "-l", "WARNING"], None),
    }


# Restarted when they exit (ADR 0028); the others exiting stops the stack.
SUPERVISED = frozenset({"worker", "poller", "gpu-agent", "beat"})
RESTART_FIRST_S = 1.0
RESTART_MAX_S = 30.0
RESTART_RESET_AFTER_S = 60.0  # a process that ran this long was healthy: back to 1 s


class Supervised:
    """One child process restarted when it exits, with a doubling delay (1 s, 2 s, ...
    capped at 30 s) so that a process that dies at once does not spin; the delay goes back
    to 1 s once a run lasted a minute. Restarts are counted and logged, never hidden."""

    def __init__(
        self,
        name: str,
        cmd: list[str],
        env: dict | None,
        out=sys.stdout,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name, self.cmd, self.env, self.out, self.clock = name, cmd, env, out, clock
        self.restarts = 0
        self.delay_s = RESTART_FIRST_S
        self.restart_at: float | None = None
        self.started_at = 0.0
        self.proc: subprocess.Popen | None = None

    def start(self) -> subprocess.Popen:
        # Own session: Ctrl-C reaches only the stack, which stops children in order.
        self.proc = subprocess.Popen(self.cmd, env=self.env, start_new_session=True)
        self.started_at, self.restart_at = self.clock(), None
        return self.proc

    def check(self) -> bool:
        """Look once (the stack calls this twice a second); True when a new process was
        started, whose pid the stack must now track."""
        now = self.clock()
        if self.restart_at is not None:
            if now < self.restart_at:
                return False
            self.restarts += 1
            self.start()
            print(f"dcim: {self.name} restarted (restart {self.restarts}).", file=self.out)
            return True
        if self.proc is None or self.proc.poll() is None:
            return False
        ran = now - self.started_at
        if ran >= RESTART_RESET_AFTER_S:
            self.delay_s = RESTART_FIRST_S
        # What the dead process leaves behind (a worker's pool children) goes with it.
        _signal_group(self.proc.pid, signal.SIGKILL)
        print(
            f"dcim: {self.name} exited with code {self.proc.returncode} after {ran:.0f} s; "
            f"restarting in {self.delay_s:.0f} s.",
            file=self.out,
        )
        self.restart_at = now + self.delay_s
        self.delay_s = min(self.delay_s * 2, RESTART_MAX_S)
        return False


def watch(
    children: dict[str, subprocess.Popen],
    supervised: dict[str, Supervised],
    stopped: Callable[[], bool],
    on_restart: Callable[[], None] = lambda: None,
    out=sys.stdout,
    every_s: float = 0.5,
) -> None:
    """Until ``stopped()`` or an unsupervised child exits: restart supervised children
    that exit (``children`` then holds the new process). Nothing is restarted once
    stopping has begun."""
    while not stopped():
        for name, proc in list(children.items()):
            if stopped():
                return
            if name in supervised:
                if supervised[name].check():
                    children[name] = supervised[name].proc
                    on_restart()
            elif proc.poll() is not None:
                print(f"dcim: {name} exited with code {proc.returncode}; stopping.", file=out)
                return
        time.sleep(every_s)


def wait_for_simulators(proc: subprocess.Popen, stopped, timeout: float = 120.0) -> bool:
    """Polls before the fleet answers would only fill the targets' health with timeouts.
    False (and a message) when it exited, took too long, or Ctrl-C came first."""
    deadline = time.monotonic() + timeout
    while not ready_file().exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            print("dcim: the simulated fleet did not start; stopping.", file=sys.stderr)
            return False
        if stopped():
            return False
        time.sleep(0.2)
    return True


def run() -> int:
    os.chdir(BASE_DIR)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dcim.settings")
    os.environ.setdefault("DCIM_HTTPS", "0")  # plain http on loopback for the local stack
    port = int(os.environ.get("PORT", "8000"))
    if written := ensure_env_file():
        print(f"wrote {', '.join(written)} to {ENV_FILE}")
    stop_leftovers()
    if not port_free(port):
        print(f"dcim: port {port} is in use; set PORT to another one.", file=sys.stderr)
        return 1

    services = EmbeddedServices.from_env()
    need_pg, need_redis = wanted()
    services.up(postgres=need_pg, redis=need_redis)
    where = f"embedded in {services.var_dir}"
    print(f"PostgreSQL: {where if need_pg else 'DATABASE_URL'}")
    print(f"Redis:      {where if need_redis else 'CELERY_BROKER_URL'}")
    prepared = prepare()

    children: dict[str, subprocess.Popen] = {}
    supervised: dict[str, Supervised] = {}
    stopping = False

    def write_pids() -> None:
        pids_file().write_text(" ".join(str(p.pid) for p in children.values()))

    def stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        if not simulator_ports_free(*prepared.sim_ports):
            return 1
        for name, (cmd, env) in processes(port, prepared).items():
            child = Supervised(name, cmd, env)
            if name in SUPERVISED:
                supervised[name] = child
            children[name] = child.start()
            write_pids()
            if name == "simulators" and not wait_for_simulators(children[name], lambda: stopping):
                return 1
        print(f"GPU-host agent: {len(prepared.nvml_queues)} nvml.<host> queues, NVML stand-in.")
        print(f"\nDCIM is running at http://127.0.0.1:{port}/  (admin: /admin/)  Ctrl-C stops it.")
        watch(children, supervised, lambda: stopping, on_restart=write_pids)
    finally:
        print("\nstopping web, workers, beat and simulators ...")
        if restarted := {n: s.restarts for n, s in supervised.items() if s.restarts}:
            print("restarts while running: " + ", ".join(f"{n} {k}" for n, k in restarted.items()))
        shutdown(children)
        pids_file().unlink(missing_ok=True)
        if need_pg or need_redis:
            stop_services_unless_used(services)
        print("stopped.")
    return 0


def stop_services_unless_used(services: EmbeddedServices, out=sys.stdout) -> bool:
    """Stop the embedded services, unless another live process (a `make test` beside this
    stack, a shell) still uses them; True when stopped."""
    users = services.other_users()
    if users:
        pids = ", ".join(str(p) for p in users)
        print(
            f"embedded PostgreSQL and Redis left running: still used by process {pids} "
            "(`make services-down` stops them).",
            file=out,
        )
        return False
    services.down()
    return True


def shutdown(children: dict[str, subprocess.Popen], grace: float = 10.0) -> None:
    """SIGTERM to each child itself: celery and gunicorn then stop their own workers (a
    warm shutdown, no WorkerLostError), the fleet stops snmpsim. Whatever is left of a
    child's process group after it exits, or after the grace period, is SIGKILLed."""
    for proc in children.values():
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + grace
    for proc in children.values():
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(max(0.1, deadline - time.monotonic()))
        _signal_group(proc.pid, signal.SIGKILL)
        proc.wait()


if __name__ == "__main__":
    if sys.argv[1:] == ["env"]:  # the benchmarks need the secrets too, on a fresh clone
        written = ensure_env_file()
        print(f"{ENV_FILE}: " + (f"wrote {', '.join(written)}" if written else "up to date"))
        sys.exit(0)
    if sys.argv[1:] != ["run"]:
        sys.exit("usage: python -m devstack.stack run | env")
    sys.exit(run())
