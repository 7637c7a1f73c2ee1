"""The IMAP poller: mail in from the mailboxes configured in the admin (docs/subsystems/mail.md,
"Receiving by IMAP").

Messages are fetched and stored a chunk at a time (one FETCH, one transaction, one STORE). A
message is marked \\Seen (and moved, when the mailbox has a "move to" folder) only after
``inbound_store_many`` has committed its chunk. A crash or a lost connection between the two
leaves the messages unread on the server; the next run fetches them again and the store
recognises them (same Message-ID and SHA-256), so each is stored once and never lost. A chunk
the database refused stays unread for the next run. Only the standard library's imaplib is used.

Depends on amends.mail.models and amends.mail.store (inbound_store_many), amends.core.clock.
"""

import base64
import contextlib
import imaplib
import logging
import re
import ssl
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DatabaseError

from amends.core import clock
from amends.mail.models import Mailbox, Via
from amends.mail.store import inbound_store_many

logger = logging.getLogger(__name__)

# Unread and not deleted by someone: a \Deleted message is on its way out, not new mail.
SEARCH = "UNSEEN UNDELETED"
FETCH_SIZE = re.compile(rb"UID (\d+)|RFC822\.SIZE (\d+)")
FETCH_UID = re.compile(rb"\bUID (\d+)")
# Messages fetched, stored in one transaction and marked per round trip: at most this many,
# and this many bytes (one larger message goes alone).
CHUNK_MESSAGES = 100
CHUNK_BYTES = 8 * 1024 * 1024


class PollError(Exception):
    """The server answered NO/BAD to a step the run cannot go on without."""


@dataclass
class PollResult:
    """What one run did with one mailbox."""

    mailbox: str
    stored: int = 0  # new messages
    duplicates: int = 0  # fetched again, already stored (a crash before \Seen, or another way in)
    too_large: int = 0  # over AMENDS_MAIL_MAX_BYTES: flagged on the server, not stored
    left: int = 0  # unread beyond max_per_run, for the next run
    errors: list[str] = field(default_factory=list)

    @property
    def error(self) -> str:
        return "\n".join(self.errors)

    def __str__(self) -> str:
        text = (
            f"{self.mailbox}: {self.stored} stored, {self.duplicates} already stored, "
            f"{self.too_large} too large, {self.left} left for the next run"
        )
        return f"{text}; errors:\n  " + "\n  ".join(self.errors) if self.errors else text


def mailboxes_poll() -> int:
    """Periodic job: poll every active mailbox once. Returns how many messages were stored.

    A mailbox that cannot be read records its error and the others are still polled.
    """
    stored = 0
    for mailbox in Mailbox.objects.filter(is_active=True).order_by("pk"):
        try:
            stored += mailbox_poll(mailbox=mailbox).stored
        except Exception:  # e.g. the database went away while recording the result
            logger.exception("IMAP mailbox %s could not be polled", mailbox.name)
    return stored


def mailbox_poll(*, mailbox: Mailbox) -> PollResult:
    """Store up to ``max_per_run`` unread messages of one mailbox, marking each \\Seen (and
    moving it) only after it is stored. Failures of the server, the network or the database
    do not raise: they end up in ``last_error``, which a clean run clears.

    Every network wait is bounded by ``timeout_seconds``. Raises only if recording the result
    on the Mailbox row fails.
    """
    result = PollResult(mailbox=mailbox.name)
    try:
        conn = _connect(mailbox)
        try:
            _take(conn, mailbox, result)
        except BaseException:
            with contextlib.suppress(OSError):
                conn.shutdown()  # no LOGOUT: the session is broken, it would only wait again
            raise
        conn.logout()
    except Exception as exc:  # server down, login refused, timeout, protocol error, database error
        result.errors.append(_describe(exc))
    if result.errors:
        logger.warning("IMAP %s", result)
    elif result.stored:
        logger.info("IMAP %s", result)
    mailbox.last_polled_at = clock.now()
    mailbox.last_error = result.error[:4000]
    mailbox.save(update_fields=["last_polled_at", "last_error"])
    return result


def _connect(mailbox: Mailbox) -> imaplib.IMAP4:
    # The timeout covers the TCP connect and then every read and write on the socket.
    timeout = max(1, mailbox.timeout_seconds)
    if mailbox.use_ssl:
        context = ssl.create_default_context()
        return imaplib.IMAP4_SSL(mailbox.host, mailbox.port, ssl_context=context, timeout=timeout)
    return imaplib.IMAP4(mailbox.host, mailbox.port, timeout=timeout)


