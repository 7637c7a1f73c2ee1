"""Each customer message is read once by the analysis drain (inline in tests): its language
and signals are stored with the words that triggered them, and the admins' action rules act on
them — every action an event on the case that names the rule's signal and the words."""

import pytest
from django.urls import reverse

from amends.cases.services import lifecycle
from amends.core.models import AuditEvent
from amends.insight.analysis.models import Action, ActionRule, MessageAnalysis
from amends.insight.analysis.services import messages_analyse_pending
from amends.sla.models import Escalation, EscalationReason

pytestmark = pytest.mark.django_db

LEGAL_HE = "אני אתבע אתכם. עורך הדין שלי כבר מכין את התביעה נגדכם."
ABUSE_EN = "You are useless idiots and I know where your office is. Watch your back."
MANAGER_EN = "I want to speak to your manager right now."
CALM_EN = "Hello, the parcel has not arrived yet. Could you check where it is? Thanks."
ANGRY_EN = "This is OUTRAGEOUS!!! I am furious and disgusted, you keep lying to me!!!"


def _actions(case) -> list[dict]:
    rows = AuditEvent.objects.filter(target_type="case", target_id=case.pk, name="insight.action")
    return [row.data for row in rows]


def test_a_legal_threat_is_stored_with_its_words_and_flagged_to_the_lead(make_case, lead):
    # when a Hebrew complaint threatens to sue
    case = make_case(body=LEGAL_HE, language="he", full_name="נועה כהן", email="noa@example.com")
    # then its analysis says Hebrew and legal threat, with spans on the customer's own words
    analysis = MessageAnalysis.objects.get(case=case)
    assert analysis.analysed_at is not None and analysis.language == "he"
    legal = next(s for s in analysis.signals if s["kind"] == "legal_threat")
    words = [LEGAL_HE[a:b] for a, b in legal["spans"]]
    assert words and all(w in LEGAL_HE for w in words)
    assert any("תבע" in w or "עורך" in w for w in words)
    # and the lead is told at once, the priority goes up, each with an event naming the words
    escalation = Escalation.objects.get(case=case, reason=EscalationReason.CUSTOMER_WORDS)
    assert any(w in escalation.note for w in words)
    case.refresh_from_db()
    assert case.priority == "high"
    taken = _actions(case)
    assert {a["action"] for a in taken} == {Action.FLAG_LEAD, Action.RAISE_PRIORITY}
    assert all(a["signal"] == "legal_threat" and a["words"] for a in taken)


def test_a_calm_message_changes_nothing(make_case):
    case = make_case(body=CALM_EN)
    assert MessageAnalysis.objects.get(case=case).signals == []
    assert not Escalation.objects.filter(case=case).exists()
    assert _actions(case) == []


def test_abuse_goes_to_the_least_busy_senior_agent(make_case, make_agent):
    # given two senior agents, one already busy
    busy = make_agent("Busy Senior")
    free = make_agent("Free Senior")
    for person in (busy, free):
        person.is_senior = True
        person.save(update_fields=["is_senior"])
    lifecycle.case_assign(case=make_case(email="other@example.com"), owner=busy, actor=busy)
    # when an abusive complaint comes in with nobody on it
    case = make_case(body=ABUSE_EN)
    # then it is assigned to the free senior agent
    case.refresh_from_db()
    assert case.owner == free
    assert Action.ROUTE_SENIOR in {a["action"] for a in _actions(case)}


def test_abuse_on_a_case_a_junior_owns_is_put_to_the_lead(make_case, agent, lead):
    case = make_case(body=CALM_EN)
    lifecycle.case_assign(case=case, owner=agent, actor=agent)
    lifecycle.case_customer_message(case=case, body=ABUSE_EN, channel="web")
    case.refresh_from_db()
    assert case.owner == agent  # a person decides who takes it over
    assert Escalation.objects.filter(case=case, reason=EscalationReason.SENIOR_NEEDED).count() == 1


def test_a_manager_request_in_the_text_escalates_once(make_case, lead):
    case = make_case(body=MANAGER_EN)
    lifecycle.case_customer_message(case=case, body="Again: get me your manager, please.", channel="web")
    assert Escalation.objects.filter(case=case, reason=EscalationReason.MANAGER_REQUESTED).count() == 1


