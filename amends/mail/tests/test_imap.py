"""The IMAP poller against a real Dovecot: a message is marked seen or moved only after it is
stored, each message is stored once, runs are capped and bounded in time, and one broken
mailbox does not stop the others."""

import socket
import time

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError, connection

from amends.mail import imap as imap_module
from amends.mail.imap import _mailbox_name, mailbox_poll, mailboxes_poll
from amends.mail.models import InboundMail, Mailbox, Via
from amends.mail.store import inbound_store
from amends.mail.tests.dovecot import PLAIN_HOST, free_port

pytestmark = pytest.mark.django_db

SEEN = "\\Seen"


def mail(n: int, body: bytes = b"My kettle arrived broken.") -> bytes:
    return (
        b"From: Noa Cohen <noa@example.com>\r\n"
        b"To: care@amends.localhost\r\n"
        b"Subject: Complaint " + str(n).encode() + b"\r\n"
        b"Message-ID: <imap-" + str(n).encode() + b"@example.com>\r\n"
        b"Content-Type: text/plain; charset=windows-1255\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\n" + body + b"\r\n"
    )


def message_id(n: int) -> bytes:
    return b"<imap-%d@example.com>" % n


def stored_ids() -> list[str]:
    return sorted(InboundMail.objects.values_list("message_id", flat=True))


def test_unread_messages_are_stored_byte_for_byte_and_marked_seen(make_mailbox, imap_account):
    # given two unread messages (one 8-bit windows-1255 Hebrew) and one already read
    hebrew = mail(1, body="הקומקום הגיע שבור".encode("cp1255"))
    imap_account.append(hebrew)
    imap_account.append(mail(2))
    imap_account.append(mail(3), flags=SEEN)
    mailbox = make_mailbox(imap_account)

    # when
    result = mailbox_poll(mailbox=mailbox)

    # then
    assert (result.stored, result.duplicates, result.errors) == (2, 0, [])
    row = InboundMail.objects.get(message_id="imap-1@example.com")
    assert bytes(row.raw) == hebrew and row.via == Via.IMAP and row.mailbox == mailbox.name
    assert stored_ids() == ["imap-1@example.com", "imap-2@example.com"]
    assert all(SEEN in flags for flags in imap_account.messages().values())
    mailbox.refresh_from_db()
    assert mailbox.last_polled_at is not None and mailbox.last_error == ""


def test_a_second_poll_stores_nothing_new(make_mailbox, imap_account):
    # given
    imap_account.append(mail(1))
    mailbox = make_mailbox(imap_account)
    mailbox_poll(mailbox=mailbox)

    # when
    again = mailbox_poll(mailbox=mailbox)

    # then
    assert (again.stored, again.duplicates) == (0, 0)
    assert InboundMail.objects.count() == 1


def test_a_message_stored_before_a_crash_is_recognised_and_then_marked_seen(make_mailbox, imap_account):
    """A run that stored a message and died before marking it seen: the next run fetches it
    again, inbound_store recognises it, and it is marked seen; still one row."""
    # given the message is stored but still unread on the server
    imap_account.append(mail(1))
    inbound_store(raw=mail(1), via=Via.IMAP, mailbox="care")
    mailbox = make_mailbox(imap_account)

    # when
    result = mailbox_poll(mailbox=mailbox)

    # then
    assert (result.stored, result.duplicates) == (0, 1)
    assert InboundMail.objects.count() == 1
    assert SEEN in imap_account.messages()[message_id(1)]


def test_with_move_to_the_messages_end_in_that_folder(make_mailbox, imap_account):
    # given a server with MOVE
    imap_account.folder_create("Processed")
    imap_account.append(mail(1))
    imap_account.append(mail(2))
    mailbox = make_mailbox(imap_account, move_to="Processed")

    # when
    result = mailbox_poll(mailbox=mailbox)

    # then
    assert (result.stored, result.errors) == (2, [])
    assert imap_account.messages("INBOX") == {}
    moved = imap_account.messages("Processed")
    assert set(moved) == {message_id(1), message_id(2)}
    assert all(SEEN in flags for flags in moved.values())


