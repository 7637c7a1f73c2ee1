"""The three ways in store the raw message first, exactly once, and say "accepted" only after."""

import io
import smtplib
import socket
import sys
import tracemalloc

import pytest
from django.db import DatabaseError, connection

from amends.mail import listener as listener_module
from amends.mail.models import InboundMail, Via
from amends.mail.store import MailTooLarge, inbound_raw, inbound_store, inbound_store_many

MAIL = (
    b"From: Mary Customer <mary@example.com>\r\n"
    b"To: care@amends.localhost\r\n"
    b"Subject: The parcel never arrived\r\n"
    b"Message-ID: <abc-1@example.com>\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
    b"I ordered a kettle three weeks ago and it never came.\r\n"
)


@pytest.mark.django_db
def test_the_same_message_twice_is_stored_once():
    first, created = inbound_store(raw=MAIL, via=Via.PIPE)
    again, created_again = inbound_store(raw=MAIL, via=Via.IMAP, mailbox="care")
    assert created and not created_again and first.pk == again.pk
    assert bytes(InboundMail.objects.get().raw) == MAIL
    assert first.message_id == "abc-1@example.com" and first.size == len(MAIL)


@pytest.mark.django_db
def test_two_different_mails_with_one_message_id_are_both_kept():
    inbound_store(raw=MAIL, via=Via.PIPE)
    inbound_store(raw=MAIL.replace(b"three weeks", b"four weeks"), via=Via.PIPE)
    assert InboundMail.objects.filter(message_id="abc-1@example.com").count() == 2


@pytest.mark.django_db
def test_a_mail_without_message_id_or_readable_headers_is_still_stored():
    row, _ = inbound_store(raw=b"\xff\xfe garbage without headers", via=Via.SMTP)
    assert row.message_id == "" and bytes(row.raw).startswith(b"\xff\xfe")


@pytest.mark.django_db
def test_over_the_size_limit_nothing_is_stored(settings):
    settings.AMENDS_MAIL_MAX_BYTES = 100
    with pytest.raises(MailTooLarge):
        inbound_store(raw=MAIL, via=Via.PIPE)
    assert not InboundMail.objects.exists()


def _mailgate(monkeypatch, raw: bytes) -> int:
    from django.core.management import call_command

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    with pytest.raises(SystemExit) as exited:
        call_command("mailgate", "--sender", "mary@example.com", "--recipient", "care@amends.localhost")
    return exited.value.code


@pytest.mark.django_db
def test_mailgate_exit_codes_follow_sysexits(monkeypatch, settings):
    assert _mailgate(monkeypatch, MAIL) == 0
    row = InboundMail.objects.get()
    assert row.via == Via.PIPE and row.envelope_from == "mary@example.com"
    assert _mailgate(monkeypatch, MAIL) == 0  # an MTA retry: still "stored", still one row
    assert InboundMail.objects.count() == 1
    assert _mailgate(monkeypatch, b"") == 65  # nothing to store: permanent
    settings.AMENDS_MAIL_MAX_BYTES = 10
    assert _mailgate(monkeypatch, MAIL) == 65


@pytest.mark.django_db
def test_mailgate_says_tempfail_when_the_database_cannot_store(monkeypatch):
    def down(execute, sql, params, many, context):  # the edge between Amends and its database
        raise DatabaseError("could not connect to server")

    with connection.execute_wrapper(down):
        assert _mailgate(monkeypatch, MAIL) == 75
    assert not InboundMail.objects.exists()


@pytest.mark.django_db
def test_several_messages_are_stored_in_one_go_each_once():
    # given one message already stored
    inbound_store(raw=MAIL, via=Via.PIPE)
    other = MAIL.replace(b"abc-1", b"abc-2")

    # when a chunk brings it again, a new one, and the new one twice
    created = inbound_store_many(raws=[MAIL, other, other], via=Via.IMAP, mailbox="care")

    # then
    assert created == [False, True, False]
    assert sorted(InboundMail.objects.values_list("message_id", "via")) == [
        ("abc-1@example.com", Via.PIPE),
        ("abc-2@example.com", Via.IMAP),
    ]


