"""Storing inbound mail: the first and only step before we say "accepted" (docs/subsystems/mail.md).

``inbound_store`` (mailgate, the SMTP listener) and ``inbound_store_many`` (the IMAP poller,
a chunk of messages at a time) commit the exact bytes and make sure a processing run is
queued, in one short transaction; only then does the caller say "accepted" (RFC 5321 §6.1).

A message may be 30 MB: the bytes are hashed and sent to the database as they are, never
copied (docs/decisions/0008-inbound-bytes-bound-in-binary.md).
"""

import functools
import hashlib
from collections.abc import Sequence
from email.parser import BytesHeaderParser
from email.policy import compat32

from django.conf import settings
from django.db import connection, transaction

from amends.core import clock
from amends.core.kick import drain_kick
from amends.mail.models import InboundMail

# The header block is read from at most this much of the message (a 30 MB mail's headers
# are not copied whole; a header block longer than this is not a mail client's).
HEADER_BYTES = 256 * 1024


class MailTooLarge(Exception):
    """Over AMENDS_MAIL_MAX_BYTES: refused before anything is stored (SMTP 552)."""


def _header_message_id(raw: bytes) -> str:
    """The Message-ID from the header block only: cheap, and it never fails on a bad body."""
    end = raw.find(b"\n\n", 0, HEADER_BYTES)
    if end < 0:
        end = raw.find(b"\r\n\r\n", 0, HEADER_BYTES)
    head = raw[: end + 1 if end >= 0 else HEADER_BYTES]
    try:
        headers = BytesHeaderParser(policy=compat32).parsebytes(head, headersonly=True)
        value = str(headers.get("Message-ID", "") or "")
    except Exception:  # a header block we cannot read still gets stored
        return ""
    return value.strip().strip("<>").strip()[:998]


def inbound_store(
    *, raw: bytes, via: str, envelope_from: str = "", envelope_to: list[str] | None = None, mailbox: str = ""
) -> tuple[InboundMail, bool]:
    """Commit one received message and its processing run. Returns (row, created); a row
    that was already stored comes back without its raw bytes loaded.

    The same bytes with the same Message-ID are stored once (MTA retries, IMAP and SMTP both);
    a different message that reuses a Message-ID is kept as well. Raises MailTooLarge, and
    any database error, before anything is committed: the caller must then not accept.
    """
    row = _row(raw, via=via, envelope_from=envelope_from, envelope_to=envelope_to, mailbox=mailbox)
    with transaction.atomic():
        inserted = _insert([row])
        if inserted:
            _kick()
    if inserted:
        row.pk = inserted[_key(row)]
        return row, True
    return InboundMail.objects.defer("raw").get(message_id=row.message_id, sha256=row.sha256), False


def inbound_store_many(*, raws: Sequence[bytes], via: str, mailbox: str = "") -> list[bool]:
    """Commit several received messages (an IMAP chunk) in one transaction, with one
    processing run; returns, per message, whether it was new (False: already stored).

    All or nothing: raises MailTooLarge, or any database error, before anything is committed.
    """
    rows = [_row(raw, via=via, mailbox=mailbox) for raw in raws]
    with transaction.atomic():
        inserted = _insert(rows)
        if inserted:
            _kick()
    created, seen = [], set()
    for row in rows:  # the same message twice in one chunk: new once
        key = _key(row)
        created.append(key in inserted and key not in seen)
        seen.add(key)
    return created


def inbound_raw(*, mail_id: int) -> bytes:
    """The exact bytes of a stored message, read once. On PostgreSQL they come back in binary
    form: a 30 MB message costs 30 MB here, not 60 MB of hex text and then the bytes."""
    table, pk, raw = _quoted(InboundMail._meta.db_table, "id", "raw")
    with _cursor(binary_results=True) as cursor:
        cursor.execute(f"SELECT {raw} FROM {table} WHERE {pk} = %s", [mail_id])
        found = cursor.fetchone()
    if found is None:
        raise InboundMail.DoesNotExist(mail_id)
    return found[0]


