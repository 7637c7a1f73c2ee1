"""The mail parser: every corpus mail against its expected result, then the rules one by one
(charsets, visual Hebrew, reply folding, file names, automatic mail, bounds on hostile mail).

Plain pytest, no database: amends.mail.parsing is ORM-free. The corpus is
amends/mail/tests/corpus/ (NAME.eml + NAME.json; make_corpus.py there writes both).
"""

import base64
import json
import os
import pathlib
import time
import tracemalloc

import pytest

from amends.mail.parsing import ParsedMail, clean_filename, parse

CORPUS = pathlib.Path(__file__).parent / "corpus"
MAILS = sorted(CORPUS.glob("*.eml"))


def _expected(path: pathlib.Path) -> dict:
    return json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))


def _problems(mail: ParsedMail, expected: dict) -> list[str]:
    """Every way ``mail`` differs from the corpus expectation (all of them, not the first)."""
    problems = []
    for key, want in expected.items():
        if key == "category":
            continue
        if key == "attachments":
            got = [attachment.filename for attachment in mail.attachments]
            if got != want:
                problems.append(f"attachments {got!r}, expected {want!r}")
        elif key == "attachment_contains":
            for name, pieces in want.items():
                data = b"".join(a.data for a in mail.attachments if a.filename == name)
                problems += [f"{name} lacks {piece!r}" for piece in pieces if piece.encode() not in data]
        elif key in ("automatic", "warnings"):
            if bool(getattr(mail, key)) != want:
                problems.append(f"{key} is {getattr(mail, key)!r}, expected {'some' if want else 'none'}")
        elif key == "warnings_contain":
            problems += [
                f"no warning with {w!r} in {mail.warnings}"
                for w in want
                if not any(w in x for x in mail.warnings)
            ]
        elif key in ("text_contains", "full_text_contains", "html_contains"):
            field = getattr(mail, key.removesuffix("_contains"))
            problems += [f"{key}: {piece!r} missing from {field!r}" for piece in want if piece not in field]
        elif key in ("text_excludes", "html_excludes"):
            field = getattr(mail, key.removesuffix("_excludes"))
            problems += [f"{key}: {piece!r} present in {field!r}" for piece in want if piece in field]
        elif getattr(mail, key) != want:
            problems.append(f"{key} is {getattr(mail, key)!r}, expected {want!r}")
    return problems


def test_corpus_has_at_least_sixty_mails_each_with_an_expected_result():
    # then
    assert len(MAILS) >= 60
    assert all(path.with_suffix(".json").exists() for path in MAILS)
    assert {path.stem for path in CORPUS.glob("*.json")} == {path.stem for path in MAILS}


@pytest.mark.parametrize("path", MAILS, ids=[f"{_expected(p)['category']}/{p.stem}" for p in MAILS])
def test_corpus_mail_parses_as_expected(path):
    """Subject, sender, folded text, language, automatic/bounce, attachments and warnings of
    each corpus mail match its .json."""
    # given
    expected = _expected(path)

    # when
    mail = parse(path.read_bytes())

    # then
    assert _problems(mail, expected) == []


