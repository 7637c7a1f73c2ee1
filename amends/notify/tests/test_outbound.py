"""Outbound mail through a real SMTP server: an aiosmtpd sink on a loopback port stands in for
the relay, reached through Django's SMTP backend exactly as in production. The test task
backend sends each notification the moment it is queued."""

import smtplib
from datetime import timedelta
from email import policy
from email.message import EmailMessage

import pytest
from django.template import Context
from django.template.loader import get_template
from django.urls import reverse
from django.utils import translation

from amends.cases.choices import Channel
from amends.cases.services import lifecycle
from amends.core import clock
from amends.notify.mailheaders import REFERENCES_CAP, IdListHeader, thread_headers
from amends.notify.models import Notification, NotificationStatus
from amends.notify.services import CUSTOMER_EVENTS, FOLDED_EVENT, notifications_retry_stuck
from amends.notify.tests.smtp_sink import free_port, smtp_mailer

pytestmark = pytest.mark.django_db


def _customer_mail(case, *, message_id: str, body: str = "Thanks, that helps."):
    """A customer's mail on the case, as the mail app records it: the message through the
    lifecycle, then its Message-ID (without <>) saved on it, as amends.mail does after intake.
    Not through amends.mail itself, so these tests do not depend on its parser."""
    message = lifecycle.case_customer_message(case=case, body=body, channel=Channel.EMAIL)
    message.email_message_id = message_id
    message.save(update_fields=["email_message_id"])
    return message


def _parts(message: EmailMessage) -> dict[str, str]:
    """Each alternative's text, with the wire's CRLF line ends read back as "\\n"."""
    return {
        part.get_content_type(): part.get_content().replace("\r\n", "\n") for part in message.iter_parts()
    }


def test_customer_mail_is_text_and_html_right_to_left_for_hebrew(sink, hebrew_case):
    # given a Hebrew complaint (the fixture opened it; the acknowledgement went to the relay)
    ack = Notification.objects.get(case=hebrew_case, event="received")
    # when it arrives
    (message,) = sink.to("noa@example.com")
    # then it is multipart/alternative: the stored text exactly, and HTML in Hebrew, right to left
    assert message.get_content_type() == "multipart/alternative"
    parts = _parts(message)
    assert parts["text/plain"] == ack.body
    html = parts["text/html"]
    assert '<html lang="he" dir="rtl">' in html
    assert 'dir="rtl"' in html.split("<body", 1)[1]  # again inside: webmail drops <html>'s attributes
    assert hebrew_case.reference in html
    # inline CSS only, nothing fetched from elsewhere
    assert "<style" not in html and "<link" not in html and "<img" not in html and "src=" not in html
    # the subject carries the reference tag, the headers our Message-ID and language
    assert message["Subject"].endswith(f"[{hebrew_case.reference}]")
    assert message["Message-ID"] == ack.message_id
    assert message["Content-Language"] == "he"
    assert message["Auto-Submitted"] == "auto-replied"  # the acknowledgement answers the complaint


def test_html_is_escaped_text_with_paragraphs_and_links(sink, case, agent):
    # given an English case and a reply that contains markup and a link
    # when the agent replies
    lifecycle.case_reply(
        case=case,
        actor=agent,
        body="Use <b>this</b> form & tell us: https://example.com/form?a=1&b=2\n\nSecond paragraph.",
    )
    # then the HTML shows the words, not the markup, with the link live and paragraphs kept
    reply = sink.to("mary@example.com")[-1]
    html = _parts(reply)["text/html"]
    assert '<html lang="en" dir="ltr">' in html
    assert "&lt;b&gt;this&lt;/b&gt; form &amp; tell us" in html and "<b>this</b>" not in html
    assert '<a href="https://example.com/form?a=1&amp;b=2"' in html
    assert "<p>Second paragraph.</p>" in html
    # and the plain text part is the text as written
    assert "Use <b>this</b> form & tell us" in _parts(reply)["text/plain"]


