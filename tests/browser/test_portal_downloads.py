"""The case page's downloads and satisfaction check in a real browser: a Hebrew customer whose
case was resolved downloads it as a PDF and a ZIP, sees the question the mail asked, and
answers "not solved" on the page; screenshots and the PDFs in English and Hebrew."""

import zipfile
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from amends.cases.choices import Channel, Status
from amends.cases.services import lifecycle
from amends.cases.services.intake import case_open
from amends.core import clock
from amends.portal.services import portal_case_link
from amends.sla.models import FollowUp, FollowUpStatus
from amends.sla.sweeper import sla_sweep

pytestmark = pytest.mark.browser

JLM = ZoneInfo("Asia/Jerusalem")
COMPLAINT = "הזמנתי מקרר ב-3 במרץ. הוא הגיע עם דלת שבורה, ואף אחד לא חזר אליי."
ARABIC = "أرسلت لكم صورة الباب المكسور. متى يصل البديل؟"
REPLY = "שלום נועה, אני מצטערת מאוד על הדלת השבורה. מקרר חדש יגיע ביום שלישי."
NOTE = "הערה פנימית: המחסן מאשים את חברת ההובלה"
STILL_BROKEN = "המקרר החדש הגיע, אבל גם הוא לא מקרר."


@pytest.fixture
def resolved_and_asked(transactional_db, desk_agents):
    """A Hebrew case resolved on Thursday, its satisfaction check sent on Monday."""
    dana, _omar = desk_agents
    clock.freeze(datetime(2026, 11, 26, 10, 0, tzinfo=JLM))
    case = case_open(
        channel=Channel.WEB,
        body=COMPLAINT,
        full_name="נועה כהן",
        email="noa.cohen@example.com",
        language="he",
        desired_outcome="replacement",
    )
    lifecycle.case_assign(case=case, owner=dana, actor=dana)
    lifecycle.case_customer_message(
        case=case,
        body=ARABIC,
        channel=Channel.WEB,
        attachments=[SimpleUploadedFile("דלת.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64)],
    )
    lifecycle.case_reply(
        case=case, actor=dana, body=REPLY, promise_due=datetime(2026, 11, 26, 16, 0, tzinfo=JLM)
    )
    lifecycle.case_note(
        case=case, actor=dana, body=NOTE, attachments=[SimpleUploadedFile("פנימי.pdf", b"%PDF-1.4")]
    )
    lifecycle.case_resolve(
        case=case, actor=dana, resolution_type="replacement", decision="upheld", summary="שלחנו מקרר חדש."
    )
    clock.freeze(datetime(2026, 11, 30, 10, 1, tzinfo=JLM))
    sla_sweep()
    assert FollowUp.objects.get(case=case).status == FollowUpStatus.SENT
    yield case
    clock.freeze(None)


def _download(page, selector: str, folder, name: str) -> bytes:
    with page.expect_download() as info:
        page.click(selector)
    content = info.value.path().read_bytes()
    (folder / name).write_bytes(content)  # beside the screenshots, for people to open
    return content


@pytest.mark.django_db(transaction=True)
def test_a_customer_downloads_the_case_and_answers_the_question_on_the_page(
    new_page, resolved_and_asked, screenshot
):
    case = resolved_and_asked
    page = new_page(locale="he-IL")
    page.goto("/" + portal_case_link(case).split("/", 3)[3])
    page.wait_for_url(f"**/he/portal/cases/{case.public_id}/")

    # then: the download buttons and the question, right to left
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("#download-pdf")).to_be_visible()
    expect(page.locator("#download-zip")).to_be_visible()
    expect(page.locator("#followup-form")).to_be_visible()
    folder = screenshot(page, "portal-case-followup-he").parent

    # when: she downloads the PDF and the ZIP
    pdf = _download(page, "#download-pdf", folder, "portal-case-he.pdf")
    archive = _download(page, "#download-zip", folder, "portal-case-he.zip")

    # then: her case, with her file and never the note's
    assert pdf.startswith(b"%PDF-")
    names = zipfile.ZipFile(folder / "portal-case-he.zip").namelist()
    assert names == [f"{case.reference}/{case.reference}.pdf", f"{case.reference}/files/דלת.png"]
    assert archive.startswith(b"PK")

    # and: the same page in English
    page.goto(f"/en/portal/cases/{case.public_id}/")
    expect(page.locator("#followup")).to_contain_text("Is your problem solved?")
    screenshot(page, "portal-case-followup-en")
    _download(page, "#download-pdf", folder, "portal-case-en.pdf")
    page.goto(f"/ar/portal/cases/{case.public_id}/")
    _download(page, "#download-pdf", folder, "portal-case-ar.pdf")

    # when: back in Hebrew, she answers that it is not solved
    page.goto(f"/he/portal/cases/{case.public_id}/")
    page.check("#id_answer_1")  # "No, it is not solved"
    page.check("#id_rating_1")  # 2 of 5
    page.fill("#id_comment", STILL_BROKEN)
    page.click("#followup-form button[type=submit]")

    # then: the case is open again with Dana, the page says so and shows her answer
    page.wait_for_url(f"**/he/portal/cases/{case.public_id}/")
    expect(page.locator(".alert-success")).to_contain_text(case.reference)
    expect(page.locator("#followup-answer")).to_contain_text(STILL_BROKEN)
    expect(page.locator("#followup-form")).to_have_count(0)
    expect(page.locator("#timeline > li").last).to_contain_text(STILL_BROKEN)
    case.refresh_from_db()
    assert case.status == Status.OPEN and case.owner.username == "dana"
    screenshot(page, "portal-case-followup-answered-he")
