"""Kudos: marked on a customer's message (the customer's own words only), captured once from a
top-rated satisfaction answer, taken back, forgotten on erasure; praise words suggested."""

import pytest

from amends.cases.choices import Decision, ResolutionType
from amends.cases.selectors import case_events
from amends.cases.services import lifecycle
from amends.core import clock
from amends.core.errors import DomainError, PermissionDenied
from amends.quality import events
from amends.quality.models import Kudos, KudosSource
from amends.quality.praise import praise_words
from amends.quality.services.kudos import (
    kudos_capture_from_followup,
    kudos_forget,
    kudos_from_message,
    kudos_remove,
)
from amends.quality.tests.conftest import at
from amends.sla.models import FollowUp, FollowUpStatus
from amends.sla.services.followups import followup_answer
from amends.sla.sweeper import sla_sweep


def test_a_message_marked_as_kudos_keeps_the_customers_words(conversation, agent, other_agent):
    # when the other agent marks the customer's thanks for the owner, whole
    kudos = kudos_from_message(message=conversation["thanks"], agent=agent, actor=other_agent)
    # then
    assert kudos.quote == "Thank you so much, Dana was wonderful and very patient!"
    assert (kudos.agent, kudos.captured_by, kudos.source) == (agent, other_agent, KudosSource.MESSAGE)
    event = case_events(case=conversation["case"]).get(name=events.KUDOS_CAPTURED)
    assert event.data == {"agent": agent.full_name, "kudos": str(kudos.public_id), "source": "message"}


def test_the_quote_may_be_cut_from_the_message_but_not_made_up(conversation, agent):
    thanks = conversation["thanks"]
    kudos = kudos_from_message(message=thanks, agent=agent, actor=agent, quote="  dana WAS wonderful  ")
    assert kudos.quote == "dana WAS wonderful"
    kudos.delete()
    with pytest.raises(DomainError) as caught:
        kudos_from_message(message=thanks, agent=agent, actor=agent, quote="Dana is the best agent ever")
    assert (caught.value.code, caught.value.field) == ("quote_not_in_message", "quote")


def test_only_a_customer_message_for_someone_who_handled_the_case(conversation, agent, make_agent):
    case = conversation["case"]
    reply = case.messages.filter(kind="outbound").first()
    with pytest.raises(DomainError) as caught:
        kudos_from_message(message=reply, agent=agent, actor=agent)
    assert caught.value.code == "not_customer"
    with pytest.raises(DomainError) as caught:
        kudos_from_message(message=conversation["thanks"], agent=make_agent("Not On It"), actor=agent)
    assert caught.value.code == "not_a_handler"


def test_a_message_is_kudos_for_one_agent_once(conversation, agent, other_agent):
    kudos_from_message(message=conversation["thanks"], agent=agent, actor=agent)
    with pytest.raises(DomainError) as caught:
        kudos_from_message(message=conversation["thanks"], agent=agent, actor=other_agent)
    assert caught.value.code == "kudos_exists"
    # the same words may thank another agent who handled it
    kudos_from_message(message=conversation["thanks"], agent=other_agent, actor=agent)
    assert Kudos.objects.count() == 2


def _answered(case, agent, *, rating, comment, solved=True):
    """Resolve the case, send the satisfaction check two business days later, answer it."""
    clock.freeze(at(8, 14))
    lifecycle.case_resolve(
        case=case,
        actor=agent,
        resolution_type=ResolutionType.REPLACEMENT,
        decision=Decision.UPHELD,
        summary="New door.",
    )
    clock.freeze(at(11, 9))
    sla_sweep()
    clock.freeze(at(11, 10))
    check = FollowUp.objects.get(case=case, status=FollowUpStatus.SENT)
    followup_answer(followup=check, solved=solved, rating=rating, comment=comment)
    check.refresh_from_db()
    return check


def test_a_top_rated_answer_with_a_comment_is_kudos_for_the_owner_once(conversation, agent):
    # when the customer answers the satisfaction check with 5 and a comment
    check = _answered(conversation["case"], agent, rating=5, comment="Dana fixed it in two days. Thank you!")
    # then the owner has kudos with the comment, captured by the system
    kudos = Kudos.objects.get()
    assert (kudos.agent, kudos.source, kudos.followup, kudos.captured_by) == (
        agent,
        KudosSource.SATISFACTION,
        check,
        None,
    )
    assert kudos.quote == "Dana fixed it in two days. Thank you!"
    # and answering again, or capturing again, adds nothing
    followup_answer(followup=check, solved=True, rating=5, comment="Again!")
    assert kudos_capture_from_followup(followup=check) is None
    assert Kudos.objects.count() == 1
    assert case_events(case=conversation["case"]).filter(name=events.KUDOS_CAPTURED).count() == 1


@pytest.mark.parametrize(
    ("rating", "comment", "solved"),
    [
        (4, "Good, thanks.", True),
        (5, "   ", True),
        (None, "Thanks", True),
        (5, "Thanks, but it broke again.", False),
    ],
)
def test_other_answers_are_not_kudos(conversation, agent, rating, comment, solved):
    _answered(conversation["case"], agent, rating=rating, comment=comment, solved=solved)
    assert not Kudos.objects.exists()


def test_kudos_are_taken_back_by_whoever_marked_them_or_a_lead(conversation, agent, other_agent, lead):
    kudos = kudos_from_message(message=conversation["thanks"], agent=agent, actor=other_agent)
    with pytest.raises(PermissionDenied):
        kudos_remove(kudos=kudos, actor=agent)  # the agent praised did not mark it
    kudos_remove(kudos=kudos, actor=other_agent)
    again = kudos_from_message(message=conversation["thanks"], agent=agent, actor=other_agent)
    kudos_remove(kudos=again, actor=lead)
    assert not Kudos.objects.exists()
    assert case_events(case=conversation["case"]).filter(name=events.KUDOS_REMOVED).count() == 2


def test_erasing_the_customer_replaces_their_words_in_kudos(conversation, agent, admin_user):
    from amends.privacy.services.erasure import ERASED, customer_erase

    kudos = kudos_from_message(message=conversation["thanks"], agent=agent, actor=agent)
    customer_erase(customer=conversation["case"].customer, actor=admin_user)
    kudos.refresh_from_db()
    assert kudos.quote == ERASED
    assert kudos.agent == agent  # still counted for the agent
    event = case_events(case=conversation["case"]).get(name=events.KUDOS_CAPTURED)
    assert event.data["agent"] == agent.full_name  # staff, kept
    assert kudos_forget(case_ids=[conversation["case"].pk], replacement=ERASED) == 0


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Thank you so much, Dana was very helpful!", ["Thank", "helpful"]),
        ("It was not very helpful at all.", []),
        ("תודה רבה לדנה, שירות מצוין והיא הייתה אדיבה מאוד", ["תודה", "מצוין", "אדיבה"]),
        ("הנציג לא אדיב בכלל", []),
        ("شكرا جزيلا، خدمة ممتازة والموظف كان لطيفا جدا", ["شكرا", "ممتازة", "لطيفا"]),
        ("لم يكن لطيفا", []),
        ("Спасибо большое, Ирина, вы очень вежливы, благодарю!", ["Спасибо", "вежливы", "благодарю"]),
        ("Мне не помогли, и никто не был вежлив.", []),
        ("My parcel never came.", []),
    ],
)
def test_praise_words_in_four_languages(text, words):
    assert praise_words(text) == words