def _take(conn: imaplib.IMAP4, mailbox: Mailbox, result: PollResult) -> None:
    try:
        conn.login(mailbox.username, mailbox.password)
    except imaplib.IMAP4.error as exc:
        raise PollError(f"login refused: {_describe(exc)}") from exc
    capabilities = _capabilities(conn)
    _ok(conn.select(_mailbox_name(mailbox.folder)), f"cannot open folder {mailbox.folder!r}")
    found = _ok(conn.uid("search", SEARCH), "search failed")
    uids = sorted((found[0] or b"").split(), key=int)
    batch, result.left = uids[: mailbox.max_per_run], max(0, len(uids) - mailbox.max_per_run)
    if not batch:
        return
    sizes = _sizes(_ok(conn.uid("fetch", b",".join(batch), "(RFC822.SIZE)"), "size fetch failed"))
    wanted = []
    for uid in batch:
        if sizes.get(uid, 0) > settings.AMENDS_MAIL_MAX_BYTES:
            _too_large(conn, uid, sizes[uid], mailbox, result)
        else:
            wanted.append(uid)
    for chunk in _chunks(wanted, sizes):
        _take_chunk(conn, chunk, mailbox, capabilities, result)


def _chunks(uids: list[bytes], sizes: dict[bytes, int]) -> list[list[bytes]]:
    """UIDs in runs of at most CHUNK_MESSAGES messages and CHUNK_BYTES (a bigger message
    alone): one FETCH, one transaction and one STORE per run instead of per message."""
    chunks: list[list[bytes]] = []
    total = 0
    for uid in uids:
        size = sizes.get(uid, 0)
        if not chunks or total + size > CHUNK_BYTES or len(chunks[-1]) >= CHUNK_MESSAGES:
            chunks.append([])
            total = 0
        chunks[-1].append(uid)
        total += size
    return chunks


def _take_chunk(
    conn: imaplib.IMAP4, chunk: list[bytes], mailbox: Mailbox, capabilities: set[str], result: PollResult
) -> None:
    """Fetch a run of messages, store them in one transaction, then mark them \\Seen (and
    move them): the server is changed only after the commit."""
    fetched = _bodies(
        _ok(conn.uid("fetch", _uid_set(chunk), "(BODY.PEEK[])"), f"cannot fetch {_named(chunk)}")
    )
    uids = [uid for uid in chunk if uid in fetched]  # the others were expunged since the search
    for uid in [uid for uid in uids if len(fetched[uid]) > settings.AMENDS_MAIL_MAX_BYTES]:
        uids.remove(uid)
        _too_large(conn, uid, len(fetched[uid]), mailbox, result)
    if not uids:
        return
    try:
        created = inbound_store_many(raws=[fetched[uid] for uid in uids], via=Via.IMAP, mailbox=mailbox.name)
    except DatabaseError as exc:  # end the run: the next chunk would meet the same database
        raise PollError(f"{_named(uids)} not stored, left unread for the next run: {_describe(exc)}") from exc
    del fetched
    result.stored += sum(created)
    result.duplicates += len(created) - sum(created)
    _done(conn, uids, mailbox, capabilities, result)


def _done(
    conn: imaplib.IMAP4, uids: list[bytes], mailbox: Mailbox, capabilities: set[str], result: PollResult
) -> None:
    """Mark stored messages \\Seen, then move them if the mailbox says so. \\Seen first: if the
    move fails (a missing folder), they are not fetched again on every run and new mail
    still gets through; the error is recorded for an admin."""
    uid_set, named = _uid_set(uids), _named(uids)
    typ, data = conn.uid("store", uid_set, "+FLAGS.SILENT", r"(\Seen)")
    if typ != "OK":
        # Stored but still unread: fetched again next run and recognised as duplicates.
        result.errors.append(f"{named} stored, but not marked seen: {_text(data)}")
        return
    if not mailbox.move_to:
        return
    target = _mailbox_name(mailbox.move_to)
    if "MOVE" in capabilities:
        typ, data = conn.uid("move", uid_set, target)
    else:
        typ, data = conn.uid("copy", uid_set, target)
        if typ == "OK":
            _ok(conn.uid("store", uid_set, "+FLAGS.SILENT", r"(\Deleted)"), f"cannot delete {named}")
            # Without UIDPLUS, EXPUNGE removes every \Deleted message of the folder: the folder
            # belongs to the poller, and a deleted message was on its way out anyway.
            _ok(
                conn.uid("expunge", uid_set) if "UIDPLUS" in capabilities else conn.expunge(),
                "expunge failed",
            )
    if typ != "OK":
        reason = _text(data)
        result.errors.append(f"{named} stored, but not moved to {mailbox.move_to!r}: {reason}")


