from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError

from amends.cases.models import Attachment, Case

pytestmark = pytest.mark.django_db


def _form(**overrides):
    data = {
        "full_name": "ليلى حسن",
        "email": "layla@example.com",
        "phone": "",
        "order_number": "B-7781",
        "body": "وصلت الغسالة مكسورة",
        "desired_outcome": "replacement",
        "desired_outcome_detail": "",
        "submission_token": "tok-1",
        "website": "",
    }
    data.update(overrides)
    return data


def test_form_renders_in_each_language_with_lang_and_dir(client):
    for lang, direction in [("en", "ltr"), ("he", "rtl"), ("ar", "rtl"), ("ru", "ltr")]:
        html = client.get(f"/{lang}/complain/").content.decode()
        assert f'<html lang="{lang}" dir="{direction}">' in html
        assert ("bootstrap.rtl.min.css" in html) == (direction == "rtl")


def test_submit_creates_case_and_shows_reference_and_due(client, mailoutbox):
    response = client.post("/ar/complain/", _form(), follow=True)
    case = Case.objects.get()
    assert response.status_code == 200
    html = response.content.decode()
    assert case.reference in html
    assert case.language == "ar" and case.channel == "web"
    assert mailoutbox[0].to == ["layla@example.com"]


def test_double_submit_makes_one_case(client):
    first = client.post("/en/complain/", _form())
    second = client.post("/en/complain/", _form())
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Case.objects.count() == 1


def test_errors_keep_what_was_typed(client):
    response = client.post("/he/complain/", _form(email="", phone="", body="טקסט שנשמר", desired_outcome=""))
    assert response.status_code == 400
    html = response.content.decode()
    assert "טקסט שנשמר" in html
    assert 'aria-invalid="true"' in html
    assert Case.objects.count() == 0


def test_html_in_complaint_is_text_not_markup(client, agent):
    client.post("/en/complain/", _form(body="<img src=x onerror=alert(1)>"))
    case = Case.objects.get()
    client.force_login(agent)
    html = client.get(f"/en/desk/cases/{case.public_id}/").content.decode()
    assert "<img src=x onerror" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_attachment_checked_stored_and_never_inline(client, agent):
    pdf = SimpleUploadedFile("../../etc/receipt\u202egpj.pdf", b"%PDF-1.4 test", content_type="image/jpeg")
    client.post("/en/complain/", {**_form(), "attachments": [pdf]})
    attachment = Attachment.objects.get()
    assert attachment.filename == "receiptgpj.pdf"
    assert attachment.content_type == "application/pdf"
    client.force_login(agent)
    response = client.get(f"/en/desk/attachments/{attachment.public_id}/")
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/octet-stream"


def test_attachment_of_wrong_type_is_refused_with_message(client):
    exe = SimpleUploadedFile("invoice.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client.post("/ru/complain/", {**_form(), "attachments": [exe]})
    assert response.status_code == 400
    assert "invoice.pdf" in response.content.decode()
    assert Case.objects.count() == 0


def test_form_is_rate_limited_per_client(client, settings):
    settings.AMENDS_FORM_RATE_LIMIT = 2
    codes = [client.post("/en/complain/", _form(submission_token=f"t{i}")).status_code for i in range(3)]
    assert codes == [302, 302, 429]
    assert Case.objects.count() == 2


def test_database_outage_shows_try_again_and_keeps_text(client):
    with mock.patch("amends.portal.views.case_open", side_effect=OperationalError("database is locked")):
        response = client.post("/he/complain/", _form(body="המילים שלי לא יאבדו"))
    assert response.status_code == 503
    assert "המילים שלי לא יאבדו" in response.content.decode()
    assert Case.objects.count() == 0


def test_thanks_page_for_unknown_id_is_404(client):
    assert client.get("/en/complain/thanks/00000000-0000-4000-8000-000000000000/").status_code == 404


def test_not_found_page_is_in_the_visitors_language(client):
    response = client.get("/he/no-such-page/")
    assert response.status_code == 404
    assert '<html lang="he" dir="rtl">' in response.content.decode()


def test_expired_csrf_explains_and_keeps_text_hint(client):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/en/complain/", _form())
    assert response.status_code == 403
    assert "expired" in response.content.decode()