def test_without_move_and_uidplus_the_poller_copies_deletes_and_expunges(make_mailbox, imap_account):
    """On PLAIN_HOST the test server announces neither MOVE nor UIDPLUS."""
    # given
    imap_account.folder_create("Processed")
    imap_account.append(mail(1))
    imap_account.append(mail(2))
    mailbox = make_mailbox(imap_account, host=PLAIN_HOST, move_to="Processed")

    # when
    result = mailbox_poll(mailbox=mailbox)

    # then
    assert (result.stored, result.errors) == (2, [])
    assert imap_account.messages("INBOX") == {}
    assert set(imap_account.messages("Processed")) == {message_id(1), message_id(2)}


def test_folders_named_in_hebrew_work(make_mailbox, imap_account):
    # given folders "נכנס" (in) and "טופל" (processed), created with their modified UTF-7 names
    imap_account.folder_create("&BeAF2wXgBeE-")
    imap_account.folder_create("&BdgF1QXkBdw-")
    imap_account.append(mail(1), folder="&BeAF2wXgBeE-")
    mailbox = make_mailbox(imap_account, folder="נכנס", move_to="טופל")

    # when
    result = mailbox_poll(mailbox=mailbox)

    # then
    assert (result.stored, result.errors) == (1, [])
    assert set(imap_account.messages("&BdgF1QXkBdw-")) == {message_id(1)}


def test_folder_names_are_encoded_as_rfc_3501_says():
    assert _mailbox_name("~peter/mail/台北/日本語") == '"~peter/mail/&U,BTFw-/&ZeVnLIqe-"'
    assert _mailbox_name('A&B "x"') == '"A&-B \\"x\\""'


def test_imaps_checks_the_server_certificate(make_mailbox, imap_account, dovecot, monkeypatch):
    # given a TLS mailbox whose server shows a self-signed certificate nobody trusts
    imap_account.append(mail(1))
    mailbox = make_mailbox(imap_account, port=dovecot.tls_port, use_ssl=True)

    # when
    refused = mailbox_poll(mailbox=mailbox)

    # then the password was never sent and nothing was taken
    assert "CERTIFICATE_VERIFY_FAILED" in refused.error and refused.stored == 0

    # and when the certificate is trusted (OpenSSL reads SSL_CERT_FILE for the default CAs)
    monkeypatch.setenv("SSL_CERT_FILE", str(dovecot.certificate))
    trusted = mailbox_poll(mailbox=mailbox)

    # then
    assert (trusted.stored, trusted.errors) == (1, [])
    assert SEEN in imap_account.messages()[message_id(1)]


def test_a_missing_move_to_folder_is_an_error_but_the_mail_is_stored_and_seen(make_mailbox, imap_account):
    # given
    imap_account.append(mail(1))
    imap_account.append(mail(2))
    mailbox = make_mailbox(imap_account, move_to="Typo")

    # when
    result = mailbox_poll(mailbox=mailbox)

    # then every message is stored and marked seen (not fetched again every run)
    assert result.stored == 2
    assert all(SEEN in flags for flags in imap_account.messages().values())
    mailbox.refresh_from_db()
    assert "not moved to 'Typo'" in mailbox.last_error


def test_max_per_run_caps_a_run_and_the_next_runs_take_the_rest(make_mailbox, imap_account):
    # given
    for n in range(1, 6):
        imap_account.append(mail(n))
    mailbox = make_mailbox(imap_account, max_per_run=2)

    # when
    runs = [mailbox_poll(mailbox=mailbox) for _ in range(4)]

    # then the oldest first, two at a time
    assert [(r.stored, r.left) for r in runs] == [(2, 3), (2, 1), (1, 0), (0, 0)]
    assert stored_ids() == [f"imap-{n}@example.com" for n in range(1, 6)]
    assert InboundMail.objects.order_by("pk").first().message_id == "imap-1@example.com"