def test_mails_on_one_case_thread_with_the_customers_mails(sink, make_case, agent):
    # given a complaint by email whose Message-ID is long (Outlook style), acknowledged
    case = make_case(channel=Channel.EMAIL, email="noa@example.com")
    first_id = "AM0PR04MB7ABCDEF0123456789ABCDEF0123456789@AM0PR04MB7ABC.eurprd04.prod.outlook.com"
    first = case.messages.get()
    first.email_message_id = first_id  # what amends.mail records for the mail that opened the case
    first.save(update_fields=["email_message_id"])
    ack = Notification.objects.get(case=case, event="received")
    # when the agent replies
    lifecycle.case_reply(case=case, actor=agent, body="We are sorry. A new fridge is on its way.")
    reply = Notification.objects.get(case=case, event="reply")
    # then the reply answers the customer's mail and lists it and our acknowledgement, oldest first
    sent = sink.to("noa@example.com")[-1]
    assert sent["Message-ID"] == reply.message_id
    assert sent["In-Reply-To"] == f"<{first_id}>"
    assert sent["References"].split() == [f"<{first_id}>", ack.message_id]
    header_block = sent.raw.split(b"\r\n\r\n", 1)[0]
    assert b"=?" not in header_block  # ids are folded between ids, never RFC 2047-encoded
    # when the customer answers by mail and the agent replies again
    clock.freeze(clock.now() + timedelta(minutes=5))
    _customer_mail(case, message_id="CAFk3y+answer@mail.gmail.com")
    clock.freeze(clock.now() + timedelta(minutes=5))
    lifecycle.case_reply(case=case, actor=agent, body="Glad to hear it.")
    # then the new mail answers the customer's latest mail and carries the whole chain
    last = sink.to("noa@example.com")[-1]
    assert last["In-Reply-To"] == "<CAFk3y+answer@mail.gmail.com>"
    assert last["References"].split() == [
        f"<{first_id}>",
        ack.message_id,
        reply.message_id,
        "<CAFk3y+answer@mail.gmail.com>",
    ]
    # and the headers are the ones stored at queue time, which retries send again
    stored = Notification.objects.filter(case=case, event="reply").last()
    assert stored.in_reply_to == last["In-Reply-To"]
    assert stored.references.split() == last["References"].split()


def test_without_any_mail_from_the_customer_our_mails_thread_with_each_other(sink, case, agent):
    # given a web-form complaint: only our acknowledgement so far
    ack = Notification.objects.get(case=case, event="received")
    # when the agent takes the case and replies
    lifecycle.case_assign(case=case, owner=agent, actor=agent)
    lifecycle.case_reply(case=case, actor=agent, body="On it.")
    # then each mail answers our previous one
    assigned, reply = sink.to("mary@example.com")[-2:]
    assert assigned["In-Reply-To"] == ack.message_id and assigned["References"] == ack.message_id
    assert reply["In-Reply-To"] == assigned["Message-ID"]
    assert reply["References"].split() == [ack.message_id, assigned["Message-ID"]]


def test_auto_submitted_marks_only_what_no_person_wrote(sink, case, agent):
    # given a case acknowledged automatically
    # when it is assigned (a system notice) and the agent writes a reply
    lifecycle.case_assign(case=case, owner=agent, actor=agent)
    lifecycle.case_reply(case=case, actor=agent, body="I will look at it today.")
    # then: auto-replied, auto-generated, and no header on the agent's own words
    received, assigned, reply = sink.to("mary@example.com")
    assert received["Auto-Submitted"] == "auto-replied"
    assert assigned["Auto-Submitted"] == "auto-generated"
    assert reply["Auto-Submitted"] is None


@pytest.mark.parametrize(
    ("phase", "reply"),
    [
        ("RCPT", "550 5.1.1 No such user"),
        ("DATA", "550 5.1.1 No such user"),
        ("DATA", "554 5.7.1 Message refused"),
        ("MAIL", "553 5.7.1 Sender address rejected"),
    ],
)
def test_a_permanent_refusal_fails_at_once_and_alerts_the_owner(sink, case, agent, phase, reply):
    # given a case with an owner, and a relay that will refuse the next mail for good
    lifecycle.case_assign(case=case, owner=agent, actor=agent)
    sink.refuse(phase, reply)
    # when the agent replies
    lifecycle.case_reply(case=case, actor=agent, body="Here is what we found.")
    # then the reply is failed after one attempt, with the server's words
    failed = Notification.objects.get(case=case, event="reply")
    assert failed.status == NotificationStatus.FAILED and failed.attempts == 1
    assert reply in failed.error
    # and the owner is told by mail, with the address and the server's answer
    alert = Notification.objects.get(case=case, recipient=agent, event="delivery_failed")
    assert alert.status == NotificationStatus.SENT
    (mail_to_owner,) = sink.to(agent.email)
    # in the first language the owner speaks (the agent fixture: Hebrew, then English)
    assert mail_to_owner["Subject"] == f"[{case.reference}] לא ניתן היה למסור דואר ללקוח"
    assert mail_to_owner["Auto-Submitted"] == "auto-generated"
    text = _parts(mail_to_owner)["text/plain"]
    assert "mary@example.com" in text and reply in text and f"/desk/cases/{case.public_id}/" in text
    # and the retry job never tries it again
    clock.freeze(clock.now() + timedelta(hours=3))
    assert notifications_retry_stuck() == 0


