import pytest

from amends.cases import events
from amends.cases.choices import Channel, MessageKind, Status
from amends.cases.models import Case
from amends.cases.services.intake import case_open
from amends.cases.services.references import ALPHABET, reference_normalise
from amends.core.errors import DomainError
from amends.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_open_records_case_message_event_and_acknowledgement(mailoutbox):
    # given a complaint in Hebrew with mixed Hebrew/English text
    body = "המכשיר Model DW-500 דולף <script>alert(1)</script>\n  שורה שנייה  "
    # when
    case = case_open(
        channel=Channel.WEB,
        body=body,
        full_name="נועה כהן",
        email="Noa@Example.com",
        language="he",
        desired_outcome="repair",
        order_number=" A-1 ",
    )
    # then the customer's words are stored verbatim, byte for byte
    message = case.messages.get()
    assert message.body == body
    assert message.kind == MessageKind.INBOUND
    assert case.status == Status.NEW and case.owner is None
    assert case.reference.startswith("AM-") and len(case.reference) == 9
    assert set(case.reference[3:]) <= set(ALPHABET)
    assert case.order_number == "A-1"
    assert case.first_response_due > case.created_at
    assert AuditEvent.objects.filter(target_type="case", target_id=case.pk, name=events.OPENED).count() == 1
    # and an acknowledgement in Hebrew went to the (normalised) address with the reference
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["noa@example.com"]
    assert case.reference in mail.subject and case.reference in mail.body
    assert mail.extra_headers["Content-Language"] == "he"


def test_same_intake_key_returns_the_first_case(mailoutbox):
    first = case_open(channel=Channel.WEB, body="x", email="a@example.com", intake_key="web:abc")
    second = case_open(channel=Channel.WEB, body="x", email="a@example.com", intake_key="web:abc")
    assert first.pk == second.pk
    assert Case.objects.count() == 1
    assert len(mailoutbox) == 1


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"body": "   ", "email": "a@example.com"}, "empty_body"),
        ({"body": "text"}, "no_contact"),
        ({"body": "text", "email": "a@example.com", "channel": "fax"}, "bad_channel"),
    ],
)
def test_invalid_intake_is_refused_with_a_code(kwargs, code):
    data = {"channel": Channel.WEB, **kwargs}
    with pytest.raises(DomainError) as exc:
        case_open(**data)
    assert exc.value.code == code
    assert Case.objects.count() == 0


def test_repeat_contacts_are_one_customer_across_channels():
    web = case_open(channel=Channel.WEB, body="one", email="sam@example.com", phone="054-123 4567")
    phone = case_open(channel=Channel.PHONE, body="two", phone="0541234567")
    mail = case_open(channel=Channel.EMAIL, body="three", email="SAM@example.com ")
    assert web.customer_id == phone.customer_id == mail.customer_id


def test_phone_only_customer_gets_no_mail_but_a_skipped_notification(mailoutbox):
    case = case_open(channel=Channel.PHONE, body="called in", phone="+972 54 000 0000")
    assert mailoutbox == []
    assert case.notifications.get().status == "skipped"


def test_reference_normalise_accepts_what_people_type():
    assert reference_normalise("am 7k3q9x") == "AM-7K3Q9X"
    assert reference_normalise("#AM-7K3Q9X") == "AM-7K3Q9X"