def test_a_database_failure_leaves_the_message_unread_for_the_next_run(make_mailbox, imap_account):
    """The database refuses the INSERT (through Django's query hook, the edge between Amends
    and its database): nothing is stored, nothing is marked on the server, the run stops; the
    next run stores everything."""
    # given
    imap_account.append(mail(1))
    imap_account.append(mail(2))
    mailbox = make_mailbox(imap_account)
    table = InboundMail._meta.db_table

    def refuse_inbound_inserts(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith("INSERT") and table in sql:
            raise OperationalError("could not write: disk full")
        return execute(sql, params, many, context)

    # when
    with connection.execute_wrapper(refuse_inbound_inserts):
        failed = mailbox_poll(mailbox=mailbox)

    # then
    assert failed.stored == 0 and InboundMail.objects.count() == 0
    assert "messages UID 1:2 not stored, left unread" in failed.error and "disk full" in failed.error
    assert all(SEEN not in flags for flags in imap_account.messages().values())
    mailbox.refresh_from_db()
    assert "disk full" in mailbox.last_error

    # and when the database is back
    assert mailbox_poll(mailbox=mailbox).stored == 2
    mailbox.refresh_from_db()
    assert mailbox.last_error == ""


def test_messages_are_stored_a_chunk_per_transaction_and_marked_seen_after_it(
    make_mailbox, imap_account, monkeypatch
):
    """Chunks of CHUNK_MESSAGES: one INSERT each. The database refuses the second chunk: the
    first is stored and marked seen, the rest stays unread for the next run."""
    # given five messages, chunks of two
    monkeypatch.setattr(imap_module, "CHUNK_MESSAGES", 2)
    for n in range(1, 6):
        imap_account.append(mail(n))
    mailbox = make_mailbox(imap_account)
    table = InboundMail._meta.db_table
    inserts = []

    def refuse_the_second_insert(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith("INSERT") and table in sql:
            inserts.append(sql)
            if len(inserts) == 2:
                raise OperationalError("could not write: disk full")
        return execute(sql, params, many, context)

    # when
    with connection.execute_wrapper(refuse_the_second_insert):
        failed = mailbox_poll(mailbox=mailbox)

    # then
    assert failed.stored == 2 and stored_ids() == ["imap-1@example.com", "imap-2@example.com"]
    assert "messages UID 3:4 not stored, left unread" in failed.error
    flags = imap_account.messages()
    assert [SEEN in flags[message_id(n)] for n in range(1, 6)] == [True, True, False, False, False]

    # and the next run takes the rest, a chunk per INSERT
    inserts.clear()
    with connection.execute_wrapper(_counting(inserts, table)):
        again = mailbox_poll(mailbox=mailbox)
    assert (again.stored, again.errors, len(inserts)) == (3, [], 2)
    assert all(SEEN in f for f in imap_account.messages().values())


def _counting(inserts: list, table: str):
    def count(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith("INSERT") and table in sql:
            inserts.append(sql)
        return execute(sql, params, many, context)

    return count


def test_the_same_message_twice_in_one_chunk_is_stored_once(make_mailbox, imap_account):
    # given the same bytes delivered twice into the folder
    imap_account.append(mail(1))
    imap_account.append(mail(1))
    mailbox = make_mailbox(imap_account)

    # when
    result = mailbox_poll(mailbox=mailbox)

    # then
    assert (result.stored, result.duplicates, result.errors) == (1, 1, [])
    assert InboundMail.objects.count() == 1
    assert all(SEEN in flags for flags in imap_account.messages().values())


def test_fetched_bodies_are_found_by_uid_before_or_after_the_literal():
    """RFC 3501 lets a server put the UID after the body; imaplib then hands it over in the
    line that closes the response."""
    data = [
        (b"1 (UID 7 BODY[] {5}", b"first"),
        b")",
        (b"2 (BODY[] {6}", b"second"),
        b" UID 9 FLAGS (\\Seen))",
        (b"3 (UID 11 FLAGS (\\Seen) BODY[] {5}", b"third"),
        b")",
    ]
    assert imap_module._bodies(data) == {b"7": b"first", b"9": b"second", b"11": b"third"}


def test_uid_sets_are_written_as_ranges():
    assert imap_module._uid_set([b"7", b"1", b"2", b"3", b"9", b"10"]) == b"1:3,7,9:10"
    assert imap_module._named([b"4"]) == "message UID 4"


def test_a_message_over_the_size_limit_is_flagged_seen_and_not_stored(make_mailbox, imap_account, settings):
    # given
    settings.AMENDS_MAIL_MAX_BYTES = 1000
    imap_account.append(mail(1, body=b"x" * 2000))
    imap_account.append(mail(2))
    mailbox = make_mailbox(imap_account, move_to="")

    # when
    result = mailbox_poll(mailbox=mailbox)

    # then
    assert (result.stored, result.too_large) == (1, 1)
    assert stored_ids() == ["imap-2@example.com"]
    assert {"\\Flagged", SEEN} <= imap_account.messages()[message_id(1)]
    mailbox.refresh_from_db()
    assert "over AMENDS_MAIL_MAX_BYTES" in mailbox.last_error and "UID 1" in mailbox.last_error


def test_a_wrong_password_is_recorded_and_the_other_mailboxes_still_poll(make_mailbox, dovecot):
    # given a refused login, a server that is down, an inactive mailbox and a good one
    refused = make_mailbox(name="a-refused", password="wrong")
    down = make_mailbox(name="b-down", port=free_port())
    inactive = make_mailbox(name="c-inactive", is_active=False)
    good_account = dovecot.account()
    good_account.append(mail(1))
    good = make_mailbox(good_account, name="d-good")

    # when
    stored = mailboxes_poll()

    # then
    assert stored == 1 and stored_ids() == ["imap-1@example.com"]
    for mailbox in (refused, down, inactive, good):
        mailbox.refresh_from_db()
    assert "login refused" in refused.last_error and "AUTHENTICATIONFAILED" in refused.last_error
    assert "ConnectionRefusedError" in down.last_error
    assert refused.last_polled_at and down.last_polled_at and good.last_polled_at
    assert inactive.last_polled_at is None
    assert good.last_error == ""


def test_a_server_that_never_answers_is_given_up_after_the_timeout(make_mailbox):
    # given a socket that completes the TCP handshake (the kernel's backlog) and never speaks
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        mailbox = make_mailbox(port=silent.getsockname()[1], timeout_seconds=1)

        # when
        started = time.monotonic()
        result = mailbox_poll(mailbox=mailbox)
        elapsed = time.monotonic() - started

    # then
    assert 0.9 < elapsed < 3
    assert "timeout" in result.error
    mailbox.refresh_from_db()
    assert "timeout" in mailbox.last_error


def test_mail_poll_command_polls_one_mailbox_and_prints_a_summary(make_mailbox, imap_account, capsys):
    # given
    imap_account.append(mail(1))
    mailbox = make_mailbox(imap_account, is_active=False)  # named on the command line: polled anyway

    # when
    call_command("mail_poll", "--mailbox", mailbox.name)

    # then
    assert f"{mailbox.name}: 1 stored" in capsys.readouterr().out
    assert stored_ids() == ["imap-1@example.com"]


def test_mail_poll_command_fails_when_a_mailbox_fails(make_mailbox, capsys):
    # given
    make_mailbox(name="refused", password="wrong")

    # when / then
    with pytest.raises(CommandError, match="1 of 1 mailboxes"):
        call_command("mail_poll")
    assert "refused: 0 stored" in capsys.readouterr().out
    with pytest.raises(CommandError, match="No IMAP mailbox"):
        call_command("mail_poll", "--mailbox", "nope")
    assert Mailbox.objects.count() == 1
