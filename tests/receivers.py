"""Real local alert receivers for tests: an HTTP webhook server and an aiosmtpd SMTP server on 127.0.0.1.

Both keep what they receive in memory; nothing leaves the machine. Use them as context managers (or through a
fixture of the test module) and save Prefect notification blocks that point at them with ``save_alert_blocks``.
"""

from __future__ import annotations

import json
import socket
import threading
from email import message_from_bytes, policy
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar, Self

from aiosmtpd.controller import Controller

WEBHOOK_PATH = "/hook"
EMAIL_FROM = "tka@kukarkab.test"
EMAIL_TO = ("kesbangpol@kukarkab.test", "operator@kukarkab.test")


class _Collector(BaseHTTPRequestHandler):
    received: ClassVar[list[dict[str, Any]]] = []  # replaced per server by WebhookReceiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.received.append({"path": self.path, "content_type": self.headers.get("Content-Type"),
                              "json": json.loads(body)})
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


class WebhookReceiver:
    """An HTTP server on a free local port that records every POST (path, content type, JSON body)."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        handler = type("Handler", (_Collector,), {"received": self.received})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{WEBHOOK_PATH}"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


class _Mailbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        # The default policy unfolds long headers (a long Subject arrives folded over several lines).
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpReceiver:
    """An aiosmtpd server on a free local port that keeps every message and its envelope."""

    def __init__(self) -> None:
        self._mailbox = _Mailbox()
        self.port = _free_port()
        self._controller = Controller(self._mailbox, hostname="127.0.0.1", port=self.port)

    @property
    def messages(self) -> list[Message]:
        return self._mailbox.messages

    @property
    def envelopes(self) -> list[tuple[str, list[str]]]:
        return self._mailbox.envelopes

    def clear(self) -> None:
        self.messages.clear()
        self.envelopes.clear()

    def __enter__(self) -> Self:
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._controller.stop()


def save_alert_blocks(webhook: WebhookReceiver, smtp: SmtpReceiver, webhook_block: str = "tka-webhook",
                      email_block: str = "tka-email") -> None:
    """Save a custom webhook block and an SMTP e-mail block (tka.compliance.channels) pointing at the receivers.

    The webhook posts ``{"subject": ..., "text": ...}``; the e-mail goes from EMAIL_FROM to every EMAIL_TO.
    Needs a Prefect API (the session's test harness).
    """
    from prefect.blocks.notifications import CustomWebhookNotificationBlock
    from prefect_email import EmailServerCredentials

    from tka.compliance.channels import SmtpEmailNotification

    CustomWebhookNotificationBlock(name="tka", url=webhook.url,
                                   json_data={"subject": "{{subject}}", "text": "{{body}}"},
                                   ).save(webhook_block, overwrite=True)
    credentials = EmailServerCredentials(smtp_server="127.0.0.1", smtp_type="INSECURE", smtp_port=smtp.port)
    SmtpEmailNotification(credentials=credentials, email_from=EMAIL_FROM,
                          email_to=list(EMAIL_TO)).save(email_block, overwrite=True)


def email_text(message: Message) -> str:
    """The decoded plain-text body of a received e-mail (SMTP carries CRLF line ends)."""
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes), "expected a single-part text message"
    return payload.decode(message.get_content_charset() or "utf-8")
