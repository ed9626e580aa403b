"""Real peers on loopback for the notification tests: an SMTP listener and HTTP receivers."""

from __future__ import annotations

import email
import http.server
import json
import socket
import threading
import time
from email.message import Message

from aiosmtpd.controller import Controller


class Inbox:
    """aiosmtpd handler keeping every message, parsed, with the time it arrived."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.arrived: list[float] = []
        self.event = threading.Event()

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append(email.message_from_bytes(envelope.content))
        self.arrived.append(time.perf_counter())
        self.event.set()
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_smtp() -> tuple[Controller, Inbox]:
    """An aiosmtpd listener on a free loopback port (aiosmtpd 1.4 cannot use port 0)."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    return controller, inbox


class Receiver(http.server.ThreadingHTTPServer):
    """Answers POSTs with the next status of ``script`` (the last repeats), after ``delay``."""

    def __init__(self, script: list[int], delay: float = 0.0) -> None:
        self.script, self.delay = list(script), delay
        self.bodies: list[dict] = []
        self.headers_seen: list[dict] = []
        super().__init__(("127.0.0.1", 0), _Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hook"

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        srv: Receiver = self.server  # type: ignore[assignment]
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        srv.bodies.append(json.loads(body))
        srv.headers_seen.append(dict(self.headers))
        status = srv.script.pop(0) if len(srv.script) > 1 else srv.script[0]
        if srv.delay:
            time.sleep(srv.delay)
        try:
            self.send_response(status)
            self.end_headers()
            self.wfile.write(b"ok")
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args) -> None:
        pass
