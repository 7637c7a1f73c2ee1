"""Who sees and changes problems and incidents: leads and administrators change them; an agent
reads the problems linked to cases they may see, and nothing else; incidents are for leads."""

import pytest
from django.urls import reverse

from amends.accounts.models import Role
from amends.accounts.services import team_create, user_create
from amends.cases.services import lifecycle
from amends.learning.models import ActionStatus, ProblemCase
from amends.learning.services.incidents import incident_declare
from amends.learning.services.problems import action_add, problem_create, problem_update
from amends.learning.tests.texts import INVOICE, ROUTER

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(lead, agent, open_case):
    """A problem on a case of the agent's team, a problem on another team's case, an incident."""
    other_team = team_create(name="Billing", slug="billing")
    outsider = user_create(
        username="outsider", email="outsider@amends.test", full_name="Out Sider", teams=[other_team]
    )
    ours = open_case(ROUTER[0])
    theirs = open_case(INVOICE[0])
    lifecycle.case_transfer(
        case=theirs,
        to_owner=outsider,
        to_team=other_team,
        actor=lead,
        summary="Billing handles double charges.",
    )
    visible = problem_create(actor=lead, title="Router outage", cases=[ours])
    problem_update(problem=visible, actor=lead, lessons_learned="Tell customers the outage map link.")
    action = action_add(problem=visible, actor=lead, title="Publish an outage map")
    hidden = problem_create(actor=lead, title="Double charges", cases=[theirs])
    incident = incident_declare(actor=lead, title="Exchange down", public_text_en="We are on it.")
    return {"visible": visible, "hidden": hidden, "action": action, "incident": incident, "case": ours}


def _problem_url(name, problem):
    return reverse(name, kwargs={"public_id": problem.public_id})


def test_an_agent_reads_only_the_problems_on_cases_they_may_see(client, agent, world):
    client.force_login(agent)
    listing = client.get(reverse("desk:problems")).content.decode()
    assert "Router outage" in listing and "Double charges" not in listing
    page = client.get(_problem_url("desk:problem", world["visible"]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Tell customers the outage map link." in body
    # read-only: no way to change anything is offered
    assert 'id="problem-edit"' not in body and 'id="link-form"' not in body and 'id="action-form"' not in body
    assert 'name="status"' not in body
    # a problem of another team's cases is not found
    assert client.get(_problem_url("desk:problem", world["hidden"])).status_code == 404


def test_an_agent_cannot_change_a_problem_they_can_read(client, agent, world):
    client.force_login(agent)
    problem = world["visible"]
    action = world["action"]
    attempts = [
        (reverse("desk:problem-new"), {"title": "Mine"}),
        (_problem_url("desk:problem-edit", problem), {"title": "Renamed", "status": "fixed"}),
        (_problem_url("desk:problem-cases", problem), {"op": "unlink", "case": str(world["case"].public_id)}),
        (_problem_url("desk:problem-actions", problem), {"title": "More"}),
        (
            _problem_url("desk:problem-action-status", problem),
            {"action": str(action.public_id), "status": "done"},
        ),
    ]
    for url, data in attempts:
        assert client.post(url, data).status_code == 403, url
    problem.refresh_from_db()
    action.refresh_from_db()
    assert problem.title == "Router outage" and action.status == ActionStatus.PLANNED
    assert ProblemCase.objects.filter(problem=problem).count() == 1


def test_incidents_are_for_leads(client, agent, world):
    client.force_login(agent)
    incident = world["incident"]
    for url in (
        reverse("desk:incidents"),
        reverse("desk:incident-new"),
        reverse("desk:incident", kwargs={"public_id": incident.public_id}),
        reverse("desk:incident-edit", kwargs={"public_id": incident.public_id}),
    ):
        assert client.get(url).status_code == 403, url
    status_url = reverse("desk:incident-status", kwargs={"public_id": incident.public_id})
    assert client.post(status_url, {"status": "fixed"}).status_code == 403
    # and the desk's navigation offers agents the problems, not the incidents
    nav = client.get(reverse("desk:queue")).content.decode()
    assert 'id="nav-problems"' in nav and 'id="nav-incidents"' not in nav


def test_a_lead_changes_problems_and_incidents(client, lead, world):
    client.force_login(lead)
    problem = world["visible"]
    assert 'id="problem-edit"' in client.get(_problem_url("desk:problem", problem)).content.decode()
    response = client.post(
        _problem_url("desk:problem-edit", problem),
        {"title": "Router outage in the north", "status": "fixed", "lessons_learned": "Publish the map."},
    )
    assert response.status_code == 302
    problem.refresh_from_db()
    assert (problem.title, problem.status) == ("Router outage in the north", "fixed")
    assert (
        client.get(reverse("desk:problem", kwargs={"public_id": world["hidden"].public_id})).status_code
        == 200
    )
    incident = world["incident"]
    assert client.get(reverse("desk:incident", kwargs={"public_id": incident.public_id})).status_code == 200
    response = client.post(
        reverse("desk:incident-edit", kwargs={"public_id": incident.public_id}),
        {
            "title": "Exchange down",
            "status": "identified",
            "started_at": "2026-11-29T08:00",
            "public_text_he": "x",
        },
    )
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.status == "identified" and incident.public_text_he == "x"


def test_an_administrator_is_a_lead_here(client, admin_user, world):
    client.force_login(admin_user)
    assert client.get(reverse("desk:incident-new")).status_code == 200
    assert client.get(reverse("desk:problem-new")).status_code == 200


def test_unknown_ids_are_not_found(client, lead):
    client.force_login(lead)
    unknown = "00000000-0000-4000-8000-000000000000"
    assert client.get(reverse("desk:problem", kwargs={"public_id": unknown})).status_code == 404
    assert client.get(reverse("desk:incident", kwargs={"public_id": unknown})).status_code == 404
    assert client.get(reverse("desk:problem-new") + f"?case={unknown}").status_code == 404


def test_an_incident_needs_something_for_customers_to_read(client, lead):
    client.force_login(lead)
    response = client.post(
        reverse("desk:incident-new"),
        {"title": "Outage", "status": "investigating", "started_at": "2026-11-29T08:00"},
    )
    assert response.status_code == 400
    assert "Write what customers read, in at least one language." in response.content.decode()


def test_a_role_change_takes_effect_at_once(client, world):
    # given an agent made lead
    agent = user_create(username="newlead", email="newlead@amends.test", full_name="New Lead")
    client.force_login(agent)
    assert client.get(reverse("desk:incidents")).status_code == 403
    agent.role = Role.LEAD
    agent.save(update_fields=["role"])
    assert client.get(reverse("desk:incidents")).status_code == 200
