"""The built-in SMTP listener (aiosmtpd): mail in for the embedded default (`make run`).

A message is answered 250 only after `inbound_store` has committed its raw bytes; any failure
to store is a 451 (try again later), never aiosmtpd's default "500 Error: (Exception) …",
which senders treat as permanent; over AMENDS_MAIL_MAX_BYTES aiosmtpd itself answers 552.
"""

import asyncio
import logging

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.conf import settings
from django.db import close_old_connections

from amends.mail.models import Via
from amends.mail.store import MailTooLarge, inbound_store

logger = logging.getLogger(__name__)

ACCEPTED = "250 2.0.0 Message accepted"
TEMPFAIL = "451 4.3.0 Local error, message not stored; please try again later"
TOO_BIG = "552 5.3.4 Message too big"


def _store(raw: bytes, envelope_from: str, envelope_to: list[str]) -> None:
    close_old_connections()
    try:
        inbound_store(raw=raw, via=Via.SMTP, envelope_from=envelope_from, envelope_to=envelope_to)
    finally:
        close_old_connections()


class Handler:
    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        try:
            # The ORM is synchronous: store in a worker thread, answer once it has committed.
            await asyncio.to_thread(_store, raw, envelope.mail_from or "", list(envelope.rcpt_tos))
        except MailTooLarge:
            return TOO_BIG
        except Exception:  # never accept what was not stored; the sender will retry
            logger.exception("SMTP listener could not store a message from %s", envelope.mail_from)
            return TEMPFAIL
        return ACCEPTED

    async def handle_exception(self, error: Exception) -> str:
        logger.exception("SMTP session error: %r", error)
        return TEMPFAIL


def listener(*, host: str, port: int) -> Controller:
    """A started-on-demand controller (tests start one on a free port)."""
    return Controller(
        Handler(),
        hostname=host,
        port=port,
        data_size_limit=settings.AMENDS_MAIL_MAX_BYTES,
        decode_data=False,
        ident="Amends",
    )