def test_anger_after_our_reply_is_flagged_but_not_before(make_case, agent, lead):
    # given an angry first message: the priority rule may act, the "still angry" rule not
    case = make_case(body=ANGRY_EN)
    assert not Escalation.objects.filter(case=case, reason=EscalationReason.CUSTOMER_WORDS).exists()
    # when we answer and the customer is still angry
    lifecycle.case_assign(case=case, owner=agent, actor=agent)
    lifecycle.case_reply(case=case, actor=agent, body="Dear Mary, I am sorry. I will call you today.")
    lifecycle.case_customer_message(case=case, body=ANGRY_EN, channel="web")
    # then the lead hears about it
    assert MessageAnalysis.objects.filter(case=case, after_our_reply=True).exists()
    assert Escalation.objects.filter(case=case, reason=EscalationReason.CUSTOMER_WORDS).exists()


def test_an_admin_can_switch_a_rule_off(make_case, lead):
    ActionRule.objects.filter(signal="legal_threat").update(is_active=False)
    case = make_case(body=LEGAL_HE, language="he")
    assert MessageAnalysis.objects.get(case=case).kinds() >= {"legal_threat"}
    assert not Escalation.objects.filter(case=case).exists()
    assert _actions(case) == []


def test_the_case_language_follows_what_the_customer_wrote(make_case):
    # a Hebrew text sent from the English form: intake took the page's language
    case = make_case(body="שלום, ההזמנה שלי לא הגיעה כבר שלושה שבועות ואף אחד לא עונה לי.", language="en")
    case.refresh_from_db()
    assert case.language == "he"
    event = AuditEvent.objects.get(target_type="case", target_id=case.pk, name="insight.language_set")
    assert event.changes == {"language": ["en", "he"]}


def test_a_failing_message_is_stored_empty_and_the_rest_go_on(make_case, monkeypatch, settings):
    import amends.insight.analysis.services as services

    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    first = make_case(body=CALM_EN, email="a@example.com")
    second = make_case(body=LEGAL_HE, email="b@example.com", language="he")
    real = services.signals_detect

    def broken(text, language=None):
        if text == CALM_EN:
            raise RuntimeError("lexicon on fire")
        return real(text, language)

    monkeypatch.setattr(services, "signals_detect", broken)
    assert messages_analyse_pending() == 2
    assert MessageAnalysis.objects.get(case=first).signals == []
    assert MessageAnalysis.objects.get(case=second).kinds() >= {"legal_threat"}
    assert messages_analyse_pending() == 0  # nothing read twice


@pytest.mark.parametrize(
    "text",
    ["", "😡😡😡", "\x01\x02binary\xff", "\u202eהפוך\u202c text", "word " * 200_000],
)
def test_odd_messages_are_analysed_without_error(make_case, text):
    case = make_case(body=text or "-")
    assert MessageAnalysis.objects.get(case=case).analysed_at is not None


def test_the_desk_shows_the_signals_and_marks_the_words(client, make_case, lead):
    case = make_case(body=LEGAL_HE, language="he")
    client.force_login(lead)
    html = client.get(reverse("desk:case", args=[case.public_id])).content.decode()
    assert 'class="badge signal-badge signal-legal_threat"' in html
    assert '<mark class="signal signal-legal_threat"' in html
    assert 'id="case-feeling"' in html


def test_the_coach_asks_for_an_apology_when_the_words_are_angry(client, make_case, agent):
    from amends.insight.analysis.models import JargonTerm

    case = make_case(body=ANGRY_EN)
    JargonTerm.objects.create(term="work order", language="en")
    client.force_login(agent)
    url = reverse("desk:coach", args=[case.public_id])
    draft = "Dear Mary, your work order is done. I will call you today."
    html = client.post(url, {"body": draft}).content.decode()
    assert 'data-code="no_apology"' in html
    assert "work order</bdi></mark>" in html


def test_every_signal_the_engine_reports_has_a_choice():
    from amends.insight.analysis.models import SignalKind
    from amends.insight.lexicon import SIGNAL_KINDS

    assert set(SignalKind.values) == set(SIGNAL_KINDS)
