"""The public complaint form in a real browser: mistakes are explained without losing what the
customer typed, and sending twice never makes two cases."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from amends.cases.models import Case

pytestmark = pytest.mark.browser

NAME = "יוסי מזרחי"
ORDER = "הזמנה 55-1234"
OUTCOME_DETAIL = "החלפה במוצר זהה"
COMPLAINT = "החבילה הגיעה פתוחה וחסרו בה שני פריטים מתוך ההזמנה."


def _fill_complaint(page, *, email: str = "yossi@example.com", body: str = COMPLAINT) -> None:
    page.fill("#id_full_name", NAME)
    page.fill("#id_email", email)
    page.fill("#id_order_number", ORDER)
    page.fill("#id_body", body)
    page.check("input[name=desired_outcome][value=replacement]")
    page.fill("#id_desired_outcome_detail", OUTCOME_DETAIL)


@pytest.mark.django_db(transaction=True)
def test_hebrew_form_errors_keep_what_was_typed(new_page, screenshot):
    """Without a way to reach them and without a story, the customer sees both problems next
    to the fields, still in Hebrew right-to-left, with everything they typed still there."""
    # given
    page = new_page(locale="he-IL")
    page.goto("/he/complain/")

    # when: no email, no phone, nothing about what happened
    _fill_complaint(page, email="", body="")
    page.click("form button[type=submit]")

    # then
    expect(page.locator("#id_email_error")).to_be_visible()
    expect(page.locator("#id_body_error")).to_be_visible()
    expect(page.locator(".alert-danger")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "he")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("#id_email")).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.locator("#id_body")).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.locator("#id_full_name")).to_have_value(NAME)
    expect(page.locator("#id_order_number")).to_have_value(ORDER)
    expect(page.locator("#id_desired_outcome_detail")).to_have_value(OUTCOME_DETAIL)
    expect(page.locator("input[name=desired_outcome][value=replacement]")).to_be_checked()
    screenshot(page, "complain-errors-he")

    # when: they write the story but still give no contact
    page.fill("#id_body", COMPLAINT)
    page.click("form button[type=submit]")

    # then: the story is kept and only the contact is asked for
    expect(page.locator("#id_body_error")).to_have_count(0)
    expect(page.locator("#id_email_error")).to_be_visible()
    expect(page.locator("#id_body")).to_have_value(COMPLAINT)
    expect(page.locator("#id_full_name")).to_have_value(NAME)
    assert Case.objects.count() == 0
    assert mail.outbox == []

    # when: they add an email address
    page.fill("#id_email", "yossi@example.com")
    page.click("form button[type=submit]")

    # then: the complaint is taken, with their words as typed
    page.wait_for_url("**/he/complain/thanks/**")
    case = Case.objects.get()
    assert case.messages.get().body == COMPLAINT
    assert case.order_number == ORDER


@pytest.mark.django_db(transaction=True)
def test_double_submit_makes_one_case(new_page):
    """A double click, and the same form posted again behind the button's back (a retry, two
    tabs, no JavaScript), both end on the same single case and one acknowledgement."""
    # given
    page = new_page(locale="he-IL")
    page.goto("/he/complain/")
    _fill_complaint(page)

    form = page.locator("form[data-draft-key]")
    posted = form.evaluate(
        """f => ({
            action: f.action,
            fields: Array.from(new FormData(f)).filter(([, value]) => typeof value === "string"),
        })"""
    )

    # when: the customer double-clicks "send"
    page.dblclick("form button[type=submit]")

    # then
    page.wait_for_url("**/he/complain/thanks/**")
    reference = page.locator("#reference").inner_text().strip()
    thanks_path = page.evaluate("location.pathname")
    case = Case.objects.get()
    assert case.reference == reference

    # when: the same submission (same hidden token) arrives twice more, at the same moment
    final_paths = page.evaluate(
        """async ({action, fields}) => {
            const send = () => {
                const body = new FormData();
                fields.forEach(([name, value]) => body.append(name, value));
                return fetch(action, {method: "POST", body});
            };
            const responses = await Promise.all([send(), send()]);
            return responses.map(r => [r.status, new URL(r.url).pathname]);
        }""",
        posted,
    )

    # then: both land on the first case's thanks page; still one case, one acknowledgement
    assert final_paths == [[200, thanks_path], [200, thanks_path]]
    assert Case.objects.count() == 1
    assert len(mail.outbox) == 1
