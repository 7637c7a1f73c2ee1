"""Clocks, promises and escalations as agents and leads see them in a real browser, on a frozen
Sunday afternoon in the Israel office: the queue sorted by what is due next, a promise made from
the reply box and moved, and the leads' needs-attention list; screenshots in en and ar."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from playwright.sync_api import expect

from amends.cases.choices import Channel
from amends.cases.models import Case
from amends.cases.services import lifecycle
from amends.cases.services.intake import case_open
from amends.core import clock
from amends.sla.models import Commitment, CommitmentStatus, Escalation, Regime
from amends.sla.sweeper import sla_sweep

pytestmark = pytest.mark.browser

JERUSALEM = ZoneInfo("Asia/Jerusalem")
FIXTURE_PASSWORD = "pw-for-tests-1"  # what make_agent (amends/tests/fixtures.py) gives every user

# The default calendar opens Sun-Thu 08:00-17:00 and Fri 08:00-13:00; no holiday falls in these
# weeks. The Normal policy allows 8 business hours to a first response and 40 to resolution.
NOW = datetime(2026, 11, 29, 15, 30, tzinfo=JERUSALEM)  # Sunday
# 56.5 business hours ago: first response 706 % used, resolution 141 % (both red).
OVERDUE_RECEIVED = datetime(2026, 11, 22, 9, 0, tzinfo=JERUSALEM)  # the Sunday before
# 7 business hours ago: first response 87 % used (amber, due today at 16:30).
AMBER_RECEIVED = datetime(2026, 11, 29, 8, 30, tzinfo=JERUSALEM)
# 1.5 business hours ago: first response 18 % used (green, due Monday at 13:00).
GREEN_RECEIVED = datetime(2026, 11, 29, 14, 0, tzinfo=JERUSALEM)

ARABIC_NAME = "سلمى حداد"
ARABIC_COMPLAINT = "سحبتم من حسابي رسومًا لم أوافق عليها أبدًا. أطلب إعادة المبلغ وتفسيرًا مكتوبًا."
REPLY = "Hello Daniel, I am sorry for the wait. I have asked the payments team to trace the second charge."
MOVE_REASON = "The payments team needs one more afternoon to trace the second charge."
LATE_REPLY = "A short update: the payments team has found the second charge."


def _received(at: datetime, *, owner, **customer) -> Case:
    """A web complaint received at ``at`` and claimed by ``owner`` ten minutes later."""
    clock.freeze(at)
    case = case_open(channel=Channel.WEB, desired_outcome="refund", **customer)
    clock.freeze(at + timedelta(minutes=10))
    return lifecycle.case_assign(case=case, owner=owner, actor=owner)


def _desk(new_page, user, language: str):
    page = new_page(locale={"ar": "ar", "he": "he-IL"}.get(language, "en-US"))
    page.goto(f"/{language}/desk/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", FIXTURE_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"**/{language}/desk/")
    expect(page.locator("header")).to_contain_text(user.full_name)
    return page


def _levels(locator) -> list[str]:
    return locator.evaluate_all("els => els.map(e => e.dataset.level)")


@pytest.mark.django_db(transaction=True)
def test_clocks_promises_and_escalations_on_the_desk(new_page, agent, lead, screenshot):
    """On a frozen afternoon the queue sorted by due puts the overdue case first with a red
    badge, then the amber one, then the green one; a promise made from the reply box shows as
    open and can be moved with a reason; a promise in the past is refused and the reply text is
    kept; the lead's needs-attention list holds the sweeper's escalations."""
    # given: the Bank of Israel regime (admin-only setting, no service) and three claimed cases
    Regime.objects.filter(code="il-boi").update(is_active=True)
    overdue = _received(
        OVERDUE_RECEIVED,
        owner=agent,
        full_name="Daniel Brooks",
        email="daniel.brooks@example.com",
        language="en",
        body="I was charged twice for one transfer on 19 November and nobody answers my emails.",
    )
    amber = _received(
        AMBER_RECEIVED,
        owner=agent,
        full_name=ARABIC_NAME,
        email="salma.haddad@example.com",
        language="ar",
        body=ARABIC_COMPLAINT,
    )
    green = _received(
        GREEN_RECEIVED,
        owner=agent,
        full_name="יוסי מזרחי",
        email="yossi@example.com",
        language="he",
        body="הכרטיס שלי נחסם בלי שום הודעה מוקדמת.",
    )
    clock.freeze(NOW)  # the live server runs in this process: it sees the same frozen time
    sla_sweep()
    # first response 80/100/100/150 % and resolution 80/100/100 % on the overdue case, 80 % on
    # the amber one, nothing on the green one
    assert Escalation.objects.filter(case=overdue).count() == 7
    assert Escalation.objects.filter(case=amber).count() == 1
    assert not Escalation.objects.filter(case=green).exists()
    desk = _desk(new_page, agent, "en")

    # when: the agent sorts every open case by what is due next
    desk.goto("/en/desk/?queue=open&sort=due")

    # then: soonest due first, each with its colour
    rows = desk.locator("#results tbody tr")
    expect(rows.locator("a.ref")).to_have_text([overdue.reference, amber.reference, green.reference])
    assert _levels(rows.locator(".clock")) == ["breach", "warn", "ok"]

    # when: the agent opens the overdue English case
    desk.click(f"#results a:text-is('{overdue.reference}')")
    desk.wait_for_url(f"**/en/desk/cases/{overdue.public_id}/")

    # then: both SLA clocks are red, the regulator's 45 days are green, the escalations listed
    clocks = desk.locator("#clocks")
    assert _levels(clocks.locator(".clock-row:not(.clock-regulated) .clock")) == ["breach", "breach"]
    assert _levels(clocks.locator(".clock-regulated .clock")) == ["ok"]
    expect(clocks.locator(".clock-regulated")).to_contain_text("Bank of Israel")
    expect(desk.locator("#escalations .badge")).to_have_count(7)
    expect(desk.locator("#promises .promise")).to_have_count(0)

    # when: the agent replies with a promise for Monday noon
    reply = desk.locator("#form-reply")
    reply.locator("[name=body]").fill(REPLY)
    reply.locator("[name=promise_due]").fill("2026-11-30T12:00")
    reply.locator("button[type=submit]").click()

    # then: the reply is sent and the promise open; the first-response clock is missed (listed
    # after the running resolution clock), and the customer was told the promised time
    expect(desk.locator("li.msg-outbound .user-text")).to_contain_text(REPLY)
    promise = desk.locator("#promises .promise")
    expect(promise).to_have_count(1)
    expect(promise).to_contain_text("Nov. 30, 2026")
    expect(promise.locator(".badge")).to_have_class("badge promise-open")
    expect(desk.locator("#form-reply [name=body]")).to_have_value("")
    assert _levels(clocks.locator(".clock-row:not(.clock-regulated) .clock")) == ["breach", "missed"]
    commitment = Commitment.objects.get(case=overdue)
    assert commitment.due_at == datetime(2026, 11, 30, 12, 0, tzinfo=JERUSALEM)
    sent = [m.body for m in mail.outbox if m.to == ["daniel.brooks@example.com"]]
    assert any(REPLY in body and "I will update you by Nov. 30, 2026, noon." in body for body in sent)

    # when: the agent moves it to 16:00 the same day, telling the customer why
    promise.locator("summary").click()
    promise.locator("[name=due_at]").fill("2026-11-30T16:00")
    promise.locator("[name=reason]").fill(MOVE_REASON)
    promise.locator("details button[type=submit]").click()

    # then: still open, moved once, and the customer was told the reason
    expect(promise).to_contain_text("moved once")
    expect(promise).to_contain_text("4 p.m.")
    expect(promise.locator(".badge")).to_have_class("badge promise-open")
    commitment.refresh_from_db()
    assert (commitment.status, commitment.times_moved) == (CommitmentStatus.OPEN, 1)
    assert commitment.due_at == datetime(2026, 11, 30, 16, 0, tzinfo=JERUSALEM)
    assert any(MOVE_REASON in m.body for m in mail.outbox if m.to == ["daniel.brooks@example.com"])

    # when: the agent tries to promise a time that has already passed (10:00 this morning)
    reply.locator("[name=body]").fill(LATE_REPLY)
    reply.locator("[name=promise_due]").fill("2026-11-29T10:00")
    reply.locator("button[type=submit]").click()

    # then: refused next to the field, the text is still there, nothing was sent or kept
    expect(desk.locator("#id_reply_promise_due_error")).to_have_text(
        "A promise must be for a time in the future."
    )
    expect(desk.locator("#form-reply [name=body]")).to_have_value(LATE_REPLY)
    expect(desk.locator("li.msg-outbound")).to_have_count(1)
    expect(promise.locator(".badge")).to_have_class("badge promise-open")
    assert Commitment.objects.get(case=overdue).status == CommitmentStatus.OPEN
    screenshot(desk, "case-clocks-en")

    # when: the amber Arabic case, and then the queue, in Arabic
    desk.goto(f"/ar/desk/cases/{amber.public_id}/")

    # then: right to left, the first-response clock amber, the customer's words intact
    expect(desk.locator("html")).to_have_attribute("dir", "rtl")
    expect(desk.locator("html")).to_have_attribute("lang", "ar")
    assert _levels(desk.locator("#clocks .clock-row:not(.clock-regulated) .clock")) == ["warn", "ok"]
    expect(desk.locator("#timeline-h + ol .user-text").first).to_have_text(ARABIC_COMPLAINT)
    expect(desk.locator("#escalations .badge")).to_have_count(1)
    screenshot(desk, "case-clocks-ar")
    desk.goto("/ar/desk/?queue=open&sort=due")
    expect(desk.locator("html")).to_have_attribute("dir", "rtl")
    expect(rows.locator("a.ref")).to_have_text([overdue.reference, amber.reference, green.reference])
    assert _levels(rows.locator(".clock")) == ["breach", "warn", "ok"]
    screenshot(desk, "queue-clocks-ar")

    # when: the team lead opens the needs-attention list
    attention = _desk(new_page, lead, "en")
    attention.goto("/en/desk/attention/")

    # then: the sweeper's eight escalations, newest first; none for the green case
    listed = attention.locator("#attention-list tbody tr")
    expect(listed).to_have_count(8)
    expect(attention.locator("#attention-list")).to_contain_text(overdue.reference)
    expect(attention.locator("#attention-list")).to_contain_text(amber.reference)
    expect(attention.locator("#attention-list")).not_to_contain_text(green.reference)
    screenshot(attention, "attention-en")
