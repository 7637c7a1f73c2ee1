"""The customer's case folder in a real browser: a Hebrew customer signs in with the link from
the mail, reads their case right to left and writes to us; screenshots in English and Hebrew,
on a desktop and on a 375-px phone."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from amends.cases.choices import Channel
from amends.cases.services import lifecycle
from amends.cases.services.intake import case_open

pytestmark = pytest.mark.browser

SIGN_IN_PATH = re.compile(r"https?://[^/\s]+(/he/portal/sign-in/[^/\s]+/)")
PHONE = {"width": 375, "height": 740}

COMPLAINT = "הזמנתי מקרר ב-3 במרץ. הוא הגיע עם דלת שבורה, ואף אחד לא חזר אליי."
REPLY = "שלום נועה, אני מצטערת מאוד על הדלת השבורה. אני בודקת עם המחסן ואחזור אלייך."
NOTE = "הערה פנימית: המחסן מאשים את חברת ההובלה"
NEW_MESSAGE = "תודה. מצרפת תמונה של הדלת, ואשמח לדעת מתי יגיע מקרר חדש."


@pytest.mark.django_db(transaction=True)
def test_a_customer_signs_in_from_the_mail_and_writes_to_us(new_page, desk_agents, screenshot):
    # given: a Hebrew case with an owner, a reply and an internal note
    dana, _omar = desk_agents
    case = case_open(
        channel=Channel.WEB,
        body=COMPLAINT,
        full_name="נועה כהן",
        email="noa.cohen@example.com",
        language="he",
        desired_outcome="replacement",
    )
    lifecycle.case_assign(case=case, owner=dana, actor=dana)
    lifecycle.case_reply(case=case, actor=dana, body=REPLY)
    lifecycle.case_note(case=case, actor=dana, body=NOTE)
    mail.outbox.clear()

    # when: she asks for a sign-in link on the Hebrew portal
    page = new_page(locale="he-IL")
    page.goto("/he/portal/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    screenshot(page, "portal-signin-he")
    page.fill("#id_email", "Noa.Cohen@example.com")
    page.click("main form button[type=submit]")

    # then: the same "check your email" page anyone gets, and one mail with a link and a code
    page.wait_for_url("**/he/portal/code/")
    expect(page.locator("#sent")).to_be_visible()
    assert [m.to for m in mail.outbox] == [["noa.cohen@example.com"]]
    path = SIGN_IN_PATH.search(mail.outbox[0].body).group(1)

    # when: she opens the link and presses the button
    page.goto(path)
    page.click("#confirm-sign-in")

    # then: her folder, right to left, with the case, its owner and status in Hebrew
    page.wait_for_url("**/he/portal/cases/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("#case-list")).to_contain_text(case.reference)
    expect(page.locator("#case-list")).to_contain_text(dana.full_name)
    screenshot(page, "portal-cases-he")
    page.click(f"#case-list a:has-text('{case.reference}')")
    page.wait_for_url(f"**/he/portal/cases/{case.public_id}/")
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text(COMPLAINT)
    expect(timeline).to_contain_text(REPLY)
    expect(page.locator("main")).not_to_contain_text(NOTE)
    expect(page.locator("#case-owner")).to_contain_text(dana.full_name)

    # when: she writes to us with a photo
    page.fill("#id_body", NEW_MESSAGE)
    page.set_input_files(
        "#id_attachments",
        files=[{"name": "דלת.png", "mimeType": "image/png", "buffer": b"\x89PNG\r\n\x1a\n" + b"\0" * 64}],
    )
    page.click("#message-form button[type=submit]")

    # then: the page shows it, and the case has it as her message from the web
    page.wait_for_url(f"**/he/portal/cases/{case.public_id}/")
    expect(page.locator(".alert-success")).to_be_visible()
    expect(timeline.locator(":scope > li").last).to_contain_text(NEW_MESSAGE)
    expect(timeline.locator(":scope > li").last).to_contain_text("דלת.png")
    last = case.messages.order_by("created_at", "id").last()
    assert (last.kind, last.channel, last.body) == ("inbound", "web", NEW_MESSAGE)
    page.locator("#manager summary").click()
    screenshot(page, "portal-case-he")

    # and: the same folder in English, and on a phone
    page.goto(f"/en/portal/cases/{case.public_id}/")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    expect(page.locator("#case-status")).to_contain_text("Someone is working on it")
    screenshot(page, "portal-case-en")
    page.goto("/en/portal/cases/")
    screenshot(page, "portal-cases-en")
    page.set_viewport_size(PHONE)
    page.goto(f"/he/portal/cases/{case.public_id}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "portal-case-he-375")
