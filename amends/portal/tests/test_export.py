"""The whole case as a PDF and a ZIP (R-CR-2): the public story with names, dates, promises
and files, in the customer's language; never an internal note; another customer's case is a 404."""

import io
import zipfile
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pypdf import PdfReader

from amends.cases.models import Attachment
from amends.cases.services import lifecycle
from amends.core import clock
from amends.portal.services import portal_case_link

pytestmark = pytest.mark.django_db

JLM = ZoneInfo("Asia/Jerusalem")
RECEIPT = b"%PDF-1.4 the receipt"
PHOTO = b"\xff\xd8\xff\xe0" + b"a photo" * 50
ISOLATES = str.maketrans("", "", "\u2066\u2067\u2068\u2069")


def _open(client: Client, case) -> Client:
    client.get("/" + portal_case_link(case).split("/", 3)[3])
    return client


def _pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages).translate(ISOLATES)


def _download(client: Client, path: str) -> bytes:
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content)


@pytest.fixture
def story(make_case, agent):
    """An owned case: the customer's words with a receipt, a reply with a promise, an internal
    note with a file, a customer answer with a photo and a second receipt, the resolution."""
    clock.freeze(datetime(2026, 11, 29, 9, 0, tzinfo=JLM))  # Sunday morning, business hours
    case = make_case(attachments=[SimpleUploadedFile("receipt.pdf", RECEIPT)])
    lifecycle.case_assign(case=case, owner=agent, actor=agent)
    lifecycle.case_reply(
        case=case,
        actor=agent,
        body="We have asked the courier.",
        promise_due=datetime(2026, 11, 30, 12, 0, tzinfo=JLM),
    )
    lifecycle.case_note(
        case=case,
        actor=agent,
        body="SECRET: the courier blames our warehouse",
        attachments=[SimpleUploadedFile("internal-memo.pdf", RECEIPT)],
    )
    clock.freeze(datetime(2026, 11, 29, 11, 0, tzinfo=JLM))
    lifecycle.case_customer_message(
        case=case,
        body="Here is the photo of the empty box.",
        channel="web",
        attachments=[SimpleUploadedFile("box.jpg", PHOTO), SimpleUploadedFile("receipt.pdf", b"%PDF-1.4 2")],
    )
    lifecycle.case_resolve(
        case=case, actor=agent, resolution_type="refund", decision="upheld", summary="Refunded in full."
    )
    return case


def test_the_pdf_tells_the_whole_public_story_and_never_a_note(client, story):
    # given
    _open(client, story)
    # when
    response = client.get(f"/en/portal/cases/{story.public_id}/download.pdf")
    content = b"".join(response.streaming_content)
    # then: a download that cannot run in our origin, named after the reference
    assert response["Content-Disposition"] == f'attachment; filename="{story.reference}.pdf"'
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert content.startswith(b"%PDF-")
    text = _pdf_text(content)
    for expected in (
        f"Complaint {story.reference}",
        "Resolved",  # the status in plain words, and the resolved date
        "Handled by",
        "Dana Levi",
        "Received",
        "Nov. 29, 2026, 9 a.m.",
        "First answer",
        "Dana Levi promised you an update by Nov. 30, 2026, noon. (Kept)",
        "You wrote",
        "The parcel never arrived.",
        "Dana Levi wrote",
        "We have asked the courier.",
        "Here is the photo of the empty box.",
        "box.jpg",
        "What we did to put it right",
        "Refunded in full.",
    ):
        assert expected in text, expected
    assert text.count("receipt.pdf") == 2
    assert "SECRET" not in text and "internal-memo.pdf" not in text


