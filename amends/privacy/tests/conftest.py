"""A customer with a full history, made through Amends' own services, and the strings that
identify her: erasure must leave none of them anywhere in the database."""

from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from amends.cases.choices import Channel
from amends.cases.models import Case
from amends.cases.services import lifecycle
from amends.cases.services.customer_requests import case_customer_manager_request
from amends.cases.services.intake import case_open
from amends.core import clock
from amends.customers.models import Customer
from amends.mail.models import InboundStatus, Via
from amends.mail.store import inbound_store
from amends.portal.services import signin_request
from amends.sla.models import FollowUp
from amends.sla.services.commitments import commitment_create, commitment_move
from amends.sla.services.followups import followup_answer
from amends.sla.sweeper import sla_sweep

JLM = ZoneInfo("Asia/Jerusalem")
RECEIPT = b"%PDF-1.4 Zephyrine's receipt"
PHOTO = b"%PDF-1.4 photo of the dent"
NOTE_FILE = b"%PDF-1.4 internal memo"

# Every string below belongs to Zephyrine alone (no fixture, template or seed row has them).
PERSONAL = [
    "Zephyrine",
    "Quillfeather",
    "zephyrine.q@example.net",
    "0547770123",
    "17 Juniper Mews",
    "ORD-55501",
    "fridge door arrived dented",  # her first mail
    "dented-fridge.pdf",  # her file's name
    "oven-photo.pdf",
    "cold-memo.pdf",
    "my neighbour Ilse saw",  # her reply on the web case
    "still dented, nobody came",  # her follow-up answer
    "I want a manager, Ksenofont",  # her manager request
    "Juniper Mews resident",  # an agent's summary about her
    "spoke to Zephyrine by phone",  # an internal note
    "Zephyrine refund sent to IBAN",  # the resolution summary
    "replacement door for Zephyrine",  # a promise's description
    "courier Ksenofont is late",  # the reason a promise moved
    "dented-door-ack",  # Message-ID left part of her mail
]


def at(*args) -> datetime:
    return datetime(*args, tzinfo=JLM)


@dataclass
class History:
    customer: Customer
    mail_case: Case
    web_case: Case
    other_case: Case  # another customer's, which must not change


def _her_mail() -> bytes:
    message = EmailMessage()
    message["From"] = "Zephyrine Quillfeather <Zephyrine.Q@example.net>"
    message["To"] = "care@amends.localhost"
    message["Subject"] = "fridge door arrived dented"
    message["Message-ID"] = "<dented-door-ack@example.net>"
    message.set_content("My fridge door arrived dented. I live at 17 Juniper Mews.")
    message.add_attachment(RECEIPT, maintype="application", subtype="pdf", filename="dented-fridge.pdf")
    return bytes(message)


@pytest.fixture
def history(db, agent, lead, make_case, django_capture_on_commit_callbacks) -> History:
    """Zephyrine: an emailed case (file, reply with a promise moved, note with a file, summary,
    handoff, resolution, follow-up answered "not solved", manager request) and a web case
    (phone, order number, outcome details, a file, her reply); a sign-in mail; her address
    on record. Another customer has a case of his own."""
    clock.freeze(at(2026, 3, 2, 9, 0))
    row, _created = inbound_store(raw=_her_mail(), via=Via.PIPE)
    row.refresh_from_db()
    assert row.status == InboundStatus.PROCESSED, row.error
    mail_case = row.case
    lifecycle.case_assign(case=mail_case, owner=agent, actor=agent)
    lifecycle.case_reply(
        case=mail_case,
        actor=agent,
        body="We are sorry, Zephyrine. A technician will call.",
        promise_due=at(2026, 3, 4, 12, 0),
    )
    promise = commitment_create(
        case=mail_case,
        owner=agent,
        due_at=at(2026, 3, 4, 15, 0),
        description="replacement door for Zephyrine",
    )
    commitment_move(
        commitment=promise, due_at=at(2026, 3, 5, 12, 0), reason="courier Ksenofont is late", actor=agent
    )
    lifecycle.case_note(
        case=mail_case,
        actor=agent,
        body="spoke to Zephyrine by phone",
        attachments=[SimpleUploadedFile("cold-memo.pdf", NOTE_FILE)],
    )
    lifecycle.case_update(case=mail_case, actor=agent, summary="Juniper Mews resident, dented door")
    lifecycle.case_transfer(case=mail_case, to_owner=lead, actor=agent, summary="Zephyrine wants a new door")
    lifecycle.case_resolve(
        case=mail_case,
        actor=lead,
        resolution_type="refund",
        decision="upheld",
        summary="Zephyrine refund sent to IBAN",
    )
    clock.freeze(at(2026, 3, 5, 10, 0))  # two business days on: the satisfaction check goes out
    sla_sweep()
    followup_answer(
        followup=FollowUp.objects.get(case=mail_case),
        solved=False,
        rating=2,
        comment="still dented, nobody came",
    )
    case_customer_manager_request(case=mail_case, reason="I want a manager, Ksenofont")

    clock.freeze(at(2026, 3, 5, 11, 0))
    web_case = case_open(
        channel=Channel.WEB,
        body="The oven door is also dented.",
        full_name="Zephyrine Quillfeather",
        email="zephyrine.q@example.net",
        phone="054-777 0123",
        order_number="ORD-55501",
        desired_outcome="other",
        desired_outcome_detail="Zephyrine Quillfeather wants a visit",
        attachments=[SimpleUploadedFile("oven-photo.pdf", PHOTO)],
    )
    customer = web_case.customer
    assert customer.pk == mail_case.customer_id, "the same address: the same customer, now with a phone"
    lifecycle.case_customer_message(case=web_case, body="my neighbour Ilse saw", channel=Channel.WEB)
    Customer.objects.filter(pk=customer.pk).update(address="17 Juniper Mews, Haifa")  # only the admin sets it
    with django_capture_on_commit_callbacks(execute=True):
        signin_request(email="zephyrine.q@example.net", language="en")
    other_case = make_case(full_name="Bertram Other", email="bertram@example.com")
    clock.freeze(at(2026, 3, 5, 11, 30))
    customer.refresh_from_db()
    return History(customer=customer, mail_case=mail_case, web_case=web_case, other_case=other_case)
