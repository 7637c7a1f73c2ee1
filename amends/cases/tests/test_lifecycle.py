from decimal import Decimal

import pytest

from amends.cases import events
from amends.cases.choices import MessageKind, MessagePurpose, Status
from amends.cases.services import lifecycle
from amends.core.errors import Conflict, DomainError, InvalidTransition
from amends.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _events(case):
    return list(
        AuditEvent.objects.filter(target_type="case", target_id=case.pk).values_list("name", flat=True)
    )


def test_claim_names_the_owner_and_tells_the_customer(case, agent, mailoutbox):
    # when
    lifecycle.case_assign(case=case, owner=agent, actor=agent)
    # then
    case.refresh_from_db()
    assert case.owner == agent and case.status == Status.OPEN
    event = AuditEvent.objects.get(target_id=case.pk, name=events.ASSIGNED)
    assert event.actor == agent
    assert event.changes == {"owner": [None, "Dana Levi"], "status": ["new", "open"]}
    assert "Dana Levi" in mailoutbox[-1].body


def test_second_claim_is_told_who_owns_it(case, agent, other_agent):
    lifecycle.case_assign(case=case, owner=agent, actor=agent)
    with pytest.raises(Conflict) as exc:
        lifecycle.case_assign(case=case, owner=other_agent, actor=other_agent)
    assert "Dana Levi" in str(exc.value)
    case.refresh_from_db()
    assert case.owner == agent


def test_transfer_requires_a_real_summary(case, agent, other_agent):
    lifecycle.case_assign(case=case, owner=agent, actor=agent)
    with pytest.raises(DomainError) as exc:
        lifecycle.case_transfer(case=case, to_owner=other_agent, actor=agent, summary="over to you")
    assert exc.value.code == "handoff_summary_required"
    case.refresh_from_db()
    assert case.owner == agent


def test_transfer_is_a_warm_handoff(hebrew_case, agent, other_agent, mailoutbox):
    lifecycle.case_assign(case=hebrew_case, owner=agent, actor=agent)
    summary = "Parcel lost by the courier; I promised a call back by Thursday noon."
    # when
    lifecycle.case_transfer(case=hebrew_case, to_owner=other_agent, actor=agent, summary=summary)
    # then the receiver sees the summary as a handoff note on the case
    hebrew_case.refresh_from_db()
    assert hebrew_case.owner == other_agent
    note = hebrew_case.messages.get(purpose=MessagePurpose.HANDOFF)
    assert note.kind == MessageKind.NOTE and note.body == summary
    # and the customer is told the new owner's name, in Hebrew
    mail = mailoutbox[-1]
    assert "Omar Haddad" in mail.body
    assert any("\u0590" <= ch <= "\u05ff" for ch in mail.subject)
    assert summary not in mail.body  # internal words stay internal


def test_reply_sets_first_response_and_owner(case, agent, mailoutbox):
    lifecycle.case_reply(case=case, actor=agent, body="We are on it & will call you.")
    case.refresh_from_db()
    assert case.owner == agent and case.status == Status.OPEN
    assert case.first_responded_at is not None
    assert "We are on it & will call you." in mailoutbox[-1].body  # plain text: no &amp;


def test_ask_waits_for_customer_and_customer_answer_reopens_work(case, agent):
    lifecycle.case_ask(case=case, actor=agent, body="Which address was it sent to?")
    case.refresh_from_db()
    assert case.status == Status.WAITING
    lifecycle.case_customer_message(case=case, body="To my office.", channel="web")
    case.refresh_from_db()
    assert case.status == Status.OPEN


def test_note_is_never_sent(case, agent, mailoutbox):
    before = len(mailoutbox)
    lifecycle.case_note(case=case, actor=agent, body="Customer called twice already.")
    assert len(mailoutbox) == before
    assert case.messages.filter(kind=MessageKind.NOTE).count() == 1


def test_resolve_requires_type_and_decision(case, agent):
    with pytest.raises(DomainError) as exc:
        lifecycle.case_resolve(case=case, actor=agent, resolution_type="", decision="upheld", summary="done")
    assert exc.value.code == "resolution_required"
    with pytest.raises(DomainError) as exc:
        lifecycle.case_resolve(case=case, actor=agent, resolution_type="refund", decision="", summary="done")
    assert exc.value.code == "decision_required"


