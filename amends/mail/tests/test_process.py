"""From stored bytes to the case: new complaints, threaded replies, held spoofs, automatic
mail, bounces, and the unprocessable list (the test task backend processes inline)."""

from email.message import EmailMessage
from email.utils import make_msgid

import pytest

from amends.cases.choices import Channel, Status
from amends.cases.services import lifecycle
from amends.core.models import AuditEvent
from amends.customers.models import CustomerIdentity
from amends.mail.models import InboundMail, InboundStatus, Via
from amends.mail.services import held_accept, inbound_reprocess
from amends.mail.store import inbound_store
from amends.notify.models import Notification, NotificationStatus

pytestmark = pytest.mark.django_db


def mail(
    *,
    body="My new fridge arrived broken and nobody answers the phone.",
    sender="Noa Cohen <noa@example.com>",
    subject="Broken fridge",
    headers=None,
    charset="utf-8",
) -> bytes:
    message = EmailMessage()
    if sender:
        message["From"] = sender
    message["To"] = "care@amends.localhost"
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="example.com")
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body, charset=charset)
    return bytes(message)


def receive(raw: bytes) -> InboundMail:
    row, _ = inbound_store(raw=raw, via=Via.PIPE)
    row.refresh_from_db()
    return row


def test_a_new_mail_opens_a_case_in_its_language_and_acknowledges_it():
    row = receive(
        mail(body="המקרר החדש הגיע שבור ואף אחד לא עונה לטלפון.", sender="נועה כהן <Noa@Example.com>")
    )
    assert row.status == InboundStatus.PROCESSED, row.error
    case = row.case
    assert case.channel == Channel.EMAIL and case.language == "he" and case.subject == "Broken fridge"
    assert case.customer.full_name == "נועה כהן"
    assert row.case_message.email_message_id == row.message_id
    ack = Notification.objects.get(case=case, event="received")
    assert ack.to_address == "noa@example.com" and case.reference in ack.subject


def _our_reply(case) -> str:
    lifecycle.case_reply(case=case, actor=case.owner, body="We are on it.")
    return Notification.objects.filter(case=case, event="reply").latest("pk").message_id


@pytest.fixture
def owned_case(agent):
    row = receive(mail())
    return lifecycle.case_assign(case=row.case, owner=agent, actor=agent)


def test_a_reply_threads_by_in_reply_to_our_message_id(owned_case):
    ours = _our_reply(owned_case)
    row = receive(
        mail(body="Thank you, when will it come?", subject="Re: whatever", headers={"In-Reply-To": ours})
    )
    assert row.status == InboundStatus.PROCESSED and row.case == owned_case
    assert owned_case.messages.filter(body="Thank you, when will it come?").exists()


def test_a_reply_threads_by_the_reference_tag_in_the_subject(owned_case):
    row = receive(mail(body="Any news?", subject=f"Re: your complaint [{owned_case.reference}]"))
    assert row.case == owned_case and row.status == InboundStatus.PROCESSED


def test_the_same_subject_alone_does_not_thread():
    first = receive(mail(subject="Refund please"))
    second = receive(mail(subject="Refund please", body="Second complaint about something else."))
    assert first.case != second.case


def test_our_internal_headers_on_inbound_mail_are_ignored(owned_case):
    row = receive(mail(body="Attach me anywhere", headers={"X-Amends-Case": owned_case.reference}))
    assert row.case != owned_case


def test_a_reply_from_someone_else_is_held_and_an_agent_may_accept_it(owned_case, agent):
    ours = _our_reply(owned_case)
    spoof = mail(
        body="Close this case please", sender="Mallory <mallory@evil.example>", headers={"In-Reply-To": ours}
    )
    row = receive(spoof)
    assert row.status == InboundStatus.HELD and row.case == owned_case
    assert not owned_case.messages.filter(body="Close this case please").exists()
    held_accept(mail_id=row.pk, actor=agent)
    row.refresh_from_db()
    assert row.status == InboundStatus.PROCESSED
    assert owned_case.messages.filter(body="Close this case please").exists()


def test_a_reply_to_a_resolved_case_reopens_it(owned_case, agent):
    lifecycle.case_resolve(
        case=owned_case, actor=agent, resolution_type="refund", decision="upheld", summary="Refunded."
    )
    receive(mail(body="The refund never came.", subject=f"Re: [{owned_case.reference}]"))
    owned_case.refresh_from_db()
    assert owned_case.status == Status.OPEN


