import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from amends.cases.services.attachments import attachments_check, clean_filename
from amends.core.errors import DomainError


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("C:\\Users\\x\\photo.png", "photo.png"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),
        ("", "attachment"),
        ("קבלה.pdf", "קבלה.pdf"),
    ],
)
def test_clean_filename(raw, clean):
    assert clean_filename(raw) == clean


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("a.png", b"\x89PNG\r\n\x1a\n....", "image/png"),
        ("a.jpg", b"\xff\xd8\xff\xe0..", "image/jpeg"),
        ("a.txt", "שלום עולם".encode(), "text/plain"),
        ("a.webp", b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"),
    ],
)
def test_types_are_recognised_by_content(name, content, content_type):
    checked = attachments_check([SimpleUploadedFile(name, content)])
    assert checked[0].content_type == content_type
    assert len(checked[0].sha256) == 64


def test_limits(settings):
    settings.AMENDS_ATTACHMENT_MAX_BYTES = 10
    with pytest.raises(DomainError) as exc:
        attachments_check([SimpleUploadedFile("a.txt", b"x" * 11)])
    assert exc.value.code == "attachment_too_large"
    settings.AMENDS_ATTACHMENT_MAX_COUNT = 1
    with pytest.raises(DomainError) as exc:
        attachments_check([SimpleUploadedFile("a.txt", b"x"), SimpleUploadedFile("b.txt", b"y")])
    assert exc.value.code == "too_many_attachments"
