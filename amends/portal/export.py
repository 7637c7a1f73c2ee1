"""The whole case as files the customer keeps (R-CR-2): a PDF of its story, and a ZIP of that
PDF with every file of the case.

The PDF says what the case page says, in the page's language: reference, status, who handles
it, the dates, the promises and whether they were kept, and the public messages both ways
with names, dates and the names of their files. Internal notes never reach it: it is drawn
from the same `CaseFolder` as the page (`portal_case_folder`), whose messages exclude them.

Text: fpdf2 with uharfbuzz shaping (Arabic letters joined) and its Unicode bidi algorithm
(Hebrew and Arabic lines in order), in Noto Sans with Noto Sans Hebrew and Noto Sans Arabic as
fallbacks, shipped in `portal/fonts/` (SIL OFL 1.1). ADR 0010 says why.

Memory: the PDF holds the case's text only (a message is at most 20,000 characters); the files
never enter it. The ZIP is written into a temporary file on disk, each attachment copied from
storage in chunks, and the response streams that file; the operating system removes it when the
response closes it.
"""

import html
import logging
import re
import shutil
import tempfile
import unicodedata
import zipfile
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import IO

from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.translation import get_language, get_language_bidi, pgettext
from django.utils.translation import gettext as _
from fpdf import FPDF

from amends.cases.choices import MessageKind, MessagePurpose
from amends.cases.models import Attachment, Case
from amends.core.templatetags.amends import before_full_stop
from amends.portal.selectors import CaseFolder

# fontTools logs every table of every font it subsets at INFO: noise for the operator.
logging.getLogger("fontTools").setLevel(logging.WARNING)

FONT_DIR = Path(__file__).resolve().parent / "fonts"
# (family, file stem): the first draws Latin and Cyrillic; the others fill in what it lacks.
FONTS = (("noto", "NotoSans"), ("noto-hebrew", "NotoSansHebrew"), ("noto-arabic", "NotoSansArabic"))
COPY_CHUNK = 1024 * 1024  # bytes read from storage at a time into the ZIP
# Files that are compressed already: stored as they are, not deflated again for nothing.
STORED_TYPES = re.compile(r"^(image/(jpeg|png|gif|webp|heic)|video/|audio/|application/(pdf|zip|gzip))")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BDI = re.compile(r"</?bdi>")
# Hebrew, Arabic (with Syriac, Thaana and the presentation forms): what needs bidi and shaping.
_RIGHT_TO_LEFT = re.compile(r"[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")
_NO_ISOLATES = str.maketrans("", "", "\u2066\u2067\u2068\u2069")

GREY = (90, 90, 90)
RULE = (210, 210, 210)
LINE_MM = 5.5


def _plain(markup: str) -> str:
    """Text of one of our own snippets (a translated sentence, a small partial): <bdi> tags
    dropped (the values are isolated by `_isolate` instead), entities decoded, spaces collapsed."""
    return " ".join(html.unescape(_BDI.sub("", markup)).split())


def _isolate(value: str) -> str:
    """The page's <bdi> in plain text: Unicode's first-strong isolate, which fpdf2's bidi
    algorithm honours, so "Dana Levi 2" stays one piece inside a Hebrew sentence. A value that
    mixes both directions is left as it is: fpdf2 (2.8) misorders the inner run of such an
    isolate."""
    directions = {unicodedata.bidirectional(char) for char in value}
    if "L" in directions and directions & {"R", "AL"}:
        return value
    return f"\u2068{value}\u2069"


