"""The complaint form and the case page in each language: the right `lang` and direction, and
a full-page screenshot per language for people to review (test-artifacts/screenshots/)."""

import pytest
from playwright.sync_api import expect

from amends.cases.choices import Channel
from amends.cases.services import lifecycle
from amends.cases.services.intake import case_open

pytestmark = pytest.mark.browser

LANGUAGES = {"en": "ltr", "he": "rtl", "ar": "rtl", "ru": "ltr"}


@pytest.mark.django_db(transaction=True)
def test_form_and_case_page_in_every_language(new_page, sign_in, desk_agents, screenshot):
    """Each language gets its own `lang` and reading direction on the public form and on the
    desk's case page, with the case's content intact."""
    # given: a case with a claim, a reply and a note, so the case page has a real timeline
    dana, _omar = desk_agents
    case = case_open(
        channel=Channel.WEB,
        body="The parcel arrived open and two items were missing.",
        full_name="Mary Customer",
        email="mary@example.com",
        phone="+972 50 123 4567",
        language="en",
        order_number="ORD-1234",
        desired_outcome="replacement",
    )
    lifecycle.case_assign(case=case, owner=dana, actor=dana)
    lifecycle.case_reply(case=case, actor=dana, body="Sorry about this. I am checking with the warehouse.")
    lifecycle.case_note(case=case, actor=dana, body="Warehouse says the box was damaged in transit.")
    customer = new_page()
    desk = sign_in(dana, "en")

    for language, direction in LANGUAGES.items():
        # when
        customer.goto(f"/{language}/complain/")
        desk.goto(f"/{language}/desk/cases/{case.public_id}/")

        # then
        for page in (customer, desk):
            expect(page.locator("html")).to_have_attribute("lang", language)
            expect(page.locator("html")).to_have_attribute("dir", direction)
        expect(customer.locator("#id_body")).to_be_visible()
        expect(desk.locator("#case-owner")).to_contain_text(dana.full_name)
        expect(desk.locator("li.msg-note .user-text")).to_have_text(
            "Warehouse says the box was damaged in transit."
        )
        if language != "he":  # the Hebrew ones come from the journey test, with Hebrew content
            screenshot(customer, f"complain-{language}")
            screenshot(desk, f"case-{language}")