@pytest.mark.parametrize("path", MAILS, ids=[p.stem for p in MAILS])
def test_parsed_strings_are_safe_to_store_and_show(path):
    """No NUL (PostgreSQL refuses it), no lone surrogates (not encodable), no line breaks in
    one-line fields (a decoded CR LF must not reach an outgoing header), no bidi overrides in
    names."""
    # when
    mail = parse(path.read_bytes())

    # then
    one_line = [mail.subject, mail.from_name, mail.from_address, mail.message_id, mail.date, mail.reply_to]
    one_line += mail.to + mail.cc + mail.references + mail.in_reply_to + mail.bounced_recipients
    one_line += [attachment.filename for attachment in mail.attachments]
    for value in one_line:
        assert "\n" not in value and "\r" not in value and "\x00" not in value
        assert not any(ch in value for ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
    for value in [*one_line, mail.text, mail.full_text, mail.html, *mail.warnings]:
        value.encode("utf-8")
        assert "\x00" not in value
    assert all(attachment.filename for attachment in mail.attachments)


# --- charsets ---------------------------------------------------------------------------------


def _plain(body: bytes, charset: str | None = None, subject: str = "x") -> bytes:
    content_type = f"text/plain; charset={charset}" if charset else "text/plain"
    return (
        f"From: a@example.com\r\nSubject: {subject}\r\nContent-Type: {content_type}\r\n"
        "Content-Transfer-Encoding: 8bit\r\n\r\n"
    ).encode() + body


SAMPLES = {
    "cp1255": "המשלוח לא הגיע ואף אחד לא עונה לטלפון",
    "cp1256": "لم يصل الطلب ولا أحد يرد على الهاتف",
    "iso-8859-6": "لم يصل الطلب ولا أحد يرد على الهاتف",
    "cp1251": "Посылка не пришла, и никто не отвечает на звонки",
    "koi8-r": "Посылка не пришла, и никто не отвечает на звонки",
    "cp866": "Посылка не пришла, и никто не отвечает на звонки",
}


@pytest.mark.parametrize("charset", SAMPLES)
def test_unlabelled_legacy_text_is_read_by_script_plausibility(charset):
    # given
    text = SAMPLES[charset]

    # when
    mail = parse(_plain(text.encode(charset)))

    # then
    assert mail.text == text
    assert any("no charset given" in warning for warning in mail.warnings)


@pytest.mark.parametrize("charset", ["cp1255", "cp1256", "cp1251", "koi8-r"])
def test_raw_eight_bit_subject_is_read_by_script_plausibility(charset):
    # given
    subject = {"cp1255": "חיוב כפול", "cp1256": "فاتورة خاطئة", "cp1251": "Двойной счёт", "koi8-r": "Жалоба"}[
        charset
    ]
    raw = b"From: a@example.com\r\nSubject: " + subject.encode(charset) + b"\r\n\r\nx"

    # when
    mail = parse(raw)

    # then
    assert mail.subject == subject


@pytest.mark.parametrize(
    "label", ["rot13", "punycode", "unicode_escape", "base64", "zlib", "idna", "undefined"]
)
def test_charset_labels_naming_non_text_codecs_are_refused(label):
    # given
    raw = _plain("Ответ на жалобу".encode("cp1251"), label)

    # when
    mail = parse(raw)

    # then
    assert mail.text == "Ответ на жалобу"
    assert any(f"unknown charset {label!r}" in warning for warning in mail.warnings)


def test_visual_hebrew_typed_in_display_order_comes_out_logical():
    """Lines as an old iso-8859-8 mailer stored them: right-to-left lines reversed, numbers,
    Latin runs and addresses left to right, brackets as displayed."""
    # given
    visual = (
        ".(הלבק תפרוצמ) 7731-22 :חולשמ תדועת רפסמ\n"
        "www.shop.example.co.il :רתאב\n"
        "Order 5512 - עיגה אל ןיידע\n"
        "Please call Dana (הנד) today at 10:30"
    )
    raw = _plain(visual.encode("iso-8859-8"), "iso-8859-8")

    # when
    mail = parse(raw)

    # then
    assert mail.text.split("\n") == [
        "מספר תעודת משלוח: 7731-22 (מצורפת קבלה).",
        "באתר: www.shop.example.co.il",
        "עדיין לא הגיע - Order 5512",  # a line with more Hebrew words than Latin ones reads right to left
        "Please call Dana (דנה) today at 10:30",  # mostly Latin: only the Hebrew run is reversed
    ]


def test_utf8_with_a_broken_tail_keeps_its_text():
    # given
    body = "ההזמנה לא הגיעה".encode()[:-1]

    # when
    mail = parse(_plain(body, "utf-8"))

    # then
    assert mail.text.startswith("ההזמנה לא הגיע")
    assert any("damaged UTF-8" in warning for warning in mail.warnings)


# --- folding ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "text"),
    [
        ("Thanks.\n\nSent from my iPhone", "Thanks."),
        ("Thanks.\n\nGet Outlook for Android", "Thanks."),
        ("תודה.\n\nנשלח ממכשיר Samsung Galaxy שלי", "תודה."),
        ("شكرا.\n\nتم الإرسال من iPhone الخاص بي", "شكرا."),
        ("Спасибо.\n\nОтправлено из мобильной Почты Mail.ru", "Спасибо."),
        ("Thanks.\n-- \nDana\nAmends fan", "Thanks."),
        # A sign-off in the middle of the text is content.
        ("Sent from my iPhone is what I wrote.\nThen more.\nAnd more.\nAnd more.", None),
        # Not an attribution (no time, no address), but trailing quoted lines still go.
        ("On Monday your agent wrote:\n> we refund", "On Monday your agent wrote:"),
        ("Your manager wrote:\nnothing", None),
    ],
)
def test_signatures_and_phone_sign_offs_are_folded(body, text):
    # when
    mail = parse(_plain(body.encode(), "utf-8"))

    # then
    assert mail.text == (body if text is None else text)
    assert mail.full_text == body


