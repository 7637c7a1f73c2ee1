"""A token sees what its user sees: an agent's token lists and reads only visible cases."""

import pytest

from amends.accounts.services import api_token_create, team_create, user_create
from amends.cases.services import lifecycle

pytestmark = pytest.mark.django_db


def test_an_agents_token_lists_and_reads_only_visible_cases(client, make_case, lead):
    # given: one case in Billing, one without a team; Dov works in Delivery
    billing, delivery = (
        team_create(name="Billing", slug="billing"),
        team_create(name="Delivery", slug="delivery"),
    )
    bruno = user_create(username="bruno", email="b@amends.test", full_name="Bruno B", teams=[billing])
    dov = user_create(username="dov", email="d@amends.test", full_name="Dov D", teams=[delivery])
    hidden = lifecycle.case_transfer(
        case=make_case(),
        to_owner=bruno,
        to_team=billing,
        actor=lead,
        summary="Billing question, receipt attached by the customer.",
    )
    loose = make_case(email="noa@example.com")
    _token, raw = api_token_create(user=dov, name="tests")
    auth = {"Authorization": f"Bearer {raw}"}
    # when
    listed = client.get("/api/v1/cases", headers=auth).json()["items"]
    # then
    assert [item["id"] for item in listed] == [str(loose.public_id)]
    assert client.get(f"/api/v1/cases/{hidden.public_id}", headers=auth).status_code == 404
    assert client.get(f"/api/v1/cases/{hidden.public_id}/messages", headers=auth).status_code == 404
    assert client.get(f"/api/v1/cases/{loose.public_id}", headers=auth).status_code == 200
