"""Checking uploaded files: size, count, and the real type read from the content."""

import hashlib
import unicodedata
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from amends.core.errors import DomainError

if TYPE_CHECKING:
    from amends.cases.models import Attachment, Message

# Allowed types, recognised by their first bytes, not by the name the sender chose.
_SIGNATURES: list[tuple[bytes, str]] = [
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"PK\x03\x04", "application/zip"),  # docx, xlsx, odt are zip containers
]
_ZIP_EXTENSIONS = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".odt": "application/vnd.oasis.opendocument.text",
}
ALLOWED_EXTENSIONS = ".pdf .png .jpg .jpeg .gif .webp .txt .docx .xlsx .odt"


@dataclass(frozen=True)
class CheckedFile:
    upload: UploadedFile
    filename: str
    content_type: str
    size: int
    sha256: str


def clean_filename(name: str) -> str:
    """Drop path parts and invisible/bidi control characters (e.g. U+202E that fakes '.pdf')."""
    base = PureWindowsPath(PurePosixPath(name or "").name).name
    base = "".join(ch for ch in base if unicodedata.category(ch) not in {"Cf", "Cc"})
    base = base.strip().strip(".") or "attachment"
    return base[:200]


def _sniff(head: bytes, filename: str) -> str | None:
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    for magic, content_type in _SIGNATURES:
        if head.startswith(magic):
            if content_type == "application/zip":
                return _ZIP_EXTENSIONS.get(PurePosixPath(filename.lower()).suffix)
            return content_type
    if filename.lower().endswith(".txt"):
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            # A cut multi-byte character at the end of the sample is still text.
            if exc.start < len(head) - 4:
                return None
        return "text/plain" if b"\x00" not in head else None
    return None


def attachments_check(files: list[UploadedFile]) -> list[CheckedFile]:
    """Validate uploads; raise DomainError (field "attachments") with a translated reason."""
    limit = settings.AMENDS_ATTACHMENT_MAX_COUNT
    if len(files) > limit:
        raise DomainError(
            ngettext(
                "You can attach at most %(count)d file.",
                "You can attach at most %(count)d files.",
                limit,
            )
            % {"count": limit},
            code="too_many_attachments",
            field="attachments",
        )
    checked = []
    max_bytes = settings.AMENDS_ATTACHMENT_MAX_BYTES
    for upload in files:
        filename = clean_filename(upload.name or "")
        if upload.size is None or upload.size > max_bytes:
            raise DomainError(
                _("The file “%(name)s” is larger than %(limit)d MB.")
                % {"name": filename, "limit": max_bytes // (1024 * 1024)},
                code="attachment_too_large",
                field="attachments",
            )
        upload.seek(0)
        head = upload.read(2048)
        content_type = _sniff(head, filename)
        if content_type is None:
            raise DomainError(
                _("The file “%(name)s” is not a type we accept. Allowed: %(types)s")
                % {"name": filename, "types": ALLOWED_EXTENSIONS},
                code="attachment_type",
                field="attachments",
            )
        digest = hashlib.sha256()
        for chunk in upload.chunks(65536):
            digest.update(chunk)
        upload.seek(0)
        checked.append(
            CheckedFile(
                upload=upload,
                filename=filename,
                content_type=content_type,
                size=upload.size,
                sha256=digest.hexdigest(),
            )
        )
    return checked


def attachment_save_all(*, message: "Message", checked: list[CheckedFile]) -> list["Attachment"]:
    from amends.cases.models import Attachment

    saved = []
    for item in checked:
        attachment = Attachment(
            message=message,
            filename=item.filename,
            content_type=item.content_type,
            size=item.size,
            sha256=item.sha256,
        )
        attachment.file.save(item.filename, item.upload, save=False)
        attachment.save()
        saved.append(attachment)
    return saved