def _too_large(conn: imaplib.IMAP4, uid: bytes, size: int, mailbox: Mailbox, result: PollResult) -> None:
    """Over the size limit it can never be stored: flag it and mark it seen, so it is not
    fetched on every run, and leave it in the folder for an admin to deal with."""
    result.too_large += 1
    named = _named([uid])
    _ok(conn.uid("store", uid, "+FLAGS.SILENT", r"(\Seen \Flagged)"), f"cannot flag {named}")
    result.errors.append(
        f"{named} is {size} bytes, over AMENDS_MAIL_MAX_BYTES "
        f"({settings.AMENDS_MAIL_MAX_BYTES}): not stored, flagged and left in {mailbox.folder!r}"
    )


def _uid_set(uids: list[bytes]) -> bytes:
    """An IMAP sequence set with runs written as ranges: [1, 2, 3, 7] -> b"1:3,7"."""
    numbers = sorted(int(uid) for uid in uids)
    runs: list[list[int]] = []
    for number in numbers:
        if runs and number == runs[-1][1] + 1:
            runs[-1][1] = number
        else:
            runs.append([number, number])
    return b",".join(b"%d" % a if a == b else b"%d:%d" % (a, b) for a, b in runs)


def _named(uids: list[bytes]) -> str:
    return f"message{'s' if len(uids) > 1 else ''} UID {_uid_set(uids).decode()}"


def _capabilities(conn: imaplib.IMAP4) -> set[str]:
    # imaplib keeps the greeting's list; servers announce MOVE and UIDPLUS only after login.
    data = _ok(conn.capability(), "capability failed")
    return set(_text(data[-1:]).upper().split())


def _sizes(data: list) -> dict[bytes, int]:
    sizes = {}
    for item in data:
        line = item[0] if isinstance(item, tuple) else item
        if not isinstance(line, bytes):
            continue
        uid = size = None
        for match in FETCH_SIZE.finditer(line):
            uid = match.group(1) or uid
            size = int(match.group(2)) if match.group(2) else size
        if uid is not None and size is not None:
            sizes[uid] = size
    return sizes


def _bodies(data: list) -> dict[bytes, bytes]:
    """The message bodies of a UID FETCH answer, by UID. The UID comes before the literal
    (Dovecot, most servers) or after it, in the line that closes the response."""
    bodies: dict[bytes, bytes] = {}
    pending = None
    for item in data:
        if isinstance(item, tuple):
            uid = FETCH_UID.search(item[0])
            if b"BODY[]" not in item[0]:
                continue
            if uid:
                bodies[uid.group(1)] = item[1]
            else:
                pending = item[1]
        elif pending is not None and isinstance(item, bytes):
            uid = FETCH_UID.search(item)
            if uid:
                bodies[uid.group(1)] = pending
            pending = None
    return bodies


def _ok(response: tuple[str, list], what: str) -> list:
    typ, data = response
    if typ != "OK":
        raise PollError(f"{what}: {_text(data)}")
    return data


def _text(data: list) -> str:
    return " ".join(d.decode(errors="replace") if isinstance(d, bytes) else str(d) for d in data if d)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, PollError):
        return str(exc)
    if isinstance(exc, TimeoutError):
        return "the server did not answer within the timeout"
    if isinstance(exc, imaplib.IMAP4.error):  # the server's words, e.g. "[AUTHENTICATIONFAILED] …"
        return _text(list(exc.args)) or type(exc).__name__
    return f"{type(exc).__name__}: {exc}"


def _mailbox_name(name: str) -> str:
    """A folder name as an IMAP quoted string, non-ASCII in modified UTF-7 (RFC 3501 §5.1.3),
    so folders named in Hebrew, Arabic or Russian work."""
    encoded, run = [], []

    def flush() -> None:
        if run:
            chunk = base64.b64encode("".join(run).encode("utf-16-be")).rstrip(b"=").replace(b"/", b",")
            encoded.append(f"&{chunk.decode()}-")
            run.clear()

    for char in name:
        if " " <= char <= "~":
            flush()
            encoded.append("&-" if char == "&" else char)
        else:
            run.append(char)
    flush()
    quoted = "".join(encoded).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{quoted}"'
