"""The three ways in store the raw message first, exactly once, and say "accepted" only after."""

import io
import smtplib
import socket
import sys

import pytest
from django.db import DatabaseError

from amends.mail import listener as listener_module
from amends.mail.models import InboundMail, Via
from amends.mail.services import MailTooLarge, inbound_store

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
    def down(*args, **kwargs):
        raise DatabaseError("could not connect to server")

    monkeypatch.setattr(InboundMail.objects, "get_or_create", down)  # the database edge
    assert _mailgate(monkeypatch, MAIL) == 75


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
