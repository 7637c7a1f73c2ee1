"""The desk follows who-sees-what: a case of another team is a 404, and handing a case to a
team the agent is not in takes it out of their sight."""

import pytest
from django.urls import reverse

from amends.accounts.services import team_create, user_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivery():
    return team_create(name="Delivery", slug="delivery")


@pytest.fixture
def dov(delivery):
    return user_create(username="dov", email="dov@amends.test", full_name="Dov Delivery", teams=[delivery])


def test_handing_a_case_to_another_team_sends_the_agent_back_to_the_queue(client, agent, case, dov, delivery):
    # given: Dana works the case, which has no team yet
    client.force_login(agent)
    url = reverse("desk:case-action", kwargs={"public_id": case.public_id, "action": "transfer"})
    data = {"to_owner": dov.pk, "to_team": delivery.pk, "summary": "Courier lost it; Delivery should chase."}
    # when: she hands it to Dov in Delivery, first as a plain post, then (another case) by HTMX
    response = client.post(url, data)
    # then
    assert response.status_code == 302
    assert response["Location"] == reverse("desk:queue")
    assert client.get(reverse("desk:case", kwargs={"public_id": case.public_id})).status_code == 404


def test_htmx_handoff_out_of_sight_redirects_with_hx_redirect(client, agent, make_case, dov, delivery):
    case = make_case()
    client.force_login(agent)
    url = reverse("desk:case-action", kwargs={"public_id": case.public_id, "action": "transfer"})
    data = {"to_owner": dov.pk, "to_team": delivery.pk, "summary": "Courier lost it; Delivery should chase."}
    response = client.post(url, data, headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("desk:queue")
