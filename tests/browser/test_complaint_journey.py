"""A Hebrew complaint from the public form to its resolution, as the customer and two agents
see it in a real browser; then the mail the customer received."""

import re

import pytest
from django.core import mail
from django.utils import translation
from playwright.sync_api import expect

from amends.cases.models import Case

pytestmark = pytest.mark.browser

HEBREW = re.compile(r"[\u0590-\u05FF]")
REFERENCE = re.compile(r"^AM-[2-9B-DF-HJ-NP-TV-Z]{6}$")

CUSTOMER_NAME = "נועה כהן"
CUSTOMER_EMAIL = "noa.cohen@example.com"
COMPLAINT = "הזמנתי מקרר ב-3 במרץ. הוא הגיע עם דלת שבורה, ואף אחד לא חזר אליי למרות שלוש שיחות."
REPLY = "שלום נועה, אני מצטערת מאוד על הדלת השבורה. אני בודקת עם המחסן ואחזור אלייך עד מחר."
HANDOFF = "הלקוחה קיבלה מקרר עם דלת שבורה. הבטחתי תשובה עד מחר; צריך לאשר החזר כספי מלא."
RESOLUTION = "החזרנו לך את מלוא הסכום, 3,200 ש״ח, ושליח יאסוף את המקרר ביום ראשון."


def _mark_page(page) -> None:
    """Tag the loaded document; the tag survives HTMX swaps but not a page load."""
    page.evaluate("window.__sameDocument = true")


def _assert_same_document(page) -> None:
    assert page.evaluate("window.__sameDocument === true"), "the action reloaded the page"


def _he_catalogue_has(msgid: str) -> bool:
    with translation.override("he"):
        return translation.gettext(msgid) != msgid


