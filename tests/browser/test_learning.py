"""Problems and incidents in a real browser: a lead opens a problem for a group of similar
complaints from the case page, adds a corrective action and moves it on in place, writes the
lesson that agents then see on the linked cases; declares an incident and links the cases like
a chosen one after seeing how many. Screenshots: problem-en.png, problem-he.png,
incident-en.png, incident-he.png, case-lessons-he.png."""

import re

import pytest
from playwright.sync_api import expect

from amends.accounts.models import Role
from amends.accounts.services import user_create
from amends.cases.choices import Channel
from amends.cases.models import RootCause
from amends.cases.services.intake import case_open
from amends.learning.models import ActionStatus, Incident, IncidentCase, Problem
from amends.learning.tests.texts import ROUTER, ROUTER_HE

pytestmark = pytest.mark.browser

PASSWORD = "browser-tests-pw-1"  # what conftest.sign_in types
LESSON = "Before asking the customer to restart the router, check the outage map for their area."


def _complaints() -> list:
    """Four reports of the same outage: three in English, one in Hebrew (different customers)."""
    cases = [
        case_open(
            channel=Channel.WEB,
            body=text,
            subject="Internet down",
            full_name=f"Customer {n}",
            email=f"customer{n}@example.com",
            language="en",
        )
        for n, text in enumerate(ROUTER[:3])
    ]
    cases.append(
        case_open(
            channel=Channel.WEB,
            body=ROUTER_HE,
            subject="אין אינטרנט",
            full_name="נועה כהן",
            email="noa@example.com",
            language="he",
        )
    )
    return cases


@pytest.mark.django_db(transaction=True)
def test_a_lead_works_a_problem_and_an_incident(sign_in, desk_agents, team, screenshot):
    # given a lead, an agent, the root causes (a flushed database loses the seeded ones) and
    # four reports of one outage
    dana, _omar = desk_agents
    lead = user_create(
        username="irina",
        email="irina@amends.test",
        full_name="אירינה פטרובה",
        password=PASSWORD,
        role=Role.LEAD,
        languages=["he", "en"],
        teams=[team],
    )
    RootCause.objects.get_or_create(
        code="system", defaults={"name_en": "A system or software fault", "name_he": "תקלה במערכת או בתוכנה"}
    )
    cases = _complaints()

    # when the lead opens a problem from the similar-complaints panel of the third report
    page = sign_in(lead, "en")
    page.goto(f"/en/desk/cases/{cases[2].public_id}/")
    offer = page.locator("#problem-from-similar")
    expect(offer).to_contain_text(re.compile(r"Open a problem for these \d cases"))
    offer.click()
    expect(page.locator("#problem-form input[name=cases]:checked").first).to_be_visible()
    page.fill("#id_title", "Router firmware update cut home internet")
    page.select_option("#id_root_cause", label="A system or software fault")
    page.select_option("#id_owner", label=lead.full_name)
    page.locator("#problem-form button[type=submit]").click()

    # then the problem page lists the linked reports
    expect(page.locator("#problem-title")).to_have_text("Router firmware update cut home internet")
    problem = Problem.objects.get()
    linked = set(problem.links.values_list("case_id", flat=True))
    assert {cases[2].pk, cases[0].pk, cases[1].pk} <= linked
    expect(page.locator("#problem-cases tbody tr")).to_have_count(len(linked))

    # when the lead adds a corrective action and moves it on from its row (HTMX, no reload)
    page.locator("#problem-actions summary").click()
    page.fill("#id_action_title", "Roll the router firmware back and re-test the update")
    page.select_option("#id_action_owner", label=dana.full_name)
    page.fill("#id_action_due_date", "2026-12-10")
    page.locator("#action-form button[type=submit]").click()
    row = page.locator("#problem-actions tbody tr").first
    expect(row).to_contain_text("Roll the router firmware back")
    page.evaluate("document.body.dataset.marker = 'same-page'")
    with page.expect_response(re.compile(r"/actions/status/$")) as answer:
        row.locator("select.action-status").select_option("in_progress")
    assert answer.value.ok
    expect(page.locator("#problem-actions tbody tr").first.locator("select.action-status")).to_have_value(
        "in_progress"
    )
    assert problem.actions.get().status == ActionStatus.IN_PROGRESS
    assert page.evaluate("document.body.dataset.marker") == "same-page"

    # when the lead writes the lesson learned and marks the problem fixed
    page.locator("#problem-edit").click()
    page.fill("#id_lessons_learned", LESSON)
    page.select_option("#id_status", "fixed")
    page.locator("#problem-edit-form button[type=submit]").click()
    expect(page.locator("#lessons")).to_contain_text(LESSON)
    expect(page.locator("#problem-status")).to_have_text("Fixed")
    screenshot(page, "problem-en")
    page.goto(f"/he/desk/problems/{problem.public_id}/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("#lessons")).to_contain_text(LESSON)
    screenshot(page, "problem-he")

    # then an agent on a linked case reads the lesson there (Hebrew desk)
    desk = sign_in(dana, "he")
    desk.goto(f"/he/desk/cases/{cases[0].public_id}/")
    expect(desk.locator("#learning .lessons")).to_contain_text(LESSON)
    expect(desk.locator("#problem-from-case")).to_have_count(0)  # agents do not open problems
    screenshot(desk, "case-lessons-he")

    # when the lead declares an incident
    page.goto("/en/desk/incidents/new/")
    page.fill("#id_title", "Northern exchange outage")
    page.select_option("#id_status", "identified")
    page.fill(
        "#id_public_text_en", "A fault in the northern exchange cut home internet. Engineers are on site."
    )
    page.fill("#id_public_text_he", "תקלה במרכזייה הצפונית ניתקה את האינטרנט הביתי. הטכנאים באתר.")
    page.fill("#id_keywords", "router, נתב")
    page.locator("#incident-form button[type=submit]").click()
    expect(page.locator("#incident-title")).to_have_text("Northern exchange outage")
    incident = Incident.objects.get()

    # and links the cases like the first report, seeing how many first
    page.fill("#id_m_reference", cases[0].reference)
    page.locator("#link-by-similar button[type=submit]").click()
    expect(page.locator("#preview-count")).to_contain_text("cases found")
    page.locator("#link-confirm button[type=submit]").click()

    # then the page says how many were linked and lists them
    expect(page.locator("#linked-message")).to_be_visible()
    count = IncidentCase.objects.filter(incident=incident).count()
    assert count >= 3
    expect(page.locator("#incident-cases tbody tr")).to_have_count(count)
    screenshot(page, "incident-en")
    page.goto(f"/he/desk/incidents/{incident.public_id}/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("#public-texts")).to_contain_text("הטכנאים באתר")
    screenshot(page, "incident-he")
