"""Quality in a real browser: a lead opens the review from the case page, reads the
conversation beside the scorecard, scores it, and opens the agent's page; the agent reads
their own page. English and Hebrew. Screenshots: quality-review-en.png, quality-review-he.png,
quality-agent-en.png, quality-agent-he.png, quality-team-he.png, quality-case-he.png, in
test-artifacts/screenshots/, or in docs/screenshots/ with AMENDS_DOCS_SCREENSHOTS=1 (the copies
the docs show: refreshed on purpose, not by every test run)."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from amends.accounts.models import Role
from amends.accounts.services import user_create
from amends.cases.choices import Channel
from amends.cases.services import lifecycle
from amends.cases.services.intake import case_open
from amends.quality.models import Review
from amends.quality.services.criteria import criteria_seed

pytestmark = pytest.mark.browser

PASSWORD = "browser-tests-pw-1"  # what conftest.sign_in types
ROOT = Path(__file__).resolve().parents[2]


def _shot(page, name: str) -> None:
    folder = (
        ROOT / ("docs" if os.environ.get("AMENDS_DOCS_SCREENSHOTS") else "test-artifacts") / "screenshots"
    )
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def _hebrew_conversation(dana, omar):
    case = case_open(
        channel=Channel.WEB,
        body="המקרר שהזמנתי הגיע עם מכה בדלת. ביקשתי החלפה כבר לפני שבוע ואף אחד לא חזר אליי.",
        subject="מקרר פגום",
        full_name="נועה כהן",
        email="noa@example.com",
        language="he",
    )
    lifecycle.case_reply(
        case=case, actor=dana, body="נועה שלום, אני מצטערת מאוד על העיכוב. תוכלי לשלוח תמונה של הדלת?"
    )
    lifecycle.case_customer_message(case=case, body="שלחתי תמונה. המכה בצד שמאל.", channel=Channel.WEB)
    lifecycle.case_reply(
        case=case, actor=dana, body="תודה, נועה. דלת חדשה תגיע ביום שלישי, ואני אתקשר לוודא שהכול תקין."
    )
    lifecycle.case_reply(case=case, actor=omar, body="השליח יתקשר אלייך ביום שני לתאם שעה.")
    lifecycle.case_customer_message(case=case, body="תודה רבה, דנה! היית אדיבה וסבלנית.", channel=Channel.WEB)
    return case


def _english_conversation(dana):
    case = case_open(
        channel=Channel.EMAIL,
        body="I was charged twice for order D-0042. I want the second payment back.",
        subject="Charged twice",
        full_name="Mary O'Brien",
        email="mary@example.com",
        language="en",
    )
    lifecycle.case_reply(
        case=case,
        actor=dana,
        body="Dear Mary, I am sorry about the double charge. I can see both payments; the second one "
        "will be refunded today and I will email you when it is done.",
    )
    lifecycle.case_customer_message(
        case=case, body="Thank you, that was quick and very helpful!", channel=Channel.EMAIL
    )
    return case


def _score(page, ratings: dict[str, str], comment: str) -> None:
    for code, rating in ratings.items():
        page.locator(f"#criterion-{code} input[value={rating}]").check()
    page.fill("#id_comment", comment)
    page.locator("#review-form button[type=submit]").click()


@pytest.mark.django_db(transaction=True)
def test_a_lead_scores_a_conversation_and_opens_the_agent_page(sign_in, desk_agents, team):
    # given the checklist (a flushed database loses the seeded one), a lead, and two conversations
    criteria_seed()
    dana, omar = desk_agents
    lead = user_create(
        username="irina",
        email="irina@amends.test",
        full_name="אירינה פטרובה",
        password=PASSWORD,
        role=Role.LEAD,
        languages=["he", "en"],
        teams=[team],
    )
    english = _english_conversation(dana)
    hebrew = _hebrew_conversation(dana, omar)
    all_met = {
        code: "met"
        for code in (
            "listens",
            "tests_understanding",
            "shows_listening",
            "builds_rapport",
            "diagnoses_without_arguing",
            "admits_errors",
            "looks_for_solutions",
        )
    }

    # when the lead starts the review from the English case page
    page = sign_in(lead, "en")
    page.goto(f"/en/desk/cases/{english.public_id}/")
    expect(page.locator("#quality .praise-suggestion")).to_contain_text("helpful")
    page.locator("#review-start").click()
    # then the conversation is beside the scorecard, the agent's replies highlighted
    expect(page.locator("#conversation")).to_contain_text("I am sorry about the double charge")
    expect(page.locator("#conversation .reviewed-reply")).to_have_count(1)
    expect(page.locator("#review-form fieldset.criterion")).to_have_count(7)
    _shot(page, "quality-review-en")
    # when the lead scores it (one criterion partly met, one not applicable)
    _score(
        page,
        {**all_met, "tests_understanding": "partly", "diagnoses_without_arguing": "na"},
        "A sincere apology and a clear date. Next time, sum up what she asked for.",
    )
    # then the review shows its score: 11 of 12 points
    expect(page.locator("#review-score")).to_have_text("92%")
    review = Review.objects.get()
    assert (review.agent_id, review.reviewer_id, review.score) == (dana.pk, lead.pk, 92)

    # when the lead scores the Hebrew conversation in Hebrew, choosing Dana among two writers
    page.goto(f"/he/desk/quality/cases/{hebrew.public_id}/review/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("#pick-agent")).to_be_visible()
    page.locator("#pick-agent").select_option(str(dana.pk))
    expect(page.locator("#conversation .reviewed-reply")).to_have_count(2)
    _shot(page, "quality-review-he")
    _score(
        page, {**all_met, "listens": "not_met", "builds_rapport": "partly"}, "ענתה לפני שקראה את כל ההודעה."
    )
    expect(page.locator("#review-score")).to_have_text("79%")

    # and opens Dana's page from the agent link: two reviews, the weakest criterion named
    page.locator("dd a[href*='/quality/agents/']").click()
    expect(page.locator("#agent-name")).to_contain_text(dana.full_name)
    expect(page.locator("#fig-score")).to_contain_text("2")
    expect(page.locator("#weakest")).to_be_visible()
    expect(page.locator(".agent-review")).to_have_count(2)
    _shot(page, "quality-agent-he")
    page.goto(page.url.replace("/he/", "/en/", 1))
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    expect(page.locator("#weakest")).to_contain_text("Listens without interrupting")
    _shot(page, "quality-agent-en")

    # and the team overview has a row per agent, linking to their pages
    page.goto("/he/desk/quality/")
    expect(page.locator("#team-overview tbody tr")).to_have_count(3)  # Dana, Omar and the lead
    expect(page.locator("#review-table tbody tr")).to_have_count(2)
    _shot(page, "quality-team-he")

    # then Dana marks the customer's thanks as kudos from her Hebrew case page, and sees her page
    desk = sign_in(dana, "he")
    desk.goto(f"/he/desk/cases/{hebrew.public_id}/")
    suggestion = desk.locator("#quality .praise-suggestion").first
    expect(suggestion).to_contain_text("אדיבה")
    suggestion.locator("button[type=submit]").click()
    expect(desk.locator("#quality .case-kudos")).to_contain_text("היית אדיבה וסבלנית")
    expect(desk.locator("#quality .case-review")).to_have_count(1)  # her own review, not Omar's
    _shot(desk, "quality-case-he")
    desk.locator("#nav-quality").click()
    expect(desk.locator("#agent-name")).to_be_visible()
    expect(desk.locator("#fig-kudos")).to_contain_text("1")
    expect(desk.locator(".agent-kudos")).to_contain_text("היית אדיבה וסבלנית")


AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


@pytest.mark.parametrize("language", ["en", "he"])
@pytest.mark.django_db(transaction=True)
def test_the_quality_pages_have_no_serious_accessibility_violations(
    language, chromium, live_server, desk_agents, team
):
    """axe-core on the review form, a review, the agent page and the Quality page."""
    from amends.quality.services.reviews import review_save

    assert AXE.is_file(), f"{AXE} is missing: run `make node` (npm ci) first"
    criteria_seed()
    dana, omar = desk_agents
    lead = user_create(
        username="irina",
        email="irina@amends.test",
        full_name="Irina Petrova",
        password=PASSWORD,
        role=Role.LEAD,
        teams=[team],
    )
    case = _hebrew_conversation(dana, omar)
    scores = {c: ("met", "") for c in ("listens", "tests_understanding", "shows_listening", "builds_rapport")}
    scores |= {
        c: ("partly", "") for c in ("diagnoses_without_arguing", "admits_errors", "looks_for_solutions")
    }
    review = review_save(case=case, agent=dana, reviewer=lead, scores=scores, comment="טוב.")
    # axe-core goes in as an inline script, which the CSP refuses: this context bypasses it
    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}, bypass_csp=True
    )
    page = context.new_page()
    page.goto(f"/{language}/desk/login/")
    page.fill("#id_username", lead.username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"**/{language}/desk/")
    found = []
    for path in (
        f"/{language}/desk/quality/cases/{case.public_id}/review/",
        f"/{language}/desk/quality/reviews/{review.public_id}/",
        f"/{language}/desk/quality/agents/{dana.pk}/",
        f"/{language}/desk/quality/",
        f"/{language}/desk/cases/{case.public_id}/",
    ):
        page.goto(path)
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
        violations = page.evaluate(
            """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations.map(
                v => `${v.id} (${v.impact}): ${v.nodes.map(n => n.target.join(" ")).join(", ")}`)"""
        )
        found += [f"{path}: {v}" for v in violations if "(serious)" in v or "(critical)" in v]
    context.close()
    assert not found, "\n".join(found)