@pytest.mark.django_db(transaction=True)
def test_hebrew_complaint_from_form_to_resolution(new_page, sign_in, desk_agents, screenshot):
    """The customer gets a reference and a promised time at once; agent A claims, replies and
    hands over with a summary; agent B resolves; every step shows on the page without a
    reload, and the customer hears about each one, in Hebrew, at the address they gave."""
    dana, omar = desk_agents

    # given: a customer on the Hebrew form
    customer = new_page(locale="he-IL")
    customer.goto("/he/complain/")
    expect(customer.locator("html")).to_have_attribute("lang", "he")
    expect(customer.locator("html")).to_have_attribute("dir", "rtl")
    screenshot(customer, "complain-he")

    # when: they describe what happened and send it
    customer.fill("#id_full_name", CUSTOMER_NAME)
    customer.fill("#id_email", CUSTOMER_EMAIL)
    customer.fill("#id_body", COMPLAINT)
    customer.check("input[name=desired_outcome][value=refund]")
    customer.click("form button[type=submit]")

    # then: the thanks page gives a reference and when they will hear back
    customer.wait_for_url("**/he/complain/thanks/**")
    expect(customer.locator("html")).to_have_attribute("dir", "rtl")
    reference = customer.locator("#reference").inner_text().strip()
    assert REFERENCE.match(reference), reference
    expect(customer.locator("#due")).to_be_visible()
    expect(customer.locator("#due")).to_contain_text(re.compile(r"\d{1,2}:\d{2}"))
    screenshot(customer, "thanks-he")
    case = Case.objects.get(reference=reference)
    assert case.language == "he"
    assert case.messages.get().body == COMPLAINT
    assert len(mail.outbox) == 1
    ack = mail.outbox[0]
    assert ack.to == [CUSTOMER_EMAIL]
    assert reference in ack.subject
    assert reference in ack.body
    assert CUSTOMER_NAME in ack.body

    # when: agent A signs in, sees the case among the unassigned ones and finds it by reference
    desk_a = sign_in(dana, "he")
    desk_a.goto("/he/desk/?queue=unassigned")
    expect(desk_a.locator("#results")).to_contain_text(reference)
    screenshot(desk_a, "queue-he")
    desk_a.fill("#desk-search", reference.lower())
    desk_a.press("#desk-search", "Enter")

    # then: the search leads straight to the case page
    desk_a.wait_for_url(f"**/he/desk/cases/{case.public_id}/")
    case_url = desk_a.url
    expect(desk_a.locator("#case-owner strong")).to_have_count(0)
    expect(desk_a.locator("#case-status")).to_have_class(re.compile(r"\bbadge-status-new\b"))
    expect(desk_a.locator("#timeline-h + ol")).to_contain_text(COMPLAINT)

    # when: agent A claims it
    _mark_page(desk_a)
    desk_a.click("#claim")

    # then: the case body is swapped in place with A as owner
    expect(desk_a.locator("#case-owner")).to_contain_text(dana.full_name)
    expect(desk_a.locator("#case-status")).to_have_class(re.compile(r"\bbadge-status-open\b"))
    expect(desk_a.locator("#claim")).to_have_count(0)

    # when: agent A replies
    desk_a.fill("#form-reply [name=body]", REPLY)
    desk_a.click("#form-reply button[type=submit]")

    # then: the reply is in the timeline and the reply box is empty again
    expect(desk_a.locator("li.msg-outbound .user-text")).to_have_text(REPLY)
    expect(desk_a.locator("#form-reply [name=body]")).to_have_value("")
    screenshot(desk_a, "case-he")

    # when: agent A hands the case over to agent B with a summary
    desk_a.click("#tab-transfer-btn")
    transfer = desk_a.locator("#form-transfer")
    expect(transfer).to_be_visible()
    transfer.locator("[name=to_owner]").select_option(label=omar.full_name)
    transfer.locator("[name=summary]").fill(HANDOFF)
    transfer.locator("button[type=submit]").click()

    # then: B owns it and the handoff summary is in the timeline for B to read
    expect(desk_a.locator("#case-owner")).to_contain_text(omar.full_name)
    expect(desk_a.locator("li.msg-note .user-text")).to_have_text(HANDOFF)
    expect(desk_a.locator("#action-error")).to_have_count(0)
    _assert_same_document(desk_a)
    assert desk_a.url == case_url

    # when: agent B signs in in their own browser, opens the case from "my cases" and resolves it
    desk_b = sign_in(omar, "he")
    expect(desk_b.locator("#results")).to_contain_text(reference)
    desk_b.click(f"#results a:text-is('{reference}')")
    desk_b.wait_for_url(f"**/he/desk/cases/{case.public_id}/")
    expect(desk_b.locator("#case-owner")).to_contain_text(omar.full_name)
    expect(desk_b.locator("li.msg-note .user-text")).to_have_text(HANDOFF)
    desk_b.click("#tab-resolve-btn")
    resolve = desk_b.locator("#form-resolve")
    expect(resolve).to_be_visible()
    resolve.locator("[name=resolution_type]").select_option("refund")
    resolve.locator("[name=decision]").select_option("upheld")
    resolve.locator("[name=summary]").fill(RESOLUTION)
    _mark_page(desk_b)
    resolve.locator("button[type=submit]").click()

    # then: the case shows as resolved, the summary is in the timeline, the work tabs are gone
    expect(desk_b.locator("#case-status")).to_have_class(re.compile(r"\bbadge-status-resolved\b"))
    expect(desk_b.locator("li.msg-outbound .user-text").last).to_have_text(RESOLUTION)
    expect(desk_b.locator("#tab-resolve-btn")).to_have_count(0)
    expect(desk_b.locator("#close")).to_be_visible()
    _assert_same_document(desk_b)
    case.refresh_from_db()
    assert (case.status, case.owner_id, case.resolution_type, case.decision) == (
        "resolved",
        omar.pk,
        "refund",
        "upheld",
    )

    # then: the customer heard about every step, in Hebrew, at the address they gave
    sent = mail.outbox
    assert [m.to for m in sent] == [[CUSTOMER_EMAIL]] * 5
    received, assigned, reply, transferred, resolved = sent
    for message in sent:
        assert message.extra_headers["Content-Language"] == "he"
        assert HEBREW.search(message.body), message.body
        assert reference in message.subject
        if _he_catalogue_has("We have received your complaint [%(ref)s]"):
            assert HEBREW.search(message.subject), message.subject
    assert received.body == ack.body
    assert dana.full_name in assigned.body
    assert REPLY in reply.body
    assert omar.full_name in transferred.body
    assert HANDOFF not in transferred.body  # the handoff summary is internal
    assert RESOLUTION in resolved.body
