"""The managers' dashboard in a real browser, in English and Hebrew, with ten weeks of demo
complaints made through the services: the charts are drawn (mirrored in Hebrew), a figure
opens the cases behind it, and the monthly report prints to PDF. Screenshots:
reports-en.png, reports-he.png, reports-cases-he.png, monthly-he.png (+ monthly-he.pdf)."""

import random
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from amends.accounts.models import Role
from amends.accounts.services import team_create, user_create
from amends.cases.choices import Channel, Decision, ResolutionType
from amends.cases.models import Category, RootCause
from amends.cases.services import lifecycle
from amends.cases.services.intake import case_open
from amends.core import clock
from amends.core.errors import DomainError

pytestmark = pytest.mark.browser

PASSWORD = "browser-tests-pw-1"  # what conftest.sign_in types
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
JERUSALEM = ZoneInfo("Asia/Jerusalem")
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=JERUSALEM)  # a Thursday
SUBJECTS = {
    "he": ["החבילה לא הגיעה", "חויבתי פעמיים", "הנציג לא חזר אליי", "המוצר הגיע שבור"],
    "ar": ["لم يصل الطرد", "تم خصم المبلغ مرتين", "لم يتصل بي أحد"],
    "ru": ["Посылка не пришла", "Списали деньги дважды"],
    "en": ["Parcel never arrived", "Charged twice", "Nobody called me back", "Broken on arrival"],
}


def _demo(lead, agents, teams) -> None:
    """About sixty complaints over ten weeks: more about delivery than anything else, some from
    vulnerable customers, most answered, resolved and closed with a root cause."""
    rng = random.Random(7)
    if not Category.objects.exists():  # a transactional test before this one flushed the seeds
        for code in ("delivery", "billing", "staff", "quality"):
            Category.objects.create(code=code, name_en=code.title(), name_he=f"נושא {code}")
            RootCause.objects.create(code=code, name_en=f"Cause {code}", name_he=f"סיבה {code}")
    categories = list(Category.objects.all())
    weights = [30, 18, 12, 9, 7, 5, 4, 3][: len(categories)]
    causes = list(RootCause.objects.all())
    for n in range(60):
        received = NOW - timedelta(days=rng.randint(1, 70), hours=rng.randint(0, 5))
        received = received.replace(hour=rng.randint(8, 14))
        clock.freeze(received)
        language = rng.choice(["he", "he", "he", "ar", "ru", "en", "en"])
        case = case_open(
            channel=rng.choice([Channel.WEB, Channel.WEB, Channel.EMAIL, Channel.PHONE, Channel.LETTER]),
            body="…",
            subject=rng.choice(SUBJECTS[language]),
            full_name=f"Customer {n}",
            email=f"customer{n}@example.com",
            language=language,
            vulnerable=rng.random() < 0.15,
            category=rng.choices(categories, weights=weights)[0],
        )
        agent = agents[n % len(agents)]
        try:
            clock.freeze(received + timedelta(minutes=rng.randint(10, 300)))
            lifecycle.case_transfer(
                case=case,
                to_owner=agent,
                actor=lead,
                summary="Please take this one, details inside.",
                to_team=teams[n % len(teams)],
            )
            lifecycle.case_reply(case=case, actor=agent, body="We are looking into it.")
            if rng.random() < 0.8:
                clock.freeze(received + timedelta(hours=rng.randint(6, 90)))
                lifecycle.case_resolve(
                    case=case,
                    actor=agent,
                    resolution_type=ResolutionType.REFUND,
                    decision=rng.choice(list(Decision.values)),
                    summary="Refunded.",
                    redress_amount=Decimal(rng.choice([0, 50, 120, 300])) or None,
                    redress_currency="ILS",
                )
                if rng.random() < 0.1:
                    lifecycle.case_reopen(case=case, actor=agent, reason="The customer called again.")
                elif rng.random() < 0.7:
                    clock.freeze(received + timedelta(days=5))
                    try:
                        lifecycle.case_close(case=case, actor=agent, root_cause=rng.choice(causes))
                    except TypeError:  # case_close without root causes (before issue 7's learning app)
                        lifecycle.case_close(case=case, actor=agent)
        except DomainError:
            pass
    clock.freeze(NOW)


@pytest.fixture
def reporting(transactional_db):
    teams = [team_create(name="שירות לקוחות", slug="care"), team_create(name="חיובים", slug="billing")]
    lead = user_create(
        username="irina",
        email="irina@amends.test",
        full_name="אירינה פטרובה",
        password=PASSWORD,
        role=Role.LEAD,
        teams=teams,
    )
    agents = [
        user_create(
            username=u, email=f"{u}@amends.test", full_name=name, password=PASSWORD, teams=[teams[i % 2]]
        )
        for i, (u, name) in enumerate([("dana", "דנה לוי"), ("omar", "עומר חדאד"), ("sveta", "סבטה כהן")])
    ]
    _demo(lead, agents, teams)
    yield lead
    clock.freeze(None)


def _wait_for_charts(page) -> None:
    for name in ("pareto", "weeks", "root_causes", "channels", "languages"):
        expect(page.locator(f'canvas[data-chart="chart-{name}"]')).to_have_attribute("data-drawn", "1")


def test_dashboard_in_english_and_hebrew(reporting, sign_in, screenshot):
    # English
    page = sign_in(reporting, "en")
    page.click("#nav-reports")
    expect(page.locator("h1")).to_have_text("Complaints report")
    _wait_for_charts(page)
    received = page.locator('tr[data-figure="opened"] td').first
    expect(received).to_have_text("60")
    screenshot(page, "reports-en")

    # Hebrew: right to left, charts mirrored
    page = sign_in(reporting, "he")
    page.goto("/he/desk/reports/?period=12w")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    _wait_for_charts(page)
    spec = page.evaluate("JSON.parse(document.getElementById('chart-pareto').textContent)")
    assert spec["rtl"] is True
    reversed_axis = page.evaluate(
        "Chart.getChart(document.querySelector('canvas[data-chart=\"chart-pareto\"]')).options.scales.x.reverse"
    )
    assert reversed_axis is True
    screenshot(page, "reports-he")

    # a figure opens the cases behind it
    page.locator('tr[data-figure="opened"] td a').first.click()
    expect(page.locator("#report-cases tbody tr")).to_have_count(50)  # the first page of 60
    screenshot(page, "reports-cases-he")


def test_monthly_report_prints_to_pdf(reporting, sign_in, screenshot):
    page = sign_in(reporting, "he")
    page.goto("/he/desk/reports/monthly/?month=2026-10")
    _wait_for_charts(page)
    expect(page.locator("header.navbar")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator("header.navbar")).to_be_hidden()
    screenshot(page, "monthly-he")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    pdf = page.pdf(path=str(SCREENSHOTS / "monthly-he.pdf"), format="A4", print_background=True)
    assert pdf[:4] == b"%PDF" and len(pdf) > 20_000
