"""Promises made from the reply box: kept, broken, moved, reminded (R-TI-2, R-TI-3)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from amends.cases.services import lifecycle
from amends.core import clock
from amends.core.errors import Conflict, DomainError
from amends.core.models import AuditEvent
from amends.notify.models import Notification
from amends.sla.models import Commitment, CommitmentStatus, Escalation
from amends.sla.selectors import commitment_counts
from amends.sla.services.commitments import commitment_mark_done, commitment_move
from amends.sla.sweeper import sla_sweep

JLM = ZoneInfo("Asia/Jerusalem")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=JLM)


@pytest.fixture
def open_case(make_case, agent):
    clock.freeze(at(2026, 11, 29, 9, 0))  # Sunday morning
    case = make_case()
    lifecycle.case_assign(case=case, owner=agent, actor=agent)
    return case


def promise(case, agent, due):
    lifecycle.case_reply(case=case, actor=agent, body="We have asked the courier.", promise_due=due)
    return Commitment.objects.get(case=case, status=CommitmentStatus.OPEN)


def test_a_promise_is_stored_and_written_into_the_reply(open_case, agent):
    commitment = promise(open_case, agent, at(2026, 11, 30, 12, 0))
    assert commitment.owner == agent
    assert commitment.remind_at == at(2026, 11, 30, 11, 0)
    mail = Notification.objects.filter(case=open_case, event="reply").get()
    assert "I will update you by" in mail.body
    assert AuditEvent.objects.filter(name="sla.promise_made", target_id=open_case.pk).exists()


@pytest.mark.parametrize(
    ("due", "code"),
    [
        (at(2026, 11, 29, 8, 0), "promise_in_past"),
        (at(2026, 11, 28, 12, 0), "promise_in_past"),
        (at(2026, 11, 29, 20, 0), "promise_outside_hours"),  # Sunday evening
        (at(2026, 12, 5, 11, 0), "promise_outside_hours"),  # Saturday
    ],
)
def test_promises_in_the_past_or_outside_hours_are_refused_and_nothing_is_sent(open_case, agent, due, code):
    with pytest.raises(DomainError) as refused:
        promise(open_case, agent, due)
    assert refused.value.code == code
    assert not Notification.objects.filter(case=open_case, event="reply").exists()
    assert open_case.messages.count() == 1  # the reply rolled back with the promise


def test_closing_time_itself_is_a_valid_promise(open_case, agent):
    assert promise(open_case, agent, at(2026, 11, 29, 17, 0)).status == CommitmentStatus.OPEN


def test_the_next_update_keeps_the_promise(open_case, agent):
    commitment = promise(open_case, agent, at(2026, 11, 30, 12, 0))
    clock.freeze(at(2026, 11, 30, 10, 0))
    lifecycle.case_reply(case=open_case, actor=agent, body="The courier found it.")
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.KEPT
    assert commitment.next_check_at is None


def test_reminder_then_broken_and_escalated(open_case, agent, lead):
    commitment = promise(open_case, agent, at(2026, 11, 30, 12, 0))
    clock.freeze(at(2026, 11, 30, 11, 5))
    sla_sweep()
    assert Notification.objects.filter(recipient=agent, event="promise_reminder").count() == 1
    sla_sweep()
    assert Notification.objects.filter(recipient=agent, event="promise_reminder").count() == 1
    clock.freeze(at(2026, 11, 30, 12, 1))
    sla_sweep()
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.BROKEN
    assert sorted(e.recipient for e in Escalation.objects.filter(commitment=commitment)) == ["lead", "owner"]
    assert commitment_counts(by="owner")[agent.pk] == {"kept": 0, "broken": 1}
    assert commitment_counts(by="team")[agent.teams.get().pk] == {"kept": 0, "broken": 1}


def test_moving_needs_a_reason_and_tells_the_customer(open_case, agent):
    commitment = promise(open_case, agent, at(2026, 11, 30, 12, 0))
    with pytest.raises(DomainError):
        commitment_move(commitment=commitment, due_at=at(2026, 12, 1, 12, 0), reason="", actor=agent)
    commitment_move(
        commitment=commitment,
        due_at=at(2026, 12, 1, 12, 0),
        reason="The warehouse is closed for stock-taking today.",
        actor=agent,
    )
    commitment.refresh_from_db()
    assert commitment.due_at == at(2026, 12, 1, 12, 0) and commitment.times_moved == 1
    mail = Notification.objects.get(case=open_case, event="promise_moved")
    assert "stock-taking" in mail.body


def test_a_passed_promise_cannot_be_moved_or_marked_kept(open_case, agent):
    commitment = promise(open_case, agent, at(2026, 11, 30, 12, 0))
    clock.freeze(at(2026, 11, 30, 12, 30))
    with pytest.raises(Conflict):
        commitment_move(
            commitment=commitment, due_at=at(2026, 12, 1, 12, 0), reason="Too late now, sorry.", actor=agent
        )
    with pytest.raises(Conflict):
        commitment_mark_done(commitment=commitment, actor=agent)


def test_marking_done_keeps_it(open_case, agent):
    commitment = promise(open_case, agent, at(2026, 11, 30, 12, 0))
    commitment_mark_done(commitment=commitment, actor=agent)
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.KEPT
    assert commitment_counts(by="owner")[agent.pk] == {"kept": 1, "broken": 0}