def _row(
    raw: bytes, *, via: str, envelope_from: str = "", envelope_to: list[str] | None = None, mailbox: str = ""
) -> InboundMail:
    if len(raw) > settings.AMENDS_MAIL_MAX_BYTES:
        raise MailTooLarge(len(raw))
    return InboundMail(
        raw=raw,
        size=len(raw),
        sha256=hashlib.sha256(raw).hexdigest(),
        message_id=_header_message_id(raw),
        via=via,
        envelope_from=envelope_from[:998],
        envelope_to="\n".join(envelope_to or []),
        mailbox=mailbox[:200],
        received_at=clock.now(),
    )


def _key(row: InboundMail) -> tuple[str, str]:
    return row.message_id, row.sha256


def _kick() -> None:
    from amends.mail.tasks import inbound_drain_task

    drain_kick(inbound_drain_task)


def _insert(rows: list[InboundMail]) -> dict[tuple[str, str], int]:
    """One INSERT … ON CONFLICT DO NOTHING for the rows (SQLite ≥ 3.35 and PostgreSQL); the
    ids of the rows it inserted, by (message_id, sha256). A message already stored, by
    another run or at this moment by another worker, is simply not inserted: no savepoint,
    no IntegrityError to catch."""
    fields = [f for f in InboundMail._meta.concrete_fields if not f.primary_key]
    as_is = _AsIs if connection.vendor == "postgresql" else bytes
    values = []
    for row in rows:
        for f in fields:
            # raw as it is: the field's own preparation would wrap it for the driver's text
            # format, which on PostgreSQL copies it into hex twice the size.
            value = (
                as_is(row.raw)
                if f.attname == "raw"
                else f.get_db_prep_save(getattr(row, f.attname), connection)
            )
            values.append(value)
    table, pk, message_id, sha256 = _quoted(InboundMail._meta.db_table, "id", "message_id", "sha256")
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = (
        f"INSERT INTO {table} ({columns}) VALUES {', '.join([one] * len(rows))} "
        f"ON CONFLICT ({message_id}, {sha256}) DO NOTHING RETURNING {pk}, {message_id}, {sha256}"
    )
    with _cursor() as cursor:
        cursor.execute(sql, values)
        return {(m, s): i for i, m, s in cursor.fetchall()}


def _quoted(*names: str) -> list[str]:
    return [connection.ops.quote_name(name) for name in names]


class _AsIs:
    """Bytes for a PostgreSQL parameter, handed to libpq as they are: psycopg's own (C) bytes
    dumper first copies them into a buffer of its own, 30 MB more for a 30 MB mail."""

    __slots__ = ("data",)

    def __init__(self, data: bytes):
        self.data = data


def _cursor(*, binary_results: bool = False):
    """A cursor that sends (and, when asked, receives) bytes as bytes. Django's PostgreSQL
    cursors bind parameters on the client, which turns a bytea into hex text inside the SQL
    string (a 35 MB mail became ~240 MB of strings); this one binds on the server, in
    binary. Still Django's cursor wrapper: errors, execute_wrapper and query logging work."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    import psycopg

    # What connection.cursor() does, with a server-binding cursor in place of Django's.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    with connection.wrap_database_errors:
        cursor = psycopg.Cursor(connection.connection)
    cursor.adapters.register_dumper(_AsIs, _as_is_dumper())
    if binary_results:
        cursor.format = psycopg.pq.Format.BINARY
    if connection.queries_logged:
        return connection.make_debug_cursor(cursor)
    return connection.make_cursor(cursor)


@functools.cache
def _as_is_dumper() -> type:
    import psycopg
    from psycopg.adapt import Dumper

    class AsIsDumper(Dumper):
        format = psycopg.pq.Format.BINARY
        oid = psycopg.adapters.types["bytea"].oid

        def dump(self, obj: _AsIs) -> bytes:
            return obj.data

    return AsIsDumper