def test_the_pdf_is_in_the_pages_language_with_hebrew_and_arabic_drawn(client, hebrew_case, agent):
    # given: a Hebrew case with an Arabic message and a Russian reply
    lifecycle.case_customer_message(case=hebrew_case, body="مرحباً، لم يصلني الطرد", channel="web")
    lifecycle.case_reply(case=hebrew_case, actor=agent, body="Посылка в пути.")
    _open(client, hebrew_case)
    for language, label in (("he", "הודעות"), ("ar", "الرسائل"), ("ru", "Сообщения")):
        # when
        content = _download(client, f"/{language}/portal/cases/{hebrew_case.public_id}/download.pdf")
        # then: the page's own words in that language, everyone's words as written
        reader = PdfReader(io.BytesIO(content))
        assert reader.trailer["/Root"]["/Lang"] == language
        text = _pdf_text(content)
        assert label in text, language
        words = [*"ההזמנה שלי לא הגיעה כבר שבועיים".split(), "مرحباً،", "يصلني", "الطرد"]
        assert all(word in text for word in words), language
        assert "Посылка в пути." in text
        fonts = {
            str(font["/BaseFont"]).split("+")[-1]
            for page in reader.pages
            for font in page["/Resources"]["/Font"].values()
        }
        assert {"NotoSansHebrew", "NotoSansArabic"} <= {name.split("-")[0] for name in fonts}, fonts


def test_the_zip_holds_the_pdf_and_the_public_files_but_no_note_file(client, story):
    # given
    _open(client, story)
    # when
    response = client.get(f"/en/portal/cases/{story.public_id}/download.zip")
    content = b"".join(response.streaming_content)
    # then
    assert response["Content-Disposition"] == f'attachment; filename="{story.reference}.zip"'
    archive = zipfile.ZipFile(io.BytesIO(content))
    assert archive.testzip() is None
    root = story.reference
    assert archive.namelist() == [
        f"{root}/{root}.pdf",
        f"{root}/files/receipt.pdf",
        f"{root}/files/box.jpg",
        f"{root}/files/receipt (2).pdf",
    ]
    assert archive.read(f"{root}/files/receipt.pdf") == RECEIPT
    assert archive.read(f"{root}/files/box.jpg") == PHOTO
    assert archive.read(f"{root}/files/receipt (2).pdf") == b"%PDF-1.4 2"
    assert "We have asked the courier." in _pdf_text(archive.read(f"{root}/{root}.pdf"))
    assert not any("internal-memo" in name for name in archive.namelist())


def test_a_file_removed_by_retention_is_named_in_the_pdf_and_left_out_of_the_zip(client, story):
    # given: the retention job removed the photo
    photo = Attachment.objects.get(filename="box.jpg")
    photo.file.delete(save=False)
    photo.removed_at = clock.now()
    photo.save(update_fields=["file", "removed_at"])
    _open(client, story)
    # when
    content = _download(client, f"/en/portal/cases/{story.public_id}/download.zip")
    archive = zipfile.ZipFile(io.BytesIO(content))
    # then
    assert not any(name.endswith("box.jpg") for name in archive.namelist())
    pdf_text = _pdf_text(archive.read(f"{story.reference}/{story.reference}.pdf"))
    assert "box.jpg (removed)" in pdf_text


def test_another_customers_case_cannot_be_downloaded(client, make_case):
    # given: Noa's case with a file; Mary opened her own case
    mine = make_case()
    theirs = make_case(
        email="noa@example.com", full_name="Noa Cohen", attachments=[SimpleUploadedFile("r.pdf", RECEIPT)]
    )
    anonymous = Client()
    _open(client, mine)
    for kind in ("pdf", "zip"):
        # then: the same 404 as for a case that does not exist; no session → sign in
        assert client.get(f"/en/portal/cases/{theirs.public_id}/download.{kind}").status_code == 404
        unknown = "00000000-0000-4000-8000-000000000000"
        assert client.get(f"/en/portal/cases/{unknown}/download.{kind}").status_code == 404
        response = anonymous.get(f"/en/portal/cases/{mine.public_id}/download.{kind}")
        assert response["Location"] == "/en/portal/"


def test_the_case_page_links_both_downloads(client, case):
    html = _open(client, case).get(f"/en/portal/cases/{case.public_id}/").content.decode()
    assert f'href="/en/portal/cases/{case.public_id}/download.pdf"' in html
    assert f'href="/en/portal/cases/{case.public_id}/download.zip"' in html


def test_downloads_are_rate_limited_per_client(client, case, settings):
    # given: one download allowed per window
    settings.AMENDS_FORM_RATE_LIMIT = 1
    _open(client, case)
    assert client.get(f"/en/portal/cases/{case.public_id}/download.pdf").status_code == 200
    # when
    response = client.get(f"/en/portal/cases/{case.public_id}/download.zip")
    # then: the case page with a word of explanation, not a file
    assert response.status_code == 429
    assert "downloaded a lot in a short time" in response.content.decode()
