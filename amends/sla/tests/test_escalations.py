import pytest

from amends.core.errors import DomainError
from amends.core.models import AuditEvent
from amends.notify.models import Notification
from amends.sla.selectors import escalation_list_open
from amends.sla.services.escalations import case_manager_request, escalation_handle


def test_a_manager_request_reaches_the_lead_with_the_reason(case, agent, lead):
    escalation = case_manager_request(
        case=case, actor=agent, reason="Third call this week, wants the manager."
    )
    assert escalation.recipient == "lead"
    mail = Notification.objects.get(recipient=lead, event="escalated")
    assert case.reference in mail.subject and "Third call" in mail.body
    assert escalation.case == case and escalation.note.startswith("Third call")
    assert list(escalation_list_open(user=lead)) == [escalation]


def test_a_manager_request_needs_the_reason(case, agent):
    with pytest.raises(DomainError):
        case_manager_request(case=case, actor=agent, reason=" ")


def test_handled_escalations_leave_the_list(case, agent, lead):
    escalation = case_manager_request(case=case, actor=agent, reason="Wants a manager now.")
    escalation_handle(escalation=escalation, actor=lead)
    escalation_handle(escalation=escalation, actor=lead)  # twice: harmless
    assert list(escalation_list_open(user=lead)) == []
    assert AuditEvent.objects.filter(name="sla.escalation_handled").count() == 1


def test_agents_do_not_see_the_needs_attention_list(case, agent):
    case_manager_request(case=case, actor=agent, reason="Wants a manager now.")
    assert list(escalation_list_open(user=agent)) == []


def test_digest_task_running_twice_mails_once(make_case, agent, lead):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from amends.cases.services import lifecycle
    from amends.core import clock
    from amends.sla.models import Escalation
    from amends.sla.services.escalations import escalation_digests_send
    from amends.sla.sweeper import sla_sweep

    clock.freeze(datetime(2026, 11, 26, 16, 0, tzinfo=ZoneInfo("Asia/Jerusalem")))
    lifecycle.case_assign(case=make_case(), owner=agent, actor=agent)
    clock.freeze(datetime(2026, 11, 29, 10, 30, tzinfo=ZoneInfo("Asia/Jerusalem")))
    sla_sweep()  # the test backend runs the digest task inline
    ids = list(Escalation.objects.values_list("pk", flat=True))
    assert Notification.objects.filter(event="digest").count() == 2  # the owner and the lead
    assert escalation_digests_send(escalation_ids=ids) == 0
    assert Notification.objects.filter(event="digest").count() == 2