def test_a_permanent_refusal_without_an_owner_alerts_nobody(sink, make_case):
    # given a relay that refuses the next recipient
    sink.refuse("RCPT", "550 5.1.1 No such user")
    # when a complaint is opened (nobody owns it yet) and its acknowledgement is refused
    case = make_case(email="nobody@example.com")
    # then it is failed, and no staff mail is made
    assert Notification.objects.get(case=case, event="received").status == NotificationStatus.FAILED
    assert not Notification.objects.filter(event="delivery_failed").exists()


@pytest.mark.parametrize(
    ("phase", "reply"),
    [
        ("DATA", "451 4.3.0 Try again later"),
        ("RCPT", "450 4.2.1 Mailbox busy"),
        ("RCPT", "552 5.5.3 Too many recipients"),  # RFC 5321 §4.5.3.1.10: temporary at RCPT
    ],
)
def test_a_temporary_refusal_keeps_it_queued_and_a_retry_sends_the_same_mail(sink, case, agent, phase, reply):
    # given a case with an owner, and a relay that will put off the next mail
    lifecycle.case_assign(case=case, owner=agent, actor=agent)
    sink.refuse(phase, reply)
    # when the agent replies
    lifecycle.case_reply(case=case, actor=agent, body="Here is what we found.")
    # then the reply waits for another try and nobody is alarmed
    waiting = Notification.objects.get(case=case, event="reply")
    assert waiting.status == NotificationStatus.QUEUED and waiting.attempts == 1
    assert reply.split()[0] in waiting.error
    assert not Notification.objects.filter(event="delivery_failed").exists()
    # when the retry job runs after the backoff
    clock.freeze(clock.now() + timedelta(minutes=2))
    assert notifications_retry_stuck() == 1
    # then it is sent, with the id and threading fixed when it was queued
    waiting.refresh_from_db()
    assert waiting.status == NotificationStatus.SENT and waiting.attempts == 2
    sent = sink.to("mary@example.com")[-1]
    assert sent["Message-ID"] == waiting.message_id
    assert sent["In-Reply-To"] == waiting.in_reply_to and sent["References"] == waiting.references


def test_while_the_mail_server_is_down_mail_stays_queued(settings, sink, case, agent):
    # given the relay unreachable (nothing listens on its port)
    settings.MAILERS = smtp_mailer(free_port())
    # when the agent replies
    lifecycle.case_reply(case=case, actor=agent, body="Here is what we found.")
    # then the reply is queued for another try with the reason, and nobody is alarmed
    waiting = Notification.objects.get(case=case, event="reply")
    assert waiting.status == NotificationStatus.QUEUED
    assert "ConnectionRefusedError" in waiting.error
    assert not Notification.objects.filter(event="delivery_failed").exists()
    # when the relay is back and the retry job runs
    settings.MAILERS = smtp_mailer(sink.port)
    clock.freeze(clock.now() + timedelta(minutes=2))
    assert notifications_retry_stuck() == 1
    # then the customer gets it
    assert sink.to("mary@example.com")[-1]["Message-ID"] == waiting.message_id


def test_a_failed_goodbye_after_the_server_accepted_is_not_a_failure(sink, case, agent, monkeypatch):
    """The relay answered 250 to the message; a connection reset on QUIT must not queue a resend."""

    def reset(self):
        smtplib.SMTP.close(self)
        raise ConnectionResetError("connection reset by peer")

    monkeypatch.setattr(smtplib.SMTP, "quit", reset)
    lifecycle.case_reply(case=case, actor=agent, body="Here is what we found.")
    reply = Notification.objects.get(case=case, event="reply")
    assert reply.status == NotificationStatus.SENT
    assert len(sink.to("mary@example.com")) == 2  # acknowledgement and reply, once each


def test_after_a_worker_dies_mid_send_the_resend_is_the_same_mail(sink, case):
    # given an acknowledgement the relay accepted, whose worker died before recording it
    first = sink.to("mary@example.com")[0]
    Notification.objects.filter(case=case).update(
        status=NotificationStatus.SENDING, last_attempt_at=clock.now()
    )
    # then nothing is resent while its lease runs
    clock.freeze(clock.now() + timedelta(minutes=9))
    assert notifications_retry_stuck() == 0
    # when the lease has run out
    clock.freeze(clock.now() + timedelta(minutes=2))
    assert notifications_retry_stuck() == 1
    # then the customer gets a second copy carrying the same Message-ID (clients that dedupe show one)
    second = sink.to("mary@example.com")[1]
    for header in ("Message-ID", "Subject", "In-Reply-To", "References", "Auto-Submitted"):
        assert second[header] == first[header]


