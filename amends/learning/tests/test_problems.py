"""Problems (R-LE-3): opened from a case or from a group of similar cases, cases linked and
unlinked, corrective actions with inline status changes, the lessons learned on every linked
case, and every change an audit event."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from amends.cases.models import RootCause
from amends.core import clock
from amends.core.errors import DomainError, PermissionDenied
from amends.core.models import AuditEvent
from amends.learning.models import ActionStatus, LinkHow, Problem, ProblemCase, ProblemStatus
from amends.learning.selectors import recurrence_stats
from amends.learning.services.problems import (
    action_add,
    action_update,
    problem_case_unlink,
    problem_cases_link,
    problem_create,
    problem_update,
)
from amends.learning.tests.texts import INVOICE, ROUTER, UNRELATED

pytestmark = pytest.mark.django_db


def _events(target, name):
    return list(
        AuditEvent.objects.filter(target_type=target._meta.model_name, target_id=target.pk, name=name)
    )


def _case_page(client, case):
    return client.get(reverse("desk:case", kwargs={"public_id": case.public_id})).content.decode()


def test_a_lead_opens_a_problem_from_a_case(client, lead, open_case):
    # given a case, and its page as a lead sees it
    case = open_case(INVOICE[0])
    client.force_login(lead)
    assert 'id="problem-from-case"' in _case_page(client, case)
    url = reverse("desk:problem-new") + f"?case={case.public_id}"
    assert case.reference in client.get(url).content.decode()
    # when the lead opens a problem from it
    response = client.post(
        url,
        {
            "title": "Payments taken twice when the card page times out",
            "root_cause": RootCause.objects.get(code="system").pk,
            "owner": lead.pk,
            "cases": [str(case.public_id)],
        },
    )
    # then the problem exists, open, with the case linked by the lead, and both have an event
    problem = Problem.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("desk:problem", kwargs={"public_id": problem.public_id})
    assert (problem.status, problem.owner, problem.root_cause.code) == (ProblemStatus.OPEN, lead, "system")
    link = ProblemCase.objects.get()
    assert (link.case_id, link.linked_by, link.recurrence, link.how) == (
        case.pk,
        lead,
        False,
        LinkHow.BY_HAND,
    )
    assert len(_events(problem, "learning.problem_created")) == 1
    [linked] = _events(case, "learning.problem_linked")
    assert linked.data["title"] == problem.title and linked.actor == lead


def test_a_lead_opens_a_problem_for_a_group_of_similar_cases(client, lead, open_case):
    # given three customers reporting the same outage, and one about something else
    first, second, third = (open_case(text) for text in ROUTER[:3])
    open_case(UNRELATED)
    client.force_login(lead)
    # when the lead follows the similar-complaints panel's offer on the third case
    page = _case_page(client, third)
    assert "Open a problem for these 3 cases" in page
    url = reverse("desk:problem-new") + f"?case={third.public_id}&similar=2"
    form_page = client.get(url).content.decode()
    assert all(c.reference in form_page for c in (first, second, third))
    response = client.post(
        url,
        {
            "title": "Router firmware update broke the line",
            "cases": [str(c.public_id) for c in (first, second, third)],
        },
    )
    # then one problem links the three cases, marked as linked from similar cases
    assert response.status_code == 302
    problem = Problem.objects.get()
    links = ProblemCase.objects.filter(problem=problem)
    assert {link.case_id for link in links} == {first.pk, second.pk, third.pk}
    assert {link.how for link in links} == {LinkHow.SIMILAR}
    [event] = _events(problem, "learning.problem_linked")
    assert event.data["count"] == 3


def test_a_lead_may_leave_a_similar_case_out(client, lead, open_case):
    # given two similar cases
    first, second = open_case(ROUTER[0]), open_case(ROUTER[1])
    client.force_login(lead)
    url = reverse("desk:problem-new") + f"?case={second.public_id}&similar=1"
    # when only the case itself stays ticked
    client.post(url, {"title": "Outage in the north", "cases": [str(second.public_id)]})
    # then only it is linked
    assert list(ProblemCase.objects.values_list("case_id", flat=True)) == [second.pk]
    assert first.pk != second.pk


def test_a_problem_needs_a_title(client, lead, case):
    client.force_login(lead)
    response = client.post(reverse("desk:problem-new") + f"?case={case.public_id}", {"title": "  "})
    assert response.status_code == 400
    assert not Problem.objects.exists()
    with pytest.raises(DomainError) as error:
        problem_create(actor=lead, title="   ")
    assert error.value.code == "title_required"


def test_cases_are_linked_by_reference_and_unlinked(client, lead, open_case):
    # given a problem with no cases, and a case
    problem = problem_create(actor=lead, title="Double charges")
    case = open_case(INVOICE[1])
    client.force_login(lead)
    url = reverse("desk:problem-cases", kwargs={"public_id": problem.public_id})
    # when the lead links it by its reference (typed loosely), over HTMX
    response = client.post(
        url, {"reference": case.reference.lower().replace("-", " ")}, HTTP_HX_REQUEST="true"
    )
    # then the cases section comes back with it
    assert response.status_code == 200
    assert case.reference in response.content.decode()
    assert ProblemCase.objects.filter(problem=problem, case=case).exists()
    # when an unknown reference is typed
    response = client.post(url, {"reference": "AM-ZZZZZZ"}, HTTP_HX_REQUEST="true")
    assert "No case with this reference that you may see." in response.content.decode()
    # when the case is unlinked
    client.post(url, {"op": "unlink", "case": str(case.public_id)})
    # then the link is gone, and both link and unlink are on the case's record
    assert not ProblemCase.objects.exists()
    assert len(_events(case, "learning.problem_linked")) == 1
    assert len(_events(case, "learning.problem_unlinked")) == 1
    assert problem_case_unlink(problem=problem, case=case, actor=lead) is False


def test_corrective_actions_are_added_and_moved_on_inline(client, lead, agent):
    # given a problem
    problem = problem_create(actor=lead, title="Staff do not know the refund rules")
    client.force_login(lead)
    # when the lead adds an action with an owner and a due date
    client.post(
        reverse("desk:problem-actions", kwargs={"public_id": problem.public_id}),
        {"title": "Train the billing team on refunds", "owner": agent.pk, "due_date": "2027-01-15"},
    )
    action = problem.actions.get()
    assert (action.owner, action.due_date, action.status) == (agent, date(2027, 1, 15), ActionStatus.PLANNED)
    # when its status is changed from the problem page's select (HTMX)
    response = client.post(
        reverse("desk:problem-action-status", kwargs={"public_id": problem.public_id}),
        {"action": str(action.public_id), "status": "done"},
        HTTP_HX_REQUEST="true",
    )
    # then only its row comes back, marked done, with the time it was done
    body = response.content.decode()
    assert response.status_code == 200 and body.lstrip().startswith(f'<tr id="action-{action.public_id}"')
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE and action.done_at is not None
    # and moving it back clears the time; every change is on the problem's record
    action_update(action=action, actor=lead, status=ActionStatus.IN_PROGRESS)
    action.refresh_from_db()
    assert action.done_at is None
    assert len(_events(problem, "learning.action_added")) == 1
    assert [e.changes["status"] for e in _events(problem, "learning.action_updated")] == [
        ["planned", "done"],
        ["done", "in_progress"],
    ]


def test_an_action_needs_a_title(lead):
    problem = problem_create(actor=lead, title="Late deliveries")
    with pytest.raises(DomainError):
        action_add(problem=problem, actor=lead, title="")


def test_fixed_stamps_the_time_and_opening_again_clears_it(lead):
    # given a problem
    problem = problem_create(actor=lead, title="Late deliveries")
    # when it is marked fixed
    problem = problem_update(problem=problem, actor=lead, status=ProblemStatus.FIXED)
    # then it carries the time, and the change is recorded
    assert problem.fixed_at == problem.updated_at
    [event] = _events(problem, "learning.problem_updated")
    assert event.changes["status"] == ["open", "fixed"]
    # when it is opened again, the time goes; closed keeps whatever it has
    problem = problem_update(problem=problem, actor=lead, status=ProblemStatus.OPEN)
    assert problem.fixed_at is None
    with pytest.raises(DomainError):
        problem_update(problem=problem, actor=lead, status="solved")


def test_the_lessons_learned_show_on_every_linked_case(client, lead, agent, open_case):
    # given a problem with two cases and a lesson
    cases = [open_case(INVOICE[0]), open_case(INVOICE[1])]
    problem = problem_create(actor=lead, title="Double charges", cases=cases)
    problem_update(
        problem=problem, actor=lead, lessons_learned="Check the payment log before asking the customer."
    )
    # when an agent opens either case
    client.force_login(agent)
    for case in cases:
        page = _case_page(client, case)
        # then the lesson is there, with the problem
        assert "Check the payment log before asking the customer." in page
        assert problem.title in page
    # and a case not linked shows none of it
    assert "Check the payment log" not in _case_page(client, open_case(UNRELATED))


def test_agents_cannot_change_problems(agent, lead, case):
    with pytest.raises(PermissionDenied):
        problem_create(actor=agent, title="Mine")
    problem = problem_create(actor=lead, title="Theirs")
    with pytest.raises(PermissionDenied):
        problem_cases_link(problem=problem, cases=[case], actor=agent)
    with pytest.raises(PermissionDenied):
        problem_update(problem=problem, actor=agent, status=ProblemStatus.FIXED)


def test_a_case_linked_after_the_fix_counts_as_a_recurrence(lead, open_case):
    # given a problem with two cases, fixed
    before = [open_case(INVOICE[0]), open_case(INVOICE[1])]
    problem = problem_create(actor=lead, title="Double charges", cases=before)
    problem_update(problem=problem, actor=lead, status=ProblemStatus.FIXED)
    # when a case that arrived later is linked by hand
    clock.freeze(clock.now() + timedelta(days=3))
    later = open_case(UNRELATED)
    problem_cases_link(problem=problem, cases=[later], actor=lead)
    # then it is a recurrence, and the rate counts it among all the problem's cases
    assert ProblemCase.objects.get(case=later).recurrence
    stats = recurrence_stats()
    assert (stats.problems_fixed, stats.problems_recurred, stats.cases_linked, stats.recurrences) == (
        1,
        1,
        3,
        1,
    )
    assert stats.percent == 33
