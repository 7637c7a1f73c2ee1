"""The outbound relay for tests: an aiosmtpd server on a free loopback port, reached through
Django's SMTP backend exactly as in production (the `sink` fixture in conftest.py)."""

import socket
from email import message_from_bytes, policy
from email.message import EmailMessage


class Sink:
    """Collects what it accepts, and which connection (SMTP session) each mail came over.

    `refuse(phase, reply)` answers the next MAIL, RCPT or DATA with `reply` once (the next mail
    after it goes through); `refuse_for(address, phase, reply)` answers RCPT or DATA for that
    recipient with `reply` every time."""

    port: int

    def __init__(self) -> None:
        self.received: list[EmailMessage] = []
        self.sessions: list[object] = []  # one per connection that sent a MAIL
        self._refusals: dict[str, list[str]] = {"MAIL": [], "RCPT": [], "DATA": []}
        self._refusals_for: dict[tuple[str, str], str] = {}

    def refuse(self, phase: str, reply: str) -> None:
        self._refusals[phase].append(reply)

    def refuse_for(self, address: str, phase: str, reply: str) -> None:
        self._refusals_for[(address, phase)] = reply

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.received if m["To"] == address]

    def connections(self) -> int:
        """How many connections delivered at least one mail."""
        return len({m.session for m in self.received})  # type: ignore[attr-defined]

    def _connection(self, session) -> int:
        for index, known in enumerate(self.sessions):
            if known is session:
                return index
        self.sessions.append(session)
        return len(self.sessions) - 1

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        self._connection(session)
        if self._refusals["MAIL"]:
            return self._refusals["MAIL"].pop(0)
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self._refusals["RCPT"]:
            return self._refusals["RCPT"].pop(0)
        if (address, "RCPT") in self._refusals_for:
            return self._refusals_for[(address, "RCPT")]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self._refusals["DATA"]:
            return self._refusals["DATA"].pop(0)
        for address in envelope.rcpt_tos:
            if (address, "DATA") in self._refusals_for:
                return self._refusals_for[(address, "DATA")]
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        message.raw = envelope.original_content  # type: ignore[attr-defined]  # the bytes as sent
        message.session = self._connection(session)  # type: ignore[attr-defined]
        self.received.append(message)
        return "250 2.0.0 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def smtp_mailer(port: int) -> dict:
    return {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }
