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

    def __init__(self, script: list[int], delay: float = 0.0, location: str = "") -> None:
        self.script, self.delay, self.location = list(script), delay, location
        self.bodies: list[dict] = []
        self.headers_seen: list[dict] = []
        self.gets: list[dict] = []  # headers of GETs (a redirected POST becomes one)
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
            if srv.location:
                self.send_header("Location", srv.location)
            self.end_headers()
            self.wfile.write(b"ok")
        except (BrokenPipeError, ConnectionResetError):
            pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.server.gets.append(dict(self.headers))  # type: ignore[attr-defined]
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args) -> None:
        pass


class Trickler:
    """Answers every connection with a valid status line sent one byte per ``gap`` seconds,
    for ``lasts`` seconds: each read gets a byte in time, the whole answer never does."""

    def __init__(self, gap: float = 0.1, lasts: float = 6.0) -> None:
        self.gap, self.lasts = gap, lasts
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.connections = 0
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.listener.getsockname()[1]}/hook"

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._trickle, args=(conn,), daemon=True).start()

    def _trickle(self, conn: socket.socket) -> None:
        answer = b"HTTP/1.1 200 OK\r\n" + b"X-Slow: " + b"a" * 10_000
        end = time.monotonic() + self.lasts
        with conn:
            try:
                conn.recv(65536)
                for byte in answer:
                    if time.monotonic() > end:
                        return
                    conn.sendall(bytes([byte]))
                    time.sleep(self.gap)
            except OSError:
                return

    def stop(self) -> None:
        self.listener.close()
