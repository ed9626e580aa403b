"""Print the signing key of one GPU host's agent (its DCIM_AGENT_KEY).

    manage.py agent_key gpu-node-17

The key is derived from the server's agent secret (TELEMETRY_AGENT_SECRET, else from
SECRET_KEY) and the host name; give each host only its own (telemetry.signing).
"""

from django.core.management.base import BaseCommand

from telemetry.agent_keys import agent_key_hex


class Command(BaseCommand):
    help = "Print the DCIM_AGENT_KEY for one GPU host's agent."
    requires_system_checks = []

    def add_arguments(self, parser) -> None:
        parser.add_argument("host", help="the host name, as in its NVML target's address")

    def handle(self, *args, host: str, **options) -> None:
        self.stdout.write(agent_key_hex(host))