@pytest.mark.parametrize("language", ["en", "he", "ar", "ru"])
def test_every_customer_subject_carries_the_reference_tag(case, language):
    for event in sorted({*CUSTOMER_EVENTS, FOLDED_EVENT}):
        with translation.override(language):
            subject = get_template(f"notify/email/{event}_subject.txt").template.render(
                Context({"case": case}, autoescape=False)
            )
        assert f"[{case.reference}]" in subject, (event, language)


def test_references_keep_the_first_and_the_newest_ids():
    now = clock.now()
    inbound = [(now + timedelta(minutes=i), f"c{i}@example.com") for i in range(0, 60, 2)]
    ours = [(now + timedelta(minutes=i), f"<n{i}@amends.localhost>") for i in range(1, 60, 2)]
    in_reply_to, references = thread_headers(inbound=inbound, ours=ours)
    ids = references.split()
    assert len(ids) == REFERENCES_CAP
    assert ids[0] == "<c0@example.com>" and ids[-1] == "<n59@amends.localhost>"
    assert in_reply_to == "<c58@example.com>"  # the customer's latest mail, not our latest


def test_ids_that_could_break_the_header_are_left_out():
    now = clock.now()
    in_reply_to, references = thread_headers(
        inbound=[(now, "ok@example.com"), (now, "bad\r\nBcc: x@evil.test"), (now, "sp ace@x"), (now, "")],
        ours=[],
    )
    assert (in_reply_to, references) == ("<ok@example.com>", "<ok@example.com>")


def test_long_id_lists_fold_between_ids():
    ids = " ".join(f"<{i:02d}{'x' * 40}@example.com>" for i in range(5))
    folded = IdListHeader("References", ids).fold(policy=policy.SMTP)
    lines = folded.split("\r\n")[:-1]
    assert all(len(line) <= 78 for line in lines)
    assert " ".join(line.strip() for line in lines).removeprefix("References: ") == ids


def test_the_case_page_shows_each_mail_to_the_customer_with_its_status(sink, client, case, agent):
    # given an acknowledgement that went out and a reply the customer's server refused
    sink.refuse("RCPT", "550 5.1.1 No such user")
    lifecycle.case_reply(case=case, actor=agent, body="Here is what we found.")
    # when the agent opens the case
    client.force_login(agent)
    page = client.get(reverse("desk:case", kwargs={"public_id": case.public_id})).content.decode()
    # then the sidebar lists both, newest first, with status and the server's answer
    section = page.split('id="mails"', 1)[1].split("</section>", 1)[0]
    reply, ack = Notification.objects.get(event="reply"), Notification.objects.get(event="received")
    assert section.index(f'id="mail-{reply.pk}"') < section.index(f'id="mail-{ack.pk}"')
    assert "Failed" in section and "550 5.1.1 No such user" in section and "Sent" in section
    assert reply.subject in section and ack.subject in section


def test_header_classes_made_once_build_the_same_bytes(hebrew_case):
    """email_for builds under fast_policy; the bytes are those of the email package's own."""
    import email.policy

    from django.core.mail import EmailMultiAlternatives

    from amends.notify.channels import email_for as _email_for

    # given a Hebrew mail (encoded subject) with long References and In-Reply-To
    notification = Notification.objects.get(case=hebrew_case, event="received")
    notification.references = " ".join(f"<{i:02d}{'x' * 60}@example.com>" for i in range(5))
    notification.in_reply_to = f"<04{'x' * 60}@example.com>"
    mail = _email_for(notification)
    mail.extra_headers["Date"] = "Sun, 29 Nov 2026 10:00:00 +0000"
    # when it is built both ways
    ours = mail.message(policy=email.policy.SMTP)
    theirs = EmailMultiAlternatives.message(mail, policy=email.policy.SMTP)
    # then the bytes are the same (but for the random multipart boundary)
    assert ours.as_bytes().replace(ours.get_boundary().encode(), b"=B=") == theirs.as_bytes().replace(
        theirs.get_boundary().encode(), b"=B="
    )
    assert b"=?utf-8?" in ours.as_bytes()  # the subject, encoded
