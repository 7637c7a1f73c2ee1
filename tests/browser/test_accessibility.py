"""Accessibility and looks of the customer's pages (issue 5 point 6): the complaint form (empty
and with errors), the thanks page, the portal's sign-in pages, case list, case page, settings
and the satisfaction check, in en, he, ar and ru. axe-core (npm, `make node`) finds no serious
or critical violation on any of them; on a 375-px phone nothing scrolls sideways and the main
controls are on screen whole. Every page is saved, desktop and phone, as
test-artifacts/screenshots/a11y-<page>-<language>[-375].png for people to look at."""

import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import Page, expect

from amends.cases.choices import Channel
from amends.cases.services import lifecycle
from amends.cases.services.intake import case_open
from amends.core import clock
from amends.sla.schedule import business_calendar
from amends.sla.services.followups import followup_token

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = {"serious", "critical"}
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}
LOCALES = {"en": "en-US", "he": "he-IL", "ar": "ar", "ru": "ru-RU"}
DIRECTIONS = {"en": "ltr", "he": "rtl", "ar": "rtl", "ru": "ltr"}
SIGN_IN_TOKEN = re.compile(r"/portal/sign-in/([^/\s]+)/")

# What a customer writes and reads, in each language, so the screenshots show real text.
CONTENT = {
    "en": {
        "name": "Mary Johnson",
        "complaint": "The washing machine I ordered on 3 March arrived with a cracked drum, "
        "and nobody has called me back.",
        "reply": "Hello Mary, I am sorry about the drum. I have asked the warehouse for a "
        "replacement and will write again by Thursday.",
        "customer_message": "Thank you. Here is a photo of the drum.",
        "second_complaint": "The delivery came two days late and the driver left the box in the rain.",
    },
    "he": {
        "name": "נועה כהן",
        "complaint": "מכונת הכביסה שהזמנתי ב-3 במרץ הגיעה עם תוף סדוק, ואף אחד לא חזר אליי.",
        "reply": "שלום נועה, אני מצטערת מאוד על התוף. ביקשתי מהמחסן מכונה חלופית ואכתוב לך שוב עד יום חמישי.",
        "customer_message": "תודה. מצרפת תמונה של התוף.",
        "second_complaint": "המשלוח הגיע באיחור של יומיים והשליח השאיר את הקרטון בגשם.",
    },
    "ar": {
        "name": "ليلى حداد",
        "complaint": "وصلت الغسالة التي طلبتها في 3 مارس وفيها حوض مكسور، ولم يتصل بي أحد.",
        "reply": "مرحبًا ليلى، نأسف جدًا لذلك. طلبنا من المستودع غسالة بديلة وسنكتب لك مجددًا يوم الخميس.",
        "customer_message": "شكرًا. أرفقت صورة للحوض.",
        "second_complaint": "وصل الطلب متأخرًا يومين وترك السائق الصندوق تحت المطر.",
    },
    "ru": {
        "name": "Анна Смирнова",
        "complaint": "Стиральная машина, которую я заказала 3 марта, пришла с треснувшим барабаном, "
        "и мне никто не перезвонил.",
        "reply": "Анна, здравствуйте! Приносим извинения. Мы попросили склад заменить машину и "
        "напишем вам снова в четверг.",
        "customer_message": "Спасибо. Прикладываю фото барабана.",
        "second_complaint": "Доставка опоздала на два дня, и курьер оставил коробку под дождём.",
    },
}

