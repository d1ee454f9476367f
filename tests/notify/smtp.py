"""A real SMTP server on 127.0.0.1 for the tests (aiosmtpd), which keeps what it receives and can
be told to refuse."""

import email
import socket
import threading
from email.message import EmailMessage
from email.policy import default

from aiosmtpd.controller import Controller


def free_port() -> int:
    """A loopback port nobody listens on (now)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Handler:
    def __init__(self, server: "SmtpServer"):
        self.server = server

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.server.refuse:
            return "550 5.7.1 refused by the test"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.server.lock:
            self.server.raw.append(envelope.content)  # parsed when read: the server stays quick
        return "250 Message accepted"


class SmtpServer:
    """`with SmtpServer() as smtp:` serves on smtp.port; smtp.messages are the parsed e-mails."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.raw: list[bytes] = []
        self.refuse = False
        self.lock = threading.Lock()
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> "SmtpServer":
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()

    @property
    def messages(self) -> list[EmailMessage]:
        """The e-mails received so far, parsed."""
        with self.lock:
            raw = list(self.raw)
        return [email.message_from_bytes(content, policy=default) for content in raw]

    def to(self, address: str) -> list[EmailMessage]:
        """The messages sent to one address."""
        return [m for m in self.messages if address in str(m["To"])]
