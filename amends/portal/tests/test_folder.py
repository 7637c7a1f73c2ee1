"""The case folder (R-CR-2): the customer's own cases, their public story, writing to us and
asking for a manager (R-EM-2). Another customer's case or file is a 404."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from amends.cases.choices import MessageKind, Status
from amends.cases.models import Attachment
from amends.cases.services import lifecycle
from amends.cases.services.customer_requests import MANAGER_REQUESTED
from amends.core import clock
from amends.core.models import AuditEvent
from amends.notify.models import Notification
from amends.portal.services import portal_case_link
from amends.sla.models import Escalation, EscalationReason

pytestmark = pytest.mark.django_db

JLM = ZoneInfo("Asia/Jerusalem")
PDF = b"%PDF-1.4 receipt"


def _open(client: Client, case) -> Client:
    """Open the portal as the case's customer, through the case-bound link in their mail."""
    client.get("/" + portal_case_link(case).split("/", 3)[3])
    return client


@pytest.fixture
def signed_in(django_capture_on_commit_callbacks, mailoutbox):
    """Sign in as the customer does: ask for the mail, type its code."""

    def sign_in(client: Client, email: str = "mary@example.com"):
        with django_capture_on_commit_callbacks(execute=True):
            client.post("/en/portal/", {"email": email})
        code = re.search(r"\b(\d{6})\b", mailoutbox[-1].body).group(1)
        client.post("/en/portal/code/", {"email": email, "code": code})
        return client

    return sign_in


def test_the_folder_lists_only_the_customers_own_cases(client, make_case, signed_in):
    # given: Mary has two cases, Noa one
    mine = [make_case(), make_case(body="The refund never came.")]
    theirs = make_case(email="noa@example.com", full_name="Noa Cohen")
    # when
    signed_in(client)
    html = client.get("/en/portal/cases/").content.decode()
    # then
    assert all(case.reference in html for case in mine)
    assert theirs.reference not in html


def test_the_folder_needs_a_customer(client, case):
    assert client.get("/en/portal/cases/")["Location"] == "/en/portal/"
    assert client.get(f"/en/portal/cases/{case.public_id}/")["Location"] == "/en/portal/"


def test_the_case_page_shows_status_owner_messages_and_promises_but_never_notes(client, make_case, agent):
    # given: an owned case with a reply carrying a promise, and an internal note with a file
    clock.freeze(datetime(2026, 11, 29, 9, 0, tzinfo=JLM))  # Sunday morning, business hours
    case = make_case()
    lifecycle.case_assign(case=case, owner=agent, actor=agent)
    lifecycle.case_reply(
        case=case,
        actor=agent,
        body="We have asked the courier.",
        promise_due=datetime(2026, 11, 30, 16, 0, tzinfo=JLM),
    )
    lifecycle.case_note(
        case=case,
        actor=agent,
        body="SECRET: the courier blames our warehouse",
        attachments=[SimpleUploadedFile("internal.pdf", PDF)],
    )
    # when
    html = _open(client, case).get(f"/en/portal/cases/{case.public_id}/").content.decode()
    # then
    assert "Someone is working on it" in html
    assert "Dana Levi" in html
    assert "The parcel never arrived." in html and "We have asked the courier." in html
    assert "promised you an update by" in html and "Not due yet" in html
    assert "by <bdi>Nov. 30, 2026, 4 p.m</bdi>." in html  # one full stop, not "p.m.."
    assert "SECRET" not in html and "internal.pdf" not in html
    note_file = Attachment.objects.get(message__kind=MessageKind.NOTE)
    assert client.get(f"/en/portal/attachments/{note_file.public_id}/").status_code == 404


def test_an_unowned_case_says_not_yet_assigned(client, case):
    html = _open(client, case).get(f"/en/portal/cases/{case.public_id}/").content.decode()
    assert "Not yet assigned to a person" in html


def test_another_customers_case_and_attachment_are_404(client, make_case):
    # given: Noa's case with a file; Mary opened her own case
    mine = make_case()
    theirs = make_case(
        email="noa@example.com", full_name="Noa Cohen", attachments=[SimpleUploadedFile("r.pdf", PDF)]
    )
    _open(client, mine)
    their_file = Attachment.objects.get(message__case=theirs)
    # then: Noa's case and file answer exactly like ids that do not exist
    for path in (
        f"/en/portal/cases/{theirs.public_id}/",
        f"/en/portal/attachments/{their_file.public_id}/",
        "/en/portal/cases/00000000-0000-4000-8000-000000000000/",
        "/en/portal/attachments/00000000-0000-4000-8000-000000000000/",
    ):
        assert client.get(path).status_code == 404, path
    for action in ("message", "manager"):
        response = client.post(
            f"/en/portal/cases/{theirs.public_id}/{action}/", {"body": "x", "reason": "xyz"}
        )
        assert response.status_code == 404
    assert theirs.messages.count() == 1


