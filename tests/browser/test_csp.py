"""The Content-Security-Policy in a real browser: the complaint form, a desk case page and the
API docs work with it on and never trip it (issue 5 point 7; docs/decisions/0009)."""

import pytest
from playwright.sync_api import expect

from amends.cases.models import Case

pytestmark = pytest.mark.browser

NAME = "מיכל אברהם"
COMPLAINT = "הטלוויזיה שהזמנתי הגיעה עם מסך סדוק, והשליח סירב לקחת אותה בחזרה."
NOTE = "הלקוחה שלחה תמונה של המסך; לבדוק מול חברת השילוח."


def _watch(page, violations: list[str]) -> None:
    """Collect every CSP report the browser writes to the console for this page."""
    page.on("console", lambda m: "Content Security Policy" in m.text and violations.append(m.text))


@pytest.mark.django_db(transaction=True)
def test_form_desk_and_api_docs_work_under_the_policy(new_page, sign_in, desk_agents, screenshot):
    """A Hebrew complaint is typed (kept as a draft by our script), sent and worked on at the
    desk through HTMX, and the API docs open: Chromium reports no policy violation anywhere.
    Then an injected inline script is refused, so the policy really is on."""
    dana, _ = desk_agents

    # given: the form in English and in Hebrew
    violations: list[str] = []
    customer = new_page(locale="he-IL")
    _watch(customer, violations)
    customer.goto("/en/complain/")
    expect(customer.locator("html")).to_have_attribute("dir", "ltr")
    screenshot(customer, "csp-complain-en")
    customer.goto("/he/complain/")
    expect(customer.locator("html")).to_have_attribute("dir", "rtl")

    # when: the customer types, leaves and comes back
    customer.fill("#id_full_name", NAME)
    customer.fill("#id_email", "michal@example.com")
    customer.fill("#id_body", COMPLAINT)
    customer.check("input[name=desired_outcome][value=replacement]")
    customer.goto("/he/complain/")

    # then: amends.js (an external script, allowed) brought the draft back
    expect(customer.locator("#id_body")).to_have_value(COMPLAINT)
    expect(customer.locator("input[name=desired_outcome][value=replacement]")).to_be_checked()
    screenshot(customer, "csp-complain-he")

    # when: they send it
    customer.click("form button[type=submit]")

    # then: the complaint is taken, in their words
    customer.wait_for_url("**/he/complain/thanks/**")
    case = Case.objects.get()
    assert case.messages.get().body == COMPLAINT
    assert customer.evaluate("localStorage.getItem('amends-draft:complaint')") is None

    # when: an agent claims the case and writes a note, both through HTMX swaps
    desk = sign_in(dana, "he")
    _watch(desk, violations)
    desk.goto(f"/he/desk/cases/{case.public_id}/")
    desk.click("#claim")
    expect(desk.locator("#case-owner")).to_contain_text(dana.full_name)
    desk.click("#tab-note-btn")
    desk.fill("#form-note [name=body]", NOTE)
    desk.click("#form-note button[type=submit]")

    # then: the note is on the page, and htmx injected no <style> of its own
    expect(desk.locator("li.msg-note .user-text")).to_have_text(NOTE)
    assert desk.evaluate("document.querySelectorAll('style').length") == 0

    # when: the API docs open and an operation is expanded
    desk.goto("/api/docs")
    desk.locator(".opblock-summary").first.click()

    # then: Swagger UI rendered under the same policy
    expect(desk.locator(".opblock-body").first).to_be_visible()
    assert violations == []

    # when: something injects an inline script into a page
    customer.goto("/en/complain/")
    customer.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.pwned = 1';"
        " document.head.append(s); }"
    )

    # then: the browser refuses it and says so
    customer.wait_for_timeout(200)  # console messages arrive asynchronously
    assert customer.evaluate("window.pwned === undefined")
    assert any("script-src" in v for v in violations), violations
