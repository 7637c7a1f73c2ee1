"""The reply coach in a real browser: an agent types a draft and the advice appears under the
box as they type (debounced HTMX), then changes when the draft gets better. Screenshots in en
and he."""

import pytest
from playwright.sync_api import expect

from amends.cases.choices import Channel
from amends.cases.services.intake import case_open

pytestmark = pytest.mark.browser

BAD_DRAFT = "Hello. That is company policy and there is nothing we can do. Your ticket is closed."
GOOD_DRAFT = (
    "Dear Mary, I am sorry the parcel came late. I will call you tomorrow at 10:00 to arrange "
    "a new delivery, and I will stay with your case until it arrives."
)
HEBREW_DRAFT = "שלום. זה הנוהל אצלנו ואין מה לעשות."


@pytest.mark.parametrize("language", ["en", "he"])
def test_the_coach_reads_the_draft_as_the_agent_types(sign_in, desk_agents, screenshot, language):
    dana, _omar = desk_agents
    case = case_open(
        channel=Channel.WEB,
        body="The parcel came two weeks late and the box was crushed.",
        full_name="Mary Customer",
        email="mary@example.com",
        owner=dana,
        actor=dana,
    )
    page = sign_in(dana, language)
    page.goto(f"/{language}/desk/cases/{case.public_id}/")
    coach = page.locator("#coach-reply")
    expect(coach).to_be_visible()
    # when the agent types a draft that hides behind the rules
    draft = BAD_DRAFT if language == "en" else HEBREW_DRAFT
    page.locator("#id_reply_body").press_sequentially(draft, delay=5)
    # then the advice appears, with the words it is about marked
    expect(coach.locator("[data-code=blames_policy]")).to_be_visible()
    expect(coach.locator("[data-code=nothing_to_do]")).to_be_visible()
    expect(coach.locator("[data-code=blames_policy] mark")).to_have_count(1)
    if language == "he":
        expect(coach).to_contain_text("מאשים נוהל")
    screenshot(page, f"coach-{language}")
    # when the draft is rewritten
    page.locator("#id_reply_body").fill("")
    page.locator("#id_reply_body").press_sequentially(GOOD_DRAFT, delay=2)
    # then the forbidden phrases are gone; nothing was sent
    expect(coach.locator("[data-code=blames_policy]")).to_have_count(0)
    expect(coach.locator("[data-code=no_date]")).to_have_count(0)
    assert case.messages.count() == 1
