"""Closing a case asks for a root cause (R-LE-3) on the desk; a case the system closes by
itself keeps none, for the reports to count."""

import pytest
from django.urls import reverse

from amends.cases.choices import Status
from amends.cases.models import RootCause
from amends.cases.services import lifecycle
from amends.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _close_url(case):
    return reverse("desk:case-action", kwargs={"public_id": case.public_id, "action": "close"})


def test_the_desk_will_not_close_a_case_without_a_root_cause(client, agent, case, resolve):
    # given a resolved case
    resolve(case, agent)
    client.force_login(agent)
    # when the agent closes it without choosing a root cause
    response = client.post(_close_url(case), {})
    # then it stays resolved and the form says what is missing
    assert response.status_code == 400
    assert "Choose the root cause before closing the case." in response.content.decode()
    case.refresh_from_db()
    assert (case.status, case.root_cause_id) == (Status.RESOLVED, None)


def test_the_desk_closes_with_the_root_cause_and_records_it(client, agent, case, resolve):
    # given a resolved case and the seeded root causes
    resolve(case, agent)
    training = RootCause.objects.get(code="training")
    client.force_login(agent)
    page = client.get(reverse("desk:case", kwargs={"public_id": case.public_id})).content.decode()
    assert 'name="root_cause"' in page and training.name_en in page
    # when the agent closes it naming the root cause
    response = client.post(_close_url(case), {"root_cause": training.pk})
    # then the case is closed with it, and the close event says so
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.root_cause) == (Status.CLOSED, training)
    event = AuditEvent.objects.get(target_type="case", target_id=case.pk, name="cases.closed")
    assert event.changes["root_cause"] == [None, training.name_en]


def test_an_inactive_root_cause_cannot_be_chosen(client, agent, case, resolve):
    # given a root cause the admins switched off
    resolve(case, agent)
    old = RootCause.objects.create(code="old", name_en="Old code", is_active=False)
    client.force_login(agent)
    # when someone posts it anyway
    response = client.post(_close_url(case), {"root_cause": old.pk})
    # then the case is not closed
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.status == Status.RESOLVED


def test_closing_by_the_system_leaves_no_root_cause(agent, case, resolve):
    # given a resolved case
    resolve(case, agent)
    # when the follow-up sweeper closes it (no actor, no code)
    lifecycle.case_close(case=case, actor=None)
    # then it is closed and has no root cause: "no root cause recorded"
    case.refresh_from_db()
    assert (case.status, case.root_cause_id) == (Status.CLOSED, None)
    event = AuditEvent.objects.get(target_type="case", target_id=case.pk, name="cases.closed")
    assert "root_cause" not in event.changes


def test_closing_again_after_a_reopen_keeps_the_first_code_unless_another_is_given(agent, case, resolve):
    # given a case closed with a root cause, reopened and resolved again
    process = RootCause.objects.get(code="process")
    resolve(case, agent)
    lifecycle.case_close(case=case, actor=agent, root_cause=process)
    lifecycle.case_reopen(case=case, actor=agent, reason="The customer wrote again.")
    resolve(case, agent)
    # when the system closes it again without a code
    lifecycle.case_close(case=case, actor=None)
    # then the code found the first time stays
    case.refresh_from_db()
    assert case.root_cause == process