@pytest.mark.django_db
def test_a_chunk_is_all_or_nothing(settings):
    settings.AMENDS_MAIL_MAX_BYTES = len(MAIL)
    with pytest.raises(MailTooLarge):
        inbound_store_many(raws=[MAIL, MAIL + b"more"], via=Via.IMAP)
    assert not InboundMail.objects.exists()


@pytest.mark.django_db
def test_every_byte_value_comes_back_exactly():
    """NUL, 8-bit and lone CRs: the raw bytes go to the database and back unchanged (on
    PostgreSQL bound and read in binary, not through Django's usual hex text)."""
    raw = MAIL + bytes(range(256)) * 4096 + b"\r\r\n\x00"
    row, created = inbound_store(raw=raw, via=Via.SMTP)
    assert created and inbound_raw(mail_id=row.pk) == raw
    assert bytes(InboundMail.objects.get(pk=row.pk).raw) == raw


@pytest.mark.django_db
def test_a_big_message_is_stored_and_read_without_copies_of_it():
    """The bytes are hashed and handed to the database driver as they are: up to its INSERT
    and during it, Python allocates a small fraction of the message (not its hex text, nor a
    copy per layer); reading it back allocates the bytes themselves and little more."""
    raw = MAIL + b"x" * (8 * 2**20)
    inbound_store(raw=MAIL.replace(b"abc-1", b"warm-up"), via=Via.PIPE)  # imports, connection
    peaks = {}

    def measure(execute, sql, params, many, context):  # the processing run comes after it
        if sql.startswith("INSERT") and InboundMail._meta.db_table in sql and not peaks:
            peaks["before the INSERT"] = tracemalloc.get_traced_memory()[1]
            tracemalloc.reset_peak()
            try:
                return execute(sql, params, many, context)
            finally:
                peaks["during the INSERT"] = tracemalloc.get_traced_memory()[1]
        return execute(sql, params, many, context)

    tracemalloc.start()
    try:
        with connection.execute_wrapper(measure):
            row, _ = inbound_store(raw=raw, via=Via.PIPE)
        tracemalloc.reset_peak()
        held = tracemalloc.get_traced_memory()[0]  # what the processing run left behind
        read = inbound_raw(mail_id=row.pk)
        peaks["reading it back"] = tracemalloc.get_traced_memory()[1] - held
    finally:
        tracemalloc.stop()
    assert read == raw
    assert peaks["before the INSERT"] < len(raw) / 4 and peaks["during the INSERT"] < len(raw) / 4, peaks
    assert peaks["reading it back"] < len(raw) * 1.25, peaks


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_listener(transactional_db):
    controller = listener_module.listener(host="127.0.0.1", port=_free_port())
    controller.start()
    yield controller
    controller.stop()


def _send(controller, raw: bytes) -> None:
    with smtplib.SMTP(controller.hostname, controller.port, timeout=10) as client:
        client.sendmail("mary@example.com", ["care@amends.localhost"], raw)


def test_smtp_listener_answers_250_after_the_message_is_committed(smtp_listener):
    _send(smtp_listener, MAIL)
    row = InboundMail.objects.get()  # committed: visible from this other connection
    assert row.via == Via.SMTP and row.envelope_to == "care@amends.localhost"
    assert bytes(row.raw).replace(b"\r\n", b"\n").strip() == MAIL.replace(b"\r\n", b"\n").strip()


def test_smtp_listener_answers_451_when_it_cannot_store(smtp_listener, monkeypatch):
    def down(**kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(listener_module, "inbound_store", down)
    with pytest.raises(smtplib.SMTPDataError) as refused:
        _send(smtp_listener, MAIL)
    assert refused.value.smtp_code == 451
    assert b"500" not in refused.value.smtp_error and not InboundMail.objects.exists()


def test_smtp_listener_answers_552_over_the_size_limit(settings, transactional_db):
    settings.AMENDS_MAIL_MAX_BYTES = 200
    controller = listener_module.listener(host="127.0.0.1", port=_free_port())
    controller.start()
    try:
        with pytest.raises(
            (smtplib.SMTPDataError, smtplib.SMTPSenderRefused, smtplib.SMTPServerDisconnected)
        ) as refused:
            _send(controller, MAIL + b"x" * 500)
    finally:
        controller.stop()
    assert getattr(refused.value, "smtp_code", 552) == 552
    assert not InboundMail.objects.exists()