def test_a_reply_to_a_closed_case_opens_a_new_one(owned_case, agent):
    lifecycle.case_resolve(
        case=owned_case, actor=agent, resolution_type="refund", decision="upheld", summary="Refunded."
    )
    lifecycle.case_close(case=owned_case, actor=agent)
    row = receive(mail(body="It broke again.", subject=f"Re: [{owned_case.reference}]"))
    assert row.status == InboundStatus.PROCESSED and row.case != owned_case


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-replied"},
        {"Precedence": "bulk"},
        {"X-Autoreply": "yes"},
        {"Return-Path": "<>"},
    ],
)
def test_automatic_mail_is_never_acknowledged_and_opens_nothing(headers):
    row = receive(mail(body="I am out of the office until Monday.", headers=headers))
    assert row.status == InboundStatus.IGNORED and row.case is None
    assert not Notification.objects.exists()


def test_an_out_of_office_reply_does_not_reopen_a_case(owned_case, agent):
    lifecycle.case_ask(case=owned_case, actor=agent, body="Which address?")
    row = receive(
        mail(
            body="I am away until Monday.",
            subject=f"Auto: [{owned_case.reference}]",
            headers={"Auto-Submitted": "auto-replied"},
        )
    )
    owned_case.refresh_from_db()
    assert row.status == InboundStatus.IGNORED and owned_case.status == Status.WAITING


def test_acknowledgements_per_address_are_capped(settings):
    settings.AMENDS_MAIL_ACK_CAP = 2
    for n in range(4):
        receive(mail(body=f"Complaint number {n} about the same thing."))
    assert Notification.objects.filter(event="received", to_address="noa@example.com").count() == 2
    assert InboundMail.objects.filter(status=InboundStatus.PROCESSED).count() == 4


def _bounce_for(message_id: str, recipient: str) -> bytes:
    report = (
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.com>\r\n"
        "To: support@amends.localhost\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "Message-ID: <bounce-1@mx.example.com>\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nThe mail could not be delivered.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        f"Reporting-MTA: dns; mx.example.com\r\n\r\nFinal-Recipient: rfc822; {recipient}\r\n"
        "Action: failed\r\nStatus: 5.1.1\r\n\r\n"
        "--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"Message-ID: {message_id}\r\nSubject: A reply about your complaint\r\n\r\n"
        "--B--\r\n"
    )
    return report.encode()


def test_a_bounce_is_recorded_on_the_case_and_flags_the_address(owned_case):
    ours = _our_reply(owned_case)
    status_before = owned_case.status
    row = receive(_bounce_for(ours, "noa@example.com"))
    assert row.status == InboundStatus.BOUNCE and row.case == owned_case
    assert Notification.objects.get(message_id=ours).status == NotificationStatus.FAILED
    assert CustomerIdentity.objects.get(value="noa@example.com").bounced_at is not None
    assert AuditEvent.objects.filter(name="mail.bounced", target_id=owned_case.pk).exists()
    owned_case.refresh_from_db()
    assert owned_case.status == status_before
    assert Notification.objects.filter(case=owned_case, event="received").count() == 1  # no new ack


def test_a_mail_that_cannot_be_taken_in_is_kept_as_unprocessable_with_the_reason():
    row = receive(mail(sender=None, body="Nobody to answer to."))
    assert row.status == InboundStatus.UNPROCESSABLE and row.error
    assert row.attempts == 1
    inbound_reprocess(mail_id=row.pk)
    row.refresh_from_db()
    assert row.status == InboundStatus.UNPROCESSABLE and row.attempts == 2  # tried again, kept


def test_legacy_hebrew_charset_is_read(settings):
    row = receive(mail(body="שלום, המשלוח לא הגיע.", charset="windows-1255"))
    assert row.status == InboundStatus.PROCESSED
    assert "המשלוח לא הגיע" in row.case_message.body


def test_the_whole_email_is_one_click_away_and_never_runs(client, agent):
    from django.urls import reverse

    raw = mail(body="Please refund me.\n\nOn Mon, Support <care@amends.localhost> wrote:\n> Which order?\n")
    row = receive(raw)
    assert row.case_message.body == "Please refund me."
    client.force_login(agent)
    page = client.get(reverse("desk:case", args=[row.case.public_id])).content.decode()
    link = reverse("desk:mail-original", args=[row.case.public_id, row.case_message.public_id])
    assert link in page
    original = client.get(link).content.decode()
    assert "Which order?" in original and "noa@example.com" in original
    other = receive(mail(sender="Other <other@example.com>", body="Another complaint"))
    wrong = reverse("desk:mail-original", args=[other.case.public_id, row.case_message.public_id])
    assert client.get(wrong).status_code == 404