def _when(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _user_text(text: str) -> str:
    """Someone's words as they wrote them, less what a PDF cannot draw (control characters)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    return _CONTROL.sub("", text).strip()


def _is_rtl(text: str, *, default: bool) -> bool:
    """Direction of a text from its first strong letter, as dir="auto" does on the page."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind == "L":
            return False
        if kind in ("R", "AL"):
            return True
    return default


def case_export_name(case: Case, extension: str) -> str:
    return f"{case.reference}.{extension}"


class _CasePdf(FPDF):
    def __init__(self, *, reference: str, rtl: bool):
        super().__init__(format="A4", unit="mm")
        self.reference = reference
        self.rtl = rtl
        self.set_margins(18, 16, 18)
        self.set_auto_page_break(True, margin=18)
        for family, stem in FONTS:
            self.add_font(family, "", FONT_DIR / f"{stem}-Regular.ttf")
            self.add_font(family, "B", FONT_DIR / f"{stem}-Bold.ttf")
        self.set_fallback_fonts([family for family, _stem in FONTS[1:]])

    def shaped(self, text: str, *, rtl: bool | None) -> str:
        """Set shaping for `text` and return what to draw. Shaping (bidi order, joined Arabic)
        is on only for text with Hebrew or Arabic in it: fpdf2 shapes each line again for every
        character it adds while breaking lines, which makes Latin text three times slower for
        nothing. `rtl` None: the direction of the text's first strong letter."""
        if not _RIGHT_TO_LEFT.search(text):
            self.set_text_shaping(False)
            return text.translate(_NO_ISOLATES)
        direction = None if rtl is None else ("rtl" if rtl else "ltr")
        self.set_text_shaping(True, direction=direction)
        return text

    # The page's own sentences follow the page's direction; people's words follow their own.
    def write_line(self, text: str, *, size: float = 10.5, bold: bool = False, colour=None, own=False):
        rtl = _is_rtl(text, default=self.rtl) if own else self.rtl
        text = self.shaped(text, rtl=None if own else rtl)
        self.set_font("noto", "B" if bold else "", size)
        self.set_text_color(*(colour or (0, 0, 0)))
        self.multi_cell(0, size * 0.5 + 0.3, text, align="R" if rtl else "L", new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0, 0, 0)

    def heading(self, text: str) -> None:
        if self.get_y() + 30 > self.page_break_trigger:  # not alone at the foot of a page
            self.add_page()
        self.ln(4)
        self.write_line(text, size=13, bold=True)
        self.rule()

    def pair(self, label: str, value: str) -> None:
        """One line of "where it stands": the label on the reading side, its value beside it."""
        label_width = 48
        value_width = self.epw - label_width
        label_x, value_x = self.l_margin, self.l_margin + label_width
        if self.rtl:
            label_x, value_x = self.l_margin + value_width, self.l_margin
        align = "R" if self.rtl else "L"
        self.set_font("noto", "", 10.5)
        value = self.shaped(value, rtl=self.rtl)
        lines = len(self.multi_cell(value_width, LINE_MM, value, dry_run=True, output="LINES"))
        if self.get_y() + lines * LINE_MM > self.page_break_trigger:
            self.add_page()
        top = self.get_y()
        self.set_xy(value_x, top)
        self.multi_cell(value_width, LINE_MM, value, align=align)
        value_bottom = self.get_y()
        self.set_font("noto", "B", 10.5)
        label = self.shaped(label, rtl=self.rtl)
        self.set_xy(label_x, top)
        self.multi_cell(label_width, LINE_MM, label, align=align)
        self.set_xy(self.l_margin, max(value_bottom, self.get_y()))

    def rule(self) -> None:
        self.set_draw_color(*RULE)
        self.line(self.l_margin, self.get_y() + 1, self.w - self.r_margin, self.get_y() + 1)
        self.ln(3)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_text_shaping(False)
        self.set_font("noto", "", 8)
        self.set_text_color(*GREY)
        self.cell(0, 5, f"{self.reference} · {self.page_no()}", align="C")
        self.set_text_color(0, 0, 0)


def _status_text(case: Case) -> str:
    return _plain(render_to_string("portal/_status.html", {"case": case}))


def _author_line(message) -> str:
    if message.kind == MessageKind.INBOUND:
        who = _("You wrote")
    elif message.author_name:
        who = _plain(_("<bdi>%(name)s</bdi> wrote")) % {"name": _isolate(message.author_name)}
    else:
        who = _("Our team wrote")
    parts = [who, _when(message.created_at)]
    if message.purpose == MessagePurpose.QUESTION:
        parts.append(_("A question for you"))
    elif message.purpose == MessagePurpose.RESOLUTION:
        parts.append(_("What we did to put it right"))
    return " · ".join(parts)


def _file_line(attachment: Attachment) -> str:
    name = _user_text(attachment.filename)
    if attachment.removed_at:
        return "• " + _("%(name)s (removed)") % {"name": name}
    return f"• {name} ({filesizeformat(attachment.size)})"


def case_pdf_write(folder: CaseFolder, target: IO[bytes], *, now: datetime) -> None:
    """Write the case's PDF, in the active language, into `target` (a binary file)."""
    case = folder.case
    pdf = _CasePdf(reference=case.reference, rtl=get_language_bidi())
    pdf.set_lang(get_language())
    title = _("Complaint %(ref)s") % {"ref": case.reference}
    pdf.set_title(title)
    pdf.set_creator("Amends")
    pdf.set_creation_date(now)
    pdf.add_page()

    pdf.write_line(title, size=18, bold=True)
    pdf.write_line(_("Downloaded on %(date)s") % {"date": _when(now)}, size=9, colour=GREY)

    pdf.heading(_("Where it stands"))
    pdf.pair(_("Status"), _status_text(case))
    pdf.pair(_("Handled by"), _plain(render_to_string("portal/_handler.html", {"case": case})))
    pdf.pair(_("Received"), _when(case.created_at))
    if case.first_responded_at:
        pdf.pair(_("First answer"), _when(case.first_responded_at))
    elif case.first_response_due and case.status != "closed":
        pdf.pair(_("We will answer by"), _when(case.first_response_due))
    if case.resolved_at:
        pdf.pair(pgettext("customer's view of a case", "Resolved"), _when(case.resolved_at))
    if case.closed_at:
        pdf.pair(pgettext("customer's view of a case", "Closed"), _when(case.closed_at))

    if folder.promises:
        pdf.heading(_("What we promised you"))
        sentence = _plain(_("<bdi>%(name)s</bdi> promised you an update by <bdi>%(due)s</bdi>."))
        for promise in folder.promises:
            due = before_full_stop(_when(promise.due_at))  # the sentence brings its own full stop
            name, due = _isolate(promise.owner.full_name), _isolate(due)
            said = sentence % {"name": name, "due": due}
            kept = _plain(render_to_string("portal/_promise_status.html", {"promise": promise}))
            pdf.write_line(f"{said} ({kept})")
            pdf.ln(1)

    pdf.heading(_("Messages"))
    for number, message in enumerate(folder.messages, start=1):
        if pdf.get_y() + 20 > pdf.page_break_trigger:  # a header never ends a page
            pdf.add_page()
        pdf.write_line(f"{number}. {_author_line(message)}", size=9.5, bold=True, colour=GREY)
        pdf.ln(0.5)
        for paragraph in _user_text(message.body).split("\n"):
            pdf.write_line(paragraph or " ", own=True)
        attachments = list(message.attachments.all())
        if attachments:
            pdf.ln(1)
            for attachment in attachments:
                pdf.write_line(_file_line(attachment), size=9, colour=GREY)
        pdf.ln(2)
        pdf.rule()
    pdf.output(target)


def _zip_names(folder: CaseFolder) -> list[tuple[str, Attachment, datetime]]:
    """Each file that is still stored, under a name safe to unpack: no folders, no control
    characters, and a number added where two files share a name."""
    taken: set[str] = set()
    out = []
    for message in folder.messages:
        for attachment in message.attachments.all():
            if attachment.removed_at or not attachment.file:
                continue
            name = _user_text(attachment.filename).replace("/", "_").replace("\\", "_").lstrip(". ")
            name = name[:150] or "file"
            stem, dot, extension = name.rpartition(".")
            if not dot:
                stem, extension = name, ""
            candidate, n = name, 1
            while candidate.casefold() in taken:
                n += 1
                candidate = f"{stem} ({n}){dot}{extension}"
            taken.add(candidate.casefold())
            out.append((candidate, attachment, message.created_at))
    return out


def _zip_time(moment: datetime) -> tuple[int, int, int, int, int, int]:
    local = timezone.localtime(moment)
    return (max(local.year, 1980), local.month, local.day, local.hour, local.minute, local.second)


def case_zip_write(folder: CaseFolder, target: IO[bytes], *, now: datetime) -> None:
    """Write a ZIP into `target`: one folder named after the reference, holding the case's PDF
    and, under files/, every file of its public messages (never an internal note's)."""
    root = PurePosixPath(folder.case.reference)
    with zipfile.ZipFile(target, "w", allowZip64=True) as archive:
        with tempfile.TemporaryFile() as pdf_file:
            case_pdf_write(folder, pdf_file, now=now)
            pdf_file.seek(0)
            entry = zipfile.ZipInfo(str(root / case_export_name(folder.case, "pdf")), _zip_time(now))
            entry.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(entry, "w") as out:
                shutil.copyfileobj(pdf_file, out, COPY_CHUNK)
        for name, attachment, sent_at in _zip_names(folder):
            entry = zipfile.ZipInfo(str(root / "files" / name), _zip_time(sent_at))
            stored = STORED_TYPES.match(attachment.content_type or "")
            entry.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            with attachment.file.open("rb") as source, archive.open(entry, "w") as out:
                shutil.copyfileobj(source, out, COPY_CHUNK)


def case_export_file(folder: CaseFolder, kind: str, *, now: datetime) -> IO[bytes]:
    """The case's PDF or ZIP in an unnamed temporary file, rewound, for a streamed response."""
    target = tempfile.TemporaryFile()
    try:
        (case_pdf_write if kind == "pdf" else case_zip_write)(folder, target, now=now)
    except BaseException:
        target.close()
        raise
    target.seek(0)
    return target
