"""Customer value in a real browser: a lead uploads a CSV in windows-1255 with a bad line,
watches the import's progress bar finish, reads the per-line report (English, then Hebrew);
the case page shows the customer's lifetime value, which the lead then changes. Screenshots:
value-import-en.png, value-import-he.png, value-imports-he.png, case-value-he.png."""

from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from amends.accounts.models import Role
from amends.accounts.services import user_create
from amends.cases.choices import Channel
from amends.cases.services.intake import case_open
from amends.customers.models import CustomerValueImport
from amends.customers.value.imports import value_import_run

pytestmark = pytest.mark.browser

PASSWORD = "browser-tests-pw-1"  # what conftest.sign_in types

CSV_HE = (
    "email;שם;purchases_per_year;expected_years;margin_per_purchase\r\n"
    "noa@example.com;נועה כהן;6;8;420\r\n"
    "yossi@example.com;יוסי מזרחי;שש;8;420\r\n"
    "nobody@example.com;אין כזה;1;1;1\r\n"
    "layla@example.com;ליילה;2;5;1250,50\r\n"
)
CSV_RU = (
    "email,имя,purchases_per_year,expected_years,margin_per_purchase\r\n"
    "anna@example.com,Анна Смирнова,1.5,4,180\r\n"
    "anna@example.com,Анна Смирнова,-2,4,180\r\n"
)


def _customers() -> list:
    people = [
        ("noa@example.com", "נועה כהן", "he"),
        ("yossi@example.com", "יוסי מזרחי", "he"),
        ("layla@example.com", "ليلى حسن", "ar"),
        ("anna@example.com", "Анна Смирнова", "ru"),
    ]
    return [
        case_open(channel=Channel.WEB, body="…", subject="—", full_name=name, email=email, language=lang)
        for email, name, lang in people
    ]


def _upload(page, language: str, name: str, data: bytes) -> CustomerValueImport:
    page.goto(f"/{language}/desk/")
    page.click("#nav-customer-value")
    page.set_input_files("#id_file", files=[{"name": name, "mimeType": "text/csv", "buffer": data}])
    page.click("#value-import-submit")
    expect(page.locator("#value-import-bar")).to_be_visible()  # queued: the bar waits at 0
    return CustomerValueImport.objects.order_by("-id").first()


@pytest.mark.django_db(transaction=True)
def test_a_lead_imports_customer_value_and_reads_the_report(sign_in, team, screenshot, monkeypatch):
    # given a lead, four customers, and a worker that is not running yet
    lead = user_create(
        username="irina",
        email="irina@amends.test",
        full_name="אירינה פטרובה",
        password=PASSWORD,
        role=Role.LEAD,
        languages=["he", "en"],
        teams=[team],
    )
    cases = _customers()
    monkeypatch.setattr(
        "amends.customers.tasks.value_import_task", SimpleNamespace(enqueue=lambda **kw: None)
    )

    # when the lead uploads a Hebrew spreadsheet saved as windows-1255, with two bad lines
    page = sign_in(lead, "en")
    value_import = _upload(page, "en", "לקוחות.csv", CSV_HE.encode("cp1255"))
    # and the worker runs it while the page watches
    assert value_import_run(import_id=value_import.pk) == "done"

    # then the bar gives way to the report: what was applied and each bad line with its reason
    summary = page.locator("#value-import-summary")
    expect(summary).to_contain_text("2 lines applied.")
    expect(summary).to_contain_text("2 lines not applied: see below.")
    expect(summary).to_contain_text("cp1255")
    rows = page.locator("#value-import-problems tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("3")
    expect(rows.nth(0)).to_contain_text("purchases_per_year: “שש” is not a number.")
    expect(rows.nth(1)).to_contain_text("No customer has this email address.")
    screenshot(page, "value-import-en")

    # when, in Hebrew, another file (Russian names, windows-1251) with a negative number
    page = sign_in(lead, "he")
    value_import = _upload(page, "he", "клиенты.csv", CSV_RU.encode("cp1251"))
    assert page.locator("html").get_attribute("dir") == "rtl"
    value_import_run(import_id=value_import.pk)
    expect(page.locator("#value-import-problems tbody tr")).to_have_count(1)
    expect(page.locator("#value-import-summary")).to_contain_text("cp1251")
    screenshot(page, "value-import-he")
    page.goto("/he/desk/customer-value/imports/")
    expect(page.locator("#value-import-list tbody tr")).to_have_count(2)
    screenshot(page, "value-imports-he")

    # and the case page shows the value, in the reader's number format
    page.goto(f"/he/desk/cases/{cases[0].public_id}/")
    panel = page.locator("#customer-value")
    expect(panel.locator("#lifetime-value")).to_contain_text("20,160")  # grouped in Hebrew too
    expect(panel.locator("#value-margin")).to_contain_text("420")
    expect(panel.locator("#value-edit")).to_be_visible()
    panel.scroll_into_view_if_needed()
    screenshot(page, "case-value-he")

    # and the lead changes a figure from the case, and is back on it with the new value
    panel.locator("#value-edit").click()
    page.fill("#id_margin_per_purchase", "450.5")
    page.click("#value-form button[type=submit]")
    page.wait_for_url(f"**/he/desk/cases/{cases[0].public_id}/")
    expect(page.locator("#lifetime-value")).to_contain_text("21,624")  # 6 × 8 × 450.5