def test_own_attachments_download_safely(client, make_case):
    case = make_case(attachments=[SimpleUploadedFile("receipt.pdf", PDF)])
    attachment = Attachment.objects.get()
    response = _open(client, case).get(f"/en/portal/attachments/{attachment.public_id}/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == PDF


def test_a_message_with_a_file_reopens_a_resolved_case(client, make_case, agent):
    # given: a resolved case
    case = make_case()
    lifecycle.case_resolve(
        case=case, actor=agent, resolution_type="refund", decision="upheld", summary="We refunded you."
    )
    _open(client, case)
    # when
    response = client.post(
        f"/en/portal/cases/{case.public_id}/message/",
        {"body": "The refund has not arrived.", "attachments": [SimpleUploadedFile("bank.pdf", PDF)]},
    )
    # then
    assert response["Location"] == f"/en/portal/cases/{case.public_id}/"
    case.refresh_from_db()
    assert case.status == Status.OPEN
    message = case.messages.order_by("created_at", "id").last()
    assert (message.kind, message.channel, message.body) == ("inbound", "web", "The refund has not arrived.")
    assert message.attachments.get().filename == "bank.pdf"
    assert "has been added" in client.get(response["Location"]).content.decode()


def test_a_bad_file_is_refused_and_the_words_are_kept(client, case):
    _open(client, case)
    response = client.post(
        f"/en/portal/cases/{case.public_id}/message/",
        {"body": "Here is the photo", "attachments": [SimpleUploadedFile("x.exe", b"MZ\x90\x00")]},
    )
    assert response.status_code == 400
    assert "Here is the photo" in response.content.decode()
    assert case.messages.count() == 1


def test_a_closed_case_takes_no_message(client, case, agent):
    lifecycle.case_resolve(
        case=case, actor=agent, resolution_type="apology", decision="upheld", summary="Sorry."
    )
    lifecycle.case_close(case=case, actor=agent)
    html = _open(client, case).get(f"/en/portal/cases/{case.public_id}/").content.decode()
    assert 'id="message-form"' not in html and "This complaint is closed" in html
    response = client.post(f"/en/portal/cases/{case.public_id}/message/", {"body": "Hello?"})
    assert response.status_code == 400
    assert case.messages.filter(kind="inbound").count() == 1


def test_asking_for_a_manager_records_it_and_tells_the_lead(client, case, agent, lead):
    # given
    lifecycle.case_assign(case=case, owner=agent, actor=agent)
    _open(client, case)
    # when
    response = client.post(
        f"/en/portal/cases/{case.public_id}/manager/", {"reason": "Three weeks and still no refund."}
    )
    # then: the reason is a message from the customer, audited, escalated to the lead, mailed
    assert response.status_code == 302
    message = case.messages.order_by("created_at", "id").last()
    assert (message.kind, message.body) == ("inbound", "Three weeks and still no refund.")
    event = AuditEvent.objects.get(name=MANAGER_REQUESTED, target_id=case.pk)
    assert event.actor_label == "customer" and event.data["message"] == str(message.public_id)
    escalation = Escalation.objects.get(case=case)
    assert escalation.reason == EscalationReason.MANAGER_REQUESTED
    assert escalation.note == "Three weeks and still no refund."
    told = Notification.objects.filter(case=case, recipient__isnull=False)
    assert [(n.recipient, n.event) for n in told] == [(lead, "escalated")]


def test_a_manager_request_needs_a_reason(client, case, lead):
    _open(client, case)
    response = client.post(f"/en/portal/cases/{case.public_id}/manager/", {"reason": " a "})
    assert response.status_code == 400
    assert "why you would like to speak to a manager" in response.content.decode()
    assert not Escalation.objects.exists()


def test_the_case_page_reads_right_to_left_in_hebrew_and_arabic(client, hebrew_case):
    _open(client, hebrew_case)
    for lang, direction in [("he", "rtl"), ("ar", "rtl"), ("ru", "ltr")]:
        html = client.get(f"/{lang}/portal/cases/{hebrew_case.public_id}/").content.decode()
        assert f'<html lang="{lang}" dir="{direction}">' in html


def test_the_case_page_costs_the_same_queries_with_more_messages(
    client, case, agent, django_assert_max_num_queries
):
    """No query per message or attachment."""
    _open(client, case)
    for n in range(10):
        lifecycle.case_customer_message(
            case=case, body=f"More {n}", channel="web", attachments=[SimpleUploadedFile(f"{n}.pdf", PDF)]
        )
    with django_assert_max_num_queries(10):
        client.get(f"/en/portal/cases/{case.public_id}/")