def test_quoted_history_is_cut_at_the_first_marker_and_bottom_posts_keep_the_answer():
    # given
    bottom = "Иван Петров пишет 03.03.2025 10:15 пишет:\n> вопрос?\n\nответ\n"

    # when
    mail = parse(_plain(bottom.encode(), "utf-8"))

    # then
    assert mail.text == "ответ"


# --- HTML ---------------------------------------------------------------------------------------


def test_html_only_mail_gets_sanitised_html_and_a_text_version():
    # given
    html = (
        '<p dir="rtl">שלום&nbsp;<a href="https://example.com/x" onclick="x()">כאן</a></p>'
        '<pre>a  b\n  c</pre><blockquote>old <img src="https://t.example/p.gif"></blockquote>'
    )
    raw = f"From: a@example.com\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{html}".encode()

    # when
    mail = parse(raw)

    # then
    assert mail.full_text == "שלום כאן\n\na  b\n  c\n\n> old"
    assert mail.text == "שלום כאן\n\na  b\n  c"
    assert 'href="https://example.com/x"' in mail.html
    assert "onclick" not in mail.html
    assert "src=" not in mail.html


# --- attachments --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content_type", "clean"),
    [
        ("invoice\u202efdp.exe", "application/octet-stream", "invoicefdp.exe"),
        ("\u2067report\u2069\u200e.pdf", "application/pdf", "report.pdf"),
        ("C:\\Users\\dana\\receipt.jpg", "image/jpeg", "receipt.jpg"),
        ("../../etc/passwd", "text/plain", "passwd"),
        ("a/b\\c/", "text/plain", "attachment.txt"),
        ("..", "application/pdf", "attachment.pdf"),
        ("", "image/png", "attachment.png"),
        ("", "application/x-unheard-of", "attachment.bin"),
        ("what?.pdf", "application/pdf", "what_.pdf"),
        ("line\nbreak\x00.txt", "text/plain", "linebreak.txt"),
        ("ש" * 150 + ".pdf", "application/pdf", "ש" * 98 + ".pdf"),
    ],
)
def test_attachment_names_are_cleaned(name, content_type, clean):
    # then
    assert clean_filename(name, content_type) == clean
    assert len(clean.encode()) <= 200


def test_25_mb_attachment_is_read_in_place_quickly():
    """A big base64 body is not split, copied and joined line by line: the parser holds little
    more than the decoded bytes."""
    # given
    data = os.urandom(25 << 20)
    body = base64.encodebytes(data).replace(b"\n", b"\r\n")
    raw = (
        b"From: a@example.com\r\nSubject: big\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
        b"--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n--b\r\nContent-Type: application/pdf\r\n"
        b"Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=scan.pdf\r\n\r\n"
        + body
        + b"--b--\r\n"
    )
    del body

    # when
    tracemalloc.start()
    started = time.process_time()
    mail = parse(raw)
    elapsed = time.process_time() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()

    # then
    assert mail.attachments[0].data == data
    assert mail.text == "see attached"
    assert elapsed < 3
    assert peak < 60 << 20


# --- automatic mail -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "automatic"),
    [
        ("Auto-Submitted: auto-replied", True),
        ("Auto-Submitted: auto-generated (vacation)", True),
        ("Auto-Submitted: no", False),
        ("Auto-Submitted: No (a person)", False),
        ("Precedence: bulk", True),
        ("Precedence: junk", True),
        ("Precedence: list", True),
        ("Precedence: first-class", False),
        ("X-Autoreply: yes", True),
        ("X-Autorespond: on", True),
        ("X-Auto-Response-Suppress: All", True),
        ("X-Auto-Response-Suppress: OOF, AutoReply", True),
        ("X-Auto-Response-Suppress: DR, RN, NRN", False),
        ("List-Id: <x.lists.example.org>", True),
        ("List-Unsubscribe: <mailto:u@example.org>", True),
        ("Return-Path: <>", True),
        ("Return-Path: <MAILER-DAEMON@example.org>", True),
        ("Return-Path: <dana@example.org>", False),
    ],
)
def test_automatic_mail_is_recognised_by_its_headers(header, automatic):
    # when
    mail = parse(f"From: dana@example.com\r\n{header}\r\nSubject: x\r\n\r\nhello".encode())

    # then
    assert bool(mail.automatic) is automatic


def test_mail_from_postmaster_is_automatic():
    # when
    mail = parse(b"From: Postmaster <POSTMASTER@example.org>\r\nSubject: x\r\n\r\nhello")

    # then
    assert mail.automatic
    assert not mail.bounce  # no report, no attached original, no failure subject


# --- hostile mail: bounded cost ----------------------------------------------------------------------


