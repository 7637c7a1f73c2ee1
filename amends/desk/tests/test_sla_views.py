"""The desk's clocks, promise widgets, manager request and needs-attention list."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from amends.cases.services import lifecycle
from amends.core import clock
from amends.notify.models import Notification
from amends.sla.models import Commitment, CommitmentStatus, Escalation

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
JLM = ZoneInfo("Asia/Jerusalem")


def action_url(case, action):
    return reverse("desk:case-action", args=[case.public_id, action])


@pytest.fixture
def sunday(make_case, agent, client):
    clock.freeze(datetime(2026, 11, 29, 9, 0, tzinfo=JLM))
    case = make_case()
    lifecycle.case_assign(case=case, owner=agent, actor=agent)
    client.force_login(agent)
    return case


def test_case_page_shows_live_clocks(client, sunday):
    clock.freeze(datetime(2026, 11, 29, 15, 30, tzinfo=JLM))  # 6.5 of 8 business hours used
    page = client.get(reverse("desk:case", args=[sunday.public_id])).content.decode()
    assert 'id="clocks"' in page
    assert 'data-level="warn"' in page and "1 h 30 min left" in page


def test_queue_shows_the_next_clock_and_sorts_by_due(client, agent, make_case, sunday):
    clock.freeze(datetime(2026, 11, 29, 10, 0, tzinfo=JLM))
    urgent = make_case(email="urgent@example.com", priority="urgent")
    clock.freeze(datetime(2026, 11, 30, 12, 0, tzinfo=JLM))  # Monday: the normal case is overdue
    page = client.get("/en/desk/?queue=open&sort=due").content.decode()
    assert page.index(urgent.reference) < page.index(sunday.reference) or "overdue" in page
    assert 'data-level="breach"' in page


def test_reply_with_a_promise_from_the_reply_box(client, sunday):
    response = client.post(
        action_url(sunday, "reply"),
        {"body": "Checking with the courier.", "promise_due": "2026-11-30T12:00"},
        **HTMX,
    )
    assert response.status_code == 200
    commitment = Commitment.objects.get(case=sunday)
    assert commitment.due_at == datetime(2026, 11, 30, 12, 0, tzinfo=JLM)
    assert 'id="promise-' in response.content.decode()
    assert "I will update you by" in Notification.objects.get(case=sunday, event="reply").body


def test_a_promise_outside_hours_is_refused_with_the_reason_and_the_text_kept(client, sunday):
    response = client.post(
        action_url(sunday, "reply"),
        {"body": "Checking with the courier.", "promise_due": "2026-11-28T12:00"},
        **HTMX,
    )
    body = response.content.decode()
    assert "future" in body and "Checking with the courier." in body
    assert not Commitment.objects.exists()


def test_move_and_mark_done_from_the_case_page(client, sunday):
    client.post(action_url(sunday, "reply"), {"body": "On it.", "promise_due": "2026-11-30T12:00"}, **HTMX)
    commitment = Commitment.objects.get()
    client.post(
        action_url(sunday, "promise-move"),
        {
            "commitment": commitment.public_id,
            "due_at": "2026-12-01T10:00",
            "reason": "The courier answers tomorrow.",
        },
        **HTMX,
    )
    commitment.refresh_from_db()
    assert commitment.times_moved == 1
    client.post(action_url(sunday, "promise-done"), {"commitment": commitment.public_id}, **HTMX)
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.KEPT


def test_another_cases_promise_is_not_reachable(client, sunday, make_case):
    client.post(action_url(sunday, "reply"), {"body": "On it.", "promise_due": "2026-11-30T12:00"}, **HTMX)
    other = make_case(email="other@example.com")
    response = client.post(
        action_url(other, "promise-done"), {"commitment": Commitment.objects.get().public_id}
    )
    assert response.status_code == 404


def test_manager_request_reaches_the_needs_attention_list(client, sunday, lead):
    client.post(action_url(sunday, "manager"), {"reason": "Wants the manager, third call."}, **HTMX)
    escalation = Escalation.objects.get(case=sunday)
    client.force_login(lead)
    page = client.get(reverse("desk:attention")).content.decode()
    assert sunday.reference in page and "third call" in page
    client.post(reverse("desk:attention"), {"escalation": escalation.pk}, **HTMX)
    escalation.refresh_from_db()
    assert escalation.handled_by == lead


def test_agents_cannot_open_the_needs_attention_list(client, sunday):
    assert client.get(reverse("desk:attention")).status_code == 403


def test_leads_see_kept_and_broken_promises_per_agent(client, sunday, lead):
    client.post(action_url(sunday, "reply"), {"body": "On it.", "promise_due": "2026-11-30T12:00"}, **HTMX)
    client.post(
        action_url(sunday, "promise-done"), {"commitment": Commitment.objects.get().public_id}, **HTMX
    )
    client.force_login(lead)
    page = client.get(reverse("desk:attention")).content.decode()
    assert "Dana Levi" in page and 'class="table table-sm bg-white border mb-0 promise-table"' in page
