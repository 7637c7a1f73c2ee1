"""Recurrence: a new complaint like the cases of a problem marked fixed is linked to it as a
recurrence by the screening drain (off the request), its owner is mailed, and the case says so."""

from datetime import timedelta

import pytest

from amends.core import clock
from amends.core.models import AuditEvent
from amends.learning.models import LinkHow, ProblemCase, ProblemStatus, Screening
from amends.learning.services.problems import problem_create, problem_update
from amends.learning.services.screening import screening_kick, screening_run
from amends.learning.tests.texts import ROUTER, UNRELATED
from amends.notify.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def fixed_problem(lead, open_case, make_agent):
    """Two outage cases on a problem owned by a lead, marked fixed; screening caught up."""
    owner = make_agent("Noam Owner", role="lead")
    cases = [open_case(ROUTER[0]), open_case(ROUTER[1])]
    problem = problem_create(actor=lead, title="Router firmware broke the line", owner=owner, cases=cases)
    problem_update(problem=problem, actor=lead, status=ProblemStatus.FIXED)
    screening_run()
    clock.freeze(clock.now() + timedelta(days=2))
    return problem


def test_a_new_complaint_like_a_fixed_problem_is_a_recurrence_and_the_owner_is_told(
    fixed_problem, open_case, mailoutbox
):
    # given a fixed problem, when a new customer reports the same outage
    case = open_case(ROUTER[2])
    mailoutbox.clear()
    # when the screening drain runs (the worker's periodic job kicks it)
    assert screening_run() == 1
    # then the case is linked to the problem as a recurrence, with the similarity that matched
    link = ProblemCase.objects.get(case=case)
    assert (link.problem_id, link.recurrence, link.how, link.linked_by) == (
        fixed_problem.pk,
        True,
        LinkHow.MATCHED_SIMILAR,
        None,
    )
    assert 0.4 <= link.similarity <= 1
    # and the case's record says so
    event = AuditEvent.objects.get(target_type="case", target_id=case.pk, name="learning.problem_linked")
    assert event.data["recurrence"] is True and event.actor_label == "system"
    # and the problem's owner got one mail about it, naming the case and the problem
    staff = Notification.objects.get(event="recurrence")
    assert staff.recipient == fixed_problem.owner and staff.case == case
    [mail] = mailoutbox
    assert mail.to == [fixed_problem.owner.email]
    assert case.reference in mail.subject and fixed_problem.title in mail.body
    assert f"/desk/problems/{fixed_problem.public_id}/" in mail.body


def test_screening_runs_once_per_case(fixed_problem, open_case):
    # given a recurrence already screened
    case = open_case(ROUTER[3])
    screening_run()
    # when the drain runs again
    assert screening_run() == 0
    # then nothing is linked or told twice
    assert ProblemCase.objects.filter(case=case).count() == 1
    assert Notification.objects.filter(event="recurrence").count() == 1
    assert Screening.objects.filter(case=case).exists()


def test_an_unrelated_complaint_is_not_a_recurrence(fixed_problem, open_case):
    case = open_case(UNRELATED)
    screening_run()
    assert not ProblemCase.objects.filter(case=case).exists()
    assert not Notification.objects.filter(event="recurrence").exists()


def test_a_problem_not_marked_fixed_gets_no_recurrences(lead, open_case):
    # given an open problem (its fix not done yet)
    problem = problem_create(actor=lead, title="Outage", owner=lead, cases=[open_case(ROUTER[0])])
    screening_run()
    clock.freeze(clock.now() + timedelta(days=1))
    # when a similar complaint comes
    case = open_case(ROUTER[1])
    screening_run()
    # then it is not linked by itself: the problem is still being worked on
    assert not ProblemCase.objects.filter(case=case).exists()
    assert problem.links.count() == 1


def test_the_periodic_job_kicks_the_drain_only_when_there_is_work(fixed_problem, open_case):
    # given nothing new, the job finds no work
    assert screening_kick() == 0
    # when a case arrives, the job finds it (tests run the drain at once, as a worker would)
    case = open_case(ROUTER[2])
    assert screening_kick() == 1
    # then it has been screened and linked
    assert ProblemCase.objects.filter(case=case, recurrence=True).exists()
    assert screening_kick() == 0


def test_a_case_whose_text_is_not_read_yet_waits(fixed_problem, open_case, monkeypatch):
    # given a case whose fingerprint is still pending
    from amends.insight.similar.models import Fingerprint

    case = open_case(ROUTER[2])
    Fingerprint.objects.filter(case=case).update(computed_at=None, signature=None)
    # when the drain runs, it leaves the case for later
    assert screening_run() == 0
    assert not Screening.objects.filter(case=case).exists()
    # and after the wait it is screened anyway (its keywords would still count)
    clock.freeze(clock.now() + timedelta(minutes=11))
    assert screening_run() == 1
    assert Screening.objects.filter(case=case).exists()
