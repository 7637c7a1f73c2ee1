"""The per-agent figures and the team overview: what each counts, who sees whom, and a page
cost that does not grow with the data."""

import pytest
from django.urls import reverse

from amends.accounts.models import Role
from amends.cases.choices import Decision, ResolutionType
from amends.cases.services import lifecycle
from amends.core import clock
from amends.quality.selectors import agent_page, agents_visible_to, team_overview
from amends.quality.services.kudos import kudos_from_message
from amends.quality.services.reviews import review_save
from amends.quality.tests.conftest import ALL_MET, PERIOD, at
from amends.sla.models import Commitment, FollowUp, FollowUpStatus
from amends.sla.services.commitments import commitment_mark_done
from amends.sla.services.followups import followup_answer
from amends.sla.sweeper import sla_sweep


def _worked_case(make_case, agent, lead, n: int, *, listens: str, thanks: str = ""):
    """One case `agent` answers (30 min after it came) with a promise, kept on even days and
    broken on odd ones; the customer may thank them (marked as kudos); resolved and reviewed."""
    clock.freeze(at(8 + n, 9))
    case = make_case(body=f"Complaint number {n}.", email=f"c{n}@example.com")
    clock.freeze(at(8 + n, 9, 30))
    lifecycle.case_reply(case=case, actor=agent, body="Looking into it.", promise_due=at(8 + n, 12))
    if n % 2 == 0:
        commitment_mark_done(commitment=Commitment.objects.get(case=case), actor=agent)
    if thanks:
        clock.freeze(at(8 + n, 10))
        message = lifecycle.case_customer_message(case=case, body=thanks, channel="web")
        kudos_from_message(message=message, agent=agent, actor=agent)
    clock.freeze(at(8 + n, 13))
    sla_sweep()  # an odd case's promise is broken
    lifecycle.case_resolve(
        case=case, actor=agent, resolution_type=ResolutionType.FIX, decision=Decision.UPHELD, summary="Fixed."
    )
    review_save(case=case, agent=agent, reviewer=lead, scores={**ALL_MET, "listens": (listens, "")})
    return case


def _answer_checks(rating_by_case):
    clock.freeze(at(25, 9))
    sla_sweep()
    clock.freeze(at(25, 10))
    for case, rating in rating_by_case:
        check = FollowUp.objects.get(case=case, status=FollowUpStatus.SENT)
        followup_answer(followup=check, solved=True, rating=rating, comment="")


def test_an_agents_figures_over_a_period(make_case, agent, lead):
    # given two worked cases: promises one kept one broken, ratings 5 and 2, reviews 100 % and 86 %
    first = _worked_case(make_case, agent, lead, 0, listens="met", thanks="Thank you, you were brilliant.")
    second = _worked_case(make_case, agent, lead, 1, listens="not_met")
    _answer_checks([(first, 5), (second, 2)])  # 2 is dissatisfied
    # when
    page = agent_page(agent=agent, period=PERIOD)
    f = page.figures
    # then
    assert (f.reviews, round(f.score)) == (2, 93)  # (100 + 86) / 2
    assert f.kudos == 1 and page.kudos[0].quote == "Thank you, you were brilliant."
    assert (f.promises, f.promises_kept) == (2, 0.5)
    assert (f.answers, f.rating, f.dissatisfied) == (2, 3.5, 0.5)
    assert f.resolved == 2
    assert 20 * 60 < f.fr_median < 40 * 60  # 30 minutes, read from the histogram
    listens = next(c for c in f.criteria if c.code == "listens")
    assert (listens.applicable, listens.points, listens.percent) == (2, 2, 50)
    assert f.weakest.code == "listens"
    assert [r.case for r in page.reviews] == [second, first]


def test_a_period_without_data_shows_nothing(agent):
    from amends.reports.filters import ReportFilters

    empty = agent_page(agent=agent, period=ReportFilters(start=PERIOD.start, end=PERIOD.start)).figures
    assert (empty.reviews, empty.score, empty.kudos, empty.promises_kept, empty.rating) == (
        0,
        None,
        0,
        None,
        None,
    )
    assert empty.weakest is None and empty.fr_median is None


def test_who_sees_whom(agent, other_agent, lead, admin_user, outsider):
    assert list(agents_visible_to(agent)) == [agent]
    seen_by_lead = set(agents_visible_to(lead))
    assert {agent, other_agent, lead} <= seen_by_lead
    assert outsider["agent"] not in seen_by_lead
    assert outsider["agent"] in set(agents_visible_to(admin_user))
    assert set(agents_visible_to(outsider["lead"])) == {outsider["agent"], outsider["lead"]}


def test_the_team_overview_has_a_row_per_agent(make_case, agent, other_agent, lead):
    _worked_case(make_case, agent, lead, 0, listens="met")
    rows = {person: f for person, f in team_overview(user=lead, period=PERIOD)}
    assert rows[agent].reviews == 1 and rows[agent].score == 100
    assert rows[other_agent].reviews == 0 and rows[other_agent].score is None


@pytest.mark.parametrize("cases", [1, 4])
def test_the_agent_page_costs_the_same_queries_whatever_the_data(
    client, make_case, agent, lead, cases, django_assert_max_num_queries
):
    # given `cases` worked cases, each with a review and kudos
    for n in range(cases):
        _worked_case(make_case, agent, lead, n, listens="partly", thanks="Thanks a lot!")
    client.force_login(lead)
    url = reverse("desk:quality-agent", kwargs={"agent_id": agent.pk}) + "?month=2026-02"
    # then the same bound for one case or four: session, user, the agent and their teams' check,
    # five sums, the criteria, the latest reviews and kudos
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count('class="small mb-1 agent-review"') == cases


@pytest.mark.parametrize("agents", [1, 3])
def test_the_quality_page_costs_the_same_queries_whatever_the_team(
    client, make_agent, make_case, lead, agents, django_assert_max_num_queries
):
    people = [make_agent(f"Agent {n}", role=Role.AGENT) for n in range(agents)]
    for n, person in enumerate(people):
        _worked_case(make_case, person, lead, n, listens="met")
    client.force_login(lead)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("desk:quality") + "?month=2026-02")
    assert response.status_code == 200
    assert response.content.decode().count("<tr>") >= agents * 2