def _timed(raw: bytes) -> tuple[ParsedMail, float]:
    started = time.process_time()
    mail = parse(raw)
    return mail, time.process_time() - started


def test_absurd_nesting_is_cut_and_stays_fast():
    # given
    depth = 5000
    head = "".join(f"Content-Type: multipart/mixed; boundary=n{i}\r\n\r\n--n{i}\r\n" for i in range(depth))
    raw = ("From: a@example.com\r\n" + head + "Content-Type: text/plain\r\n\r\ndeep").encode()

    # when
    mail, elapsed = _timed(raw)

    # then
    assert elapsed < 1
    assert "deep" in mail.full_text
    assert any("nesting deeper than" in warning for warning in mail.warnings)


def test_thousands_of_parts_are_read_as_one_text():
    # given
    parts = "".join(f"--b\r\nContent-Type: text/plain\r\n\r\npart {i}\r\n" for i in range(20000))
    raw = f"From: a@example.com\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n{parts}--b--\r\n".encode()

    # when
    mail, elapsed = _timed(raw)

    # then
    assert elapsed < 1
    assert mail.from_address == "a@example.com"
    assert any("more than 1000 MIME parts" in warning for warning in mail.warnings)


def test_huge_headers_and_reference_lists_stay_fast_and_bounded():
    # given
    references = " ".join(f"<id{i}@example.com>" for i in range(50000))
    raw = (
        f"From: a@example.com\r\nSubject: {'=?utf-8?q?x?= ' * 20000}{'y' * 500000}\r\n"
        f"References: {references}\r\nTo: {', '.join(f'u{i}@example.com' for i in range(5000))}\r\n\r\nhi"
    ).encode()

    # when
    mail, elapsed = _timed(raw)

    # then
    assert elapsed < 1
    assert len(mail.references) == 100
    assert mail.references[0] == "id0@example.com"
    assert mail.references[-1] == "id49999@example.com"
    assert len(mail.to) == 100


PATHOLOGICAL = {
    "one 200 KB token in a Latin-1 body": _plain(b"x" * 200_000 + b"\xe9", "iso-8859-1"),
    "100,000 quoted lines": _plain(b"> quoted\n" * 100_000, "utf-8"),
    "30,000 attribution-like lines": _plain(b"On 3 Mar 10:15 a@b.c <x@y.z> said:\n" * 30_000, "utf-8"),
    "a line of 100,000 dashes": _plain(b"-" * 100_000 + b"\nOriginal Message\n" + b"-" * 100_000, "utf-8"),
    "a From of 60,000 spaces": b"From: a" + b" " * 60_000 + b"x <a@b.c>\r\n\r\nhi",
    "20,000 Content-Type parameters": (
        b"Content-Type: text/plain; " + b"name*1*=%41; " * 20_000 + b"\r\n\r\nhi"
    ),
    "a 100,000 character visual Hebrew line": _plain(
        ("םולש abc " * 12_500).encode("iso-8859-8"), "iso-8859-8"
    ),
    "50,000 short MIME boundary-like lines": (
        b"Content-Type: multipart/mixed\r\n\r\n" + b"--a\r\n--b\r\n" * 25_000
    ),
    "a 300 KB encoded-word": b"Subject: =?utf-8?b?" + b"QUJD" * 75_000 + b"?=\r\n\r\nhi",
}


@pytest.mark.parametrize("raw", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_pathological_shapes_stay_under_a_second(raw):
    """Shapes that make naive patterns backtrack quadratically."""
    # when
    _mail, elapsed = _timed(raw)

    # then
    assert elapsed < 1


def test_a_typical_mail_parses_in_well_under_two_milliseconds():
    # given
    body = ("I ordered a fridge three weeks ago and it never arrived; nobody calls back. " * 6 + "\r\n") * 8
    raw = (
        "From: Dana Levi <dana@example.com>\r\nTo: support@amends.localhost\r\n"
        "Subject: =?utf-8?b?15TXlteT15XXnw==?= fridge\r\nMessage-ID: <a@example.com>\r\n"
        "In-Reply-To: <case-1.msg-1@amends.localhost>\r\nDate: Mon, 3 Mar 2025 10:00:00 +0200\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        f"{body}\r\nOn Mon, 3 Mar 2025 at 10:15, Amends <support@amends.localhost> wrote:\r\n> earlier\r\n"
    ).encode()
    assert 4000 < len(raw) < 6000
    parse(raw)

    # when
    started = time.process_time()
    for _ in range(200):
        parse(raw)
    average = (time.process_time() - started) / 200

    # then
    assert average < 0.002
