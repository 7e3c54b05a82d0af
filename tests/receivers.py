"""Real local receivers for the alert tests: an SMTP server (aiosmtpd) and an HTTP server taking webhook posts,
both on 127.0.0.1, each keeping what it received."""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Mail:
    sender: str
    recipients: list[str]
    subject: str
    body: str


class SmtpReceiver:
    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.mails: list[Mail] = []
        self.port = free_port()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's handler hook
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        part = message.get_body(("html", "plain"))
        body = part.get_content() if part else ""
        self.mails.append(Mail(envelope.mail_from, list(envelope.rcpt_tos), str(message["subject"]), body))
        return "250 OK"

    def connection(self, sender: str = "sme-credit@example.com") -> str:
        """An Airflow connection URI for this server (plain SMTP, no TLS)."""
        return f"smtp://127.0.0.1:{self.port}/?disable_ssl=true&disable_tls=true&from_email={sender}"

    def __enter__(self) -> SmtpReceiver:
        self._controller.start()
        return self

    def __exit__(self, *_) -> None:
        self._controller.stop()


class HttpReceiver:
    """Takes POSTs on any path, as a Slack incoming webhook would, and answers `ok`; or, given `answer`, what it
    returns for the n-th POST (1-based): a status and a JSON body (a busy Airflow's 503s, say). GETs are answered
    by `answer_get`, given the path with its query string."""

    def __init__(
        self,
        answer: Callable[[int], tuple[int, dict]] | None = None,
        answer_get: Callable[[str], tuple[int, dict]] | None = None,
    ) -> None:
        self.posts: list[dict] = []
        received = self.posts

        class Handler(BaseHTTPRequestHandler):
            def _send(self, status: int, content_type: str, payload: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_GET(self):  # noqa: N802 - http.server's hook
                status, body = answer_get(self.path) if answer_get else (404, {"detail": "no GET here"})
                self._send(status, "application/json", json.dumps(body).encode())

            def do_POST(self):  # noqa: N802 - http.server's hook
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                received.append(
                    {
                        "path": self.path,
                        "json": json.loads(raw or b"{}"),
                        "authorization": self.headers["Authorization"],
                    }
                )
                if answer is None:
                    status, content_type, payload = 200, "text/plain", b"ok"
                else:
                    status, body = answer(len(received))
                    content_type, payload = "application/json", json.dumps(body).encode()
                self._send(status, content_type, payload)

            def log_message(self, *_):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self.url = f"{self.base_url}/hook"

    def connection(self) -> str:
        """An Airflow connection (JSON) for a Slack incoming webhook posting here."""
        return json.dumps({"conn_type": "slackwebhook", "password": self.url})

    def __enter__(self) -> HttpReceiver:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *_) -> None:
        self._server.shutdown()
        self._server.server_close()


def wait_for(found, timeout: float = 60):
    """Poll `found` until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := found():
            return result
        time.sleep(0.5)
    return found()