def test_resolve_reopen_close(case, agent, mailoutbox):
    lifecycle.case_assign(case=case, owner=agent, actor=agent)
    lifecycle.case_resolve(
        case=case,
        actor=agent,
        resolution_type="refund",
        decision="upheld",
        summary="Refunded 20 EUR.",
        redress_amount=Decimal("20.00"),
        redress_currency="eur",
    )
    case.refresh_from_db()
    assert case.status == Status.RESOLVED and case.redress_amount == Decimal("20.00")
    assert case.redress_currency == "EUR"
    resolved_mail = mailoutbox[-1]
    assert "Refunded 20 EUR." in resolved_mail.body and "Thank you" in resolved_mail.body
    lifecycle.case_reopen(case=case, actor=agent, reason="Customer says the refund has not arrived.")
    case.refresh_from_db()
    assert case.status == Status.OPEN and case.owner == agent and case.resolved_at is None
    lifecycle.case_resolve(
        case=case, actor=agent, resolution_type="refund", decision="upheld", summary="Sent again."
    )
    lifecycle.case_close(case=case, actor=agent)
    case.refresh_from_db()
    assert case.status == Status.CLOSED
    assert _events(case) == [
        events.OPENED,
        events.ASSIGNED,
        events.RESOLVED,
        events.REOPENED,
        events.RESOLVED,
        events.CLOSED,
    ]


@pytest.mark.parametrize("language", ["en", "he", "ar", "ru"])
def test_invalid_transition_is_translated(make_case, agent, language):
    from django.utils import translation

    case = make_case(email=f"{language}@example.com")
    with translation.override(language), pytest.raises(InvalidTransition) as exc:
        lifecycle.case_close(case=case, actor=agent)
    message = str(exc.value)
    assert message
    if language != "en":
        assert "You cannot" not in message  # the catalogue has it


def test_update_audits_before_and_after(case, agent):
    lifecycle.case_update(case=case, actor=agent, priority="urgent", vulnerable=True)
    event = AuditEvent.objects.get(target_id=case.pk, name=events.UPDATED)
    assert event.changes == {"priority": ["normal", "urgent"], "vulnerable": [False, True]}
    # an update that changes nothing records nothing
    lifecycle.case_update(case=case, actor=agent, priority="urgent")
    assert AuditEvent.objects.filter(target_id=case.pk, name=events.UPDATED).count() == 1


def test_category_can_be_set_and_cleared(case, agent):
    from amends.cases.models import Category

    delays = Category.objects.get(code="delays")
    lifecycle.case_update(case=case, actor=agent, category=delays)
    lifecycle.case_update(case=case, actor=agent, priority="high")  # category left as it is
    case.refresh_from_db()
    assert case.category == delays
    lifecycle.case_update(case=case, actor=agent, category=None)
    case.refresh_from_db()
    assert case.category is None


def test_reopening_an_unowned_case_makes_the_reopener_its_owner(case, agent, lead):
    lifecycle.case_resolve(
        case=case, actor=agent, resolution_type="apology", decision="upheld", summary="Sorry."
    )
    from amends.cases.models import Case

    Case.objects.filter(pk=case.pk).update(owner=None)
    lifecycle.case_reopen(case=case, actor=lead, reason="Customer is not satisfied.")
    case.refresh_from_db()
    assert case.owner == lead and case.status == Status.OPEN


def test_customer_writing_on_a_resolved_case_opens_it_again(case, agent):
    lifecycle.case_resolve(case=case, actor=agent, resolution_type="fix", decision="upheld", summary="Fixed.")
    lifecycle.case_customer_message(case=case, body="It broke again.", channel="web")
    case.refresh_from_db()
    assert case.status == Status.OPEN and case.resolved_at is None
    with pytest.raises(DomainError):
        lifecycle.case_customer_message(case=case, body="  ", channel="web")


def test_asking_twice_records_no_fake_status_change(case, agent):
    lifecycle.case_ask(case=case, actor=agent, body="Which colour?")
    lifecycle.case_ask(case=case, actor=agent, body="And which size?")
    second = AuditEvent.objects.filter(target_id=case.pk, name=events.QUESTION_ASKED).last()
    assert "status" not in second.changes


def test_inactive_staff_cannot_be_given_cases(case, agent, other_agent):
    other_agent.is_active = False
    other_agent.save(update_fields=["is_active"])
    with pytest.raises(DomainError):
        lifecycle.case_assign(case=case, owner=other_agent, actor=agent)


def test_mail_about_a_case_speaks_the_case_language(make_case, mailoutbox):
    make_case(email="same@example.com", language="he", body="שלום")
    make_case(email="same@example.com", language="ru", body="Здравствуйте")
    assert [m.extra_headers["Content-Language"] for m in mailoutbox] == ["he", "ru"]