# The controls a customer needs on each page; on a phone each must be on screen, not cut off.
CONTROLS = {
    "complain": [
        "#id_full_name",
        "#id_email",
        "#id_phone",
        "#id_body",
        "#id_attachments",
        "main form [type=submit]",
    ],
    "complain-errors": ["main .alert-danger", "#id_full_name", "#id_body", "main form [type=submit]"],
    "thanks": ["#reference", "main a.btn"],
    "signin": ["#id_email", "main form [type=submit]"],
    "signin-code": ["#sent", "#id_code", "main form [type=submit]"],
    "signin-link": ["#confirm-sign-in"],
    "cases": ["#case-list a", "#nav-settings", "#sign-out"],
    "case": [
        "#case-status",
        "#case-owner",
        "#timeline",
        "#id_body",
        "#message-form [type=submit]",
        "#manager summary",
    ],
    "settings": [
        "#preferences-form select",
        "#preferences-form input[type=radio]",
        "#preferences-form [type=submit]",
    ],
    "followup": ["input[name=answer]", "input[name=rating]", "#id_comment", "main form [type=submit]"],
}
EVERY_PAGE = ["header .brand", ".lang-switch a", "main h1"]


def _email(language: str) -> str:
    return f"customer.{language}@example.com"


def _folder(language: str, owner):
    """A case in `language` with an owner, a reply carrying a file and a promise, and the
    customer's answer with a photo: every part of the case page has something to show. And an
    older case of theirs, resolved, whose satisfaction check is waiting."""
    text = CONTENT[language]
    customer = {"full_name": text["name"], "email": _email(language), "language": language}
    resolved = case_open(
        channel=Channel.WEB, body=text["second_complaint"], desired_outcome="refund", **customer
    )
    lifecycle.case_assign(case=resolved, owner=owner, actor=owner)
    lifecycle.case_resolve(
        case=resolved, actor=owner, resolution_type="refund", decision="upheld", summary=text["reply"]
    )
    case = case_open(
        channel=Channel.WEB,
        body=text["complaint"],
        order_number="ORD-58213",
        desired_outcome="replacement",
        **customer,
    )
    lifecycle.case_assign(case=case, owner=owner, actor=owner)
    lifecycle.case_reply(
        case=case,
        actor=owner,
        body=text["reply"],
        attachments=[
            SimpleUploadedFile("delivery-note.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "application/pdf")
        ],
        # within business hours whatever day the suite runs: a promise outside them is refused
        promise_due=business_calendar(None).add(clock.now(), timedelta(hours=15)),
    )
    lifecycle.case_customer_message(
        case=case,
        body=text["customer_message"],
        channel=Channel.WEB,
        attachments=[SimpleUploadedFile("drum.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "image/png")],
    )
    return case, followup_token(resolved.followups.get())


def _tour(page: Page, language: str, folder, visit: Callable[[str], None]) -> None:
    """Take a customer through every page of theirs in `language`, calling `visit(name)` on each:
    the form, the form with errors, thanks, sign-in by email link, case list, case, settings,
    and the satisfaction check a resolved case's mail links to."""
    case, followup = folder
    text = CONTENT[language]
    page.goto(f"/{language}/complain/")
    expect(page.locator("html")).to_have_attribute("dir", DIRECTIONS[language])
    visit("complain")

    page.click("main form [type=submit]")  # nothing typed: the form comes back with errors
    expect(page.locator("main .alert-danger").first).to_be_visible()
    visit("complain-errors")

    page.fill("#id_full_name", text["name"])
    page.fill("#id_email", _email(language))
    page.fill("#id_body", text["second_complaint"])
    page.check("input[name=desired_outcome][value=refund]")
    page.click("main form [type=submit]")
    page.wait_for_url(f"**/{language}/complain/thanks/**")
    visit("thanks")

    page.goto(f"/{language}/portal/")
    visit("signin")
    mail.outbox.clear()
    page.fill("#id_email", _email(language))
    page.click("main form [type=submit]")
    page.wait_for_url(f"**/{language}/portal/code/")
    visit("signin-code")

    token = SIGN_IN_TOKEN.search(mail.outbox[-1].body).group(1)
    page.goto(f"/{language}/portal/sign-in/{token}/")
    visit("signin-link")
    page.click("#confirm-sign-in")
    page.wait_for_url(f"**/{language}/portal/cases/")
    expect(page.locator("#case-list > li")).to_have_count(3)
    visit("cases")

    page.goto(f"/{language}/portal/cases/{case.public_id}/")
    expect(page.locator("#timeline")).to_contain_text(text["reply"])
    page.locator("#manager summary").click()
    visit("case")

    page.goto(f"/{language}/portal/settings/")
    visit("settings")

    page.goto(f"/{language}/followup/{followup}/?answer=not_solved")
    visit("followup")


@pytest.fixture
def open_page(chromium, live_server):
    """A page in a new browser context; `axe=True` lets the test inject axe-core."""
    contexts = []

    def open_(language: str, viewport: dict, *, axe: bool = False) -> Page:
        # axe-core goes in as an inline <script> (add_script_tag), which our Content-Security-
        # Policy rightly refuses (docs/decisions/0009). bypass_csp is for these axe contexts
        # only; the phone test and every other browser test run under the real policy.
        context = chromium.new_context(
            base_url=live_server.url,
            viewport=viewport,
            locale=LOCALES[language],
            timezone_id="Asia/Jerusalem",
            bypass_csp=axe,
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_
    for context in contexts:
        context.close()


def _axe_violations(page: Page) -> list[dict]:
    """axe-core's violations on the page as it is now, every rule on."""
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    return page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => ({target: n.target.join(" "), summary: n.failureSummary})),
        }))"""
    )


def _describe(language: str, name: str, violation: dict) -> str:
    nodes = "\n".join(
        f"      {n['target']}: {n['summary'].replace(chr(10), ' ')}" for n in violation["nodes"]
    )
    return f"  /{language}/ {name}: {violation['id']} ({violation['impact']}) {violation['help']}\n{nodes}"


@pytest.mark.parametrize("language", ["en", "he", "ar", "ru"])
@pytest.mark.django_db(transaction=True)
def test_customer_pages_have_no_serious_accessibility_violations(
    language, open_page, desk_agents, screenshot
):
    """axe-core on every page a customer sees: nothing serious or critical, in each language."""
    # given: a case with a reply, a promise and files both ways, and a browser with axe-core
    assert AXE.is_file(), f"{AXE} is missing: run `make node` (npm ci) first"
    folder = _folder(language, owner=desk_agents[0])
    page = open_page(language, DESKTOP, axe=True)
    found: list[str] = []

    def check(name: str) -> None:
        for violation in _axe_violations(page):
            if violation["impact"] in BLOCKING:
                found.append(_describe(language, name, violation))
        screenshot(page, f"a11y-{name}-{language}")

    # when: the customer goes through every page
    _tour(page, language, folder, check)

    # then
    assert not found, "axe-core found serious or critical violations:\n" + "\n".join(found)


@pytest.mark.parametrize("language", ["en", "he", "ar", "ru"])
@pytest.mark.django_db(transaction=True)
def test_customer_pages_fit_a_375_px_phone(language, open_page, desk_agents, screenshot):
    """On a phone 375 px wide no page scrolls sideways, and every main control is shown whole."""
    # given
    folder = _folder(language, owner=desk_agents[0])
    page = open_page(language, PHONE)
    problems: list[str] = []

    def check(name: str) -> None:
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            problems.append(f"{name}: the page is {width} px wide and scrolls sideways")
        for selector in EVERY_PAGE + CONTROLS[name]:
            controls = page.locator(selector)
            if controls.count() == 0:
                problems.append(f"{name}: {selector} is missing")
            for control in controls.all():
                box = control.bounding_box()
                if not control.is_visible() or box is None:
                    problems.append(f"{name}: {selector} is not visible")
                elif box["x"] < 0 or box["x"] + box["width"] > PHONE["width"] + 0.5:
                    problems.append(
                        f"{name}: {selector} is cut off ({box['x']:.0f}–{box['x'] + box['width']:.0f} px)"
                    )
        screenshot(page, f"a11y-{name}-{language}-375")

    # when
    _tour(page, language, folder, check)

    # then
    assert not problems, "On a 375-px phone:\n" + "\n".join(problems)
