"""Who sees what (R-PR-1): agents see their teams' cases, their own and those with no team;
leads, admins and agents granted wider scope see every case; a case out of sight is a 404."""

import pytest
from django.http import Http404

from amends.accounts.models import Role
from amends.accounts.services import team_create, user_create
from amends.cases.selectors import (
    QueueFilters,
    attachment_get_for_agent,
    case_get_for_agent,
    case_list_for_queue,
    case_search,
    cases_visible_to,
    customer_case_history,
)
from amends.cases.services import lifecycle

pytestmark = pytest.mark.django_db


@pytest.fixture
def teams():
    return team_create(name="Billing", slug="billing"), team_create(name="Delivery", slug="delivery")


@pytest.fixture
def people(teams):
    billing, delivery = teams

    def person(name, role=Role.AGENT, team=None, **extra):
        return user_create(
            username=name,
            email=f"{name}@amends.test",
            full_name=name.title(),
            role=role,
            teams=[team] if team else [],
            **extra,
        )

    return {
        "billing": person("bella", team=billing),
        "billing2": person("bruno", team=billing),
        "delivery": person("dov", team=delivery),
        "wide": person("wanda", team=delivery, sees_all_teams=True),
        "lead": person("lior", role=Role.LEAD, team=delivery),
        "admin": person("ada", role=Role.ADMIN),
    }


@pytest.fixture
def billing_case(make_case, people, teams):
    """A case handed to Bruno in Billing: team Billing, owner Bruno."""
    case = make_case()
    return lifecycle.case_transfer(
        case=case,
        to_owner=people["billing2"],
        to_team=teams[0],
        actor=people["lead"],
        summary="Refund question, the customer sent the receipt already.",
    )


def test_agents_see_their_teams_cases_and_cases_without_a_team(make_case, people, billing_case):
    # given: a second case with no team
    loose = make_case(email="noa@example.com")
    # when
    seen = {name: set(cases_visible_to(user)) for name, user in people.items()}
    # then
    assert seen["billing"] == {billing_case, loose}
    assert seen["delivery"] == {loose}
    assert seen["wide"] == seen["lead"] == seen["admin"] == {billing_case, loose}


def test_an_owner_keeps_sight_of_their_case_in_another_team(people, billing_case, teams):
    # given: the case moves to Delivery but stays Bruno's
    lifecycle.case_transfer(
        case=billing_case,
        to_owner=people["delivery"],
        to_team=teams[1],
        actor=people["lead"],
        summary="Courier problem after all, Delivery takes it from here.",
    )
    # then: Dov (owner, Delivery) sees it; Bella and Bruno (Billing) no longer do
    assert billing_case in cases_visible_to(people["delivery"])
    assert billing_case not in cases_visible_to(people["billing"])
    assert billing_case not in cases_visible_to(people["billing2"])


def test_a_case_out_of_sight_is_not_found_everywhere(people, billing_case):
    outsider = people["delivery"]
    attachment_id = "00000000-0000-0000-0000-000000000000"
    with pytest.raises(Http404):
        case_get_for_agent(user=outsider, public_id=billing_case.public_id)
    with pytest.raises(Http404):
        attachment_get_for_agent(user=outsider, public_id=attachment_id)
    assert list(case_search(user=outsider, text=billing_case.reference)) == []
    assert list(case_list_for_queue(user=outsider, queue="all", filters=QueueFilters())) == []
    assert case_get_for_agent(user=people["billing"], public_id=billing_case.public_id) == billing_case


def test_the_customers_other_cases_list_only_visible_ones(make_case, people, billing_case):
    loose = make_case(body="And the second order is late too.")
    assert list(customer_case_history(user=people["delivery"], case=loose)) == []
    assert list(customer_case_history(user=people["billing"], case=loose)) == [billing_case]


def test_inactive_staff_see_nothing(people, billing_case):
    user = people["lead"]
    user.is_active = False
    assert not cases_visible_to(user).exists()
