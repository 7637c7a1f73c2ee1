"""Reading one raw RFC 5322 message into what Amends needs: ORM-free, never raises on bad mail.

CONTRACT (used by amends.mail.services; keep the names): ``parse(raw: bytes) -> ParsedMail``.
Anything malformed becomes a best-effort value plus a line in ``warnings``; only a bug raises.

The stdlib feed parser builds the MIME tree (nesting and part count bounded); header values,
parameters, transfer encodings and charsets are then decoded here, leniently, because the stdlib
replaces undecodable bytes with U+FFFD and raises on unknown charsets. The rules and their
limits are in docs/subsystems/mail-parsing.md. Depends on the stdlib and nh3 only.
"""

import binascii
import codecs
import functools
import html as html_lib
import os
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import utils as email_utils
from email.feedparser import BytesFeedParser
from email.message import Message
from email.parser import BytesParser
from email.policy import compat32

import nh3


@dataclass
class ParsedAttachment:
    filename: str  # cleaned: no path parts, no bidi/control characters, never empty
    content_type: str  # as declared (the store checks the real type by content)
    data: bytes
    content_id: str = ""  # without <>; inline images name themselves by it in the HTML
    inline: bool = False  # declared Content-Disposition: inline (still never shown inline)


@dataclass
class ParsedMail:
    message_id: str = ""  # without <>; "" when missing
    in_reply_to: list[str] = field(default_factory=list)  # ids without <>
    references: list[str] = field(default_factory=list)  # ids without <>, oldest first
    subject: str = ""  # RFC 2047 decoded, whitespace collapsed
    from_address: str = ""  # lower-cased addr-spec of From ("" when unusable)
    from_name: str = ""  # display name, decoded
    reply_to: str = ""
    to: list[str] = field(default_factory=list)
    return_path: str | None = None  # None: no Return-Path header; "" : "<>" (a bounce)
    date: str = ""
    text: str = ""  # the new part of the message, quoted text and signature folded away
    full_text: str = ""  # the whole text version (derived from HTML when there is no text part)
    html: str = ""  # sanitised with nh3, remote images removed; "" when the mail had no HTML
    language: str = ""  # "he", "ar", "ru", "en" guessed from the script of the text
    attachments: list[ParsedAttachment] = field(default_factory=list)
    automatic: str = ""  # why it is an automatic mail (never acknowledge it); "" for a person
    bounce: bool = False  # a delivery status notification (multipart/report) or a typical NDR
    bounced_message_id: str = ""  # the Message-ID of our mail that bounced, when found
    bounced_recipients: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)  # lower-cased addresses from Cc
    sent_at: datetime | None = None  # Date header as an aware datetime (UTC when it has no zone)


# Bounds that keep one hostile message from costing more than a fraction of a second.
MAX_DEPTH = 30  # deeper multiparts are read as opaque text (the stdlib parser is O(lines x depth))
MAX_PARTS = 1000  # more MIME parts than this: the body is read as one text
MAX_WARNINGS = 30
MAX_IDS = 100  # References beyond this keep their first and last 50
MAX_ADDRESSES = 100
FILENAME_MAX_BYTES = 200  # UTF-8 bytes, below the 255 of common file systems
BLOB_MIN_MAIL = 1 << 20  # mails above 1 MiB have long base64 runs set aside before parsing
BLOB_MIN_RUN = 64 << 10
SAMPLE = 4000  # characters looked at when guessing a charset or a language


class _Notes:
    """The warnings list: deduplicated and capped."""

    __slots__ = ("items", "seen")

    def __init__(self, items: list[str]):
        self.items = items
        self.seen: set[str] = set()

    def add(self, text: str) -> None:
        if text in self.seen:
            return
        self.seen.add(text)
        if len(self.items) < MAX_WARNINGS:
            self.items.append(text)
        elif len(self.items) == MAX_WARNINGS:
            self.items.append("more warnings left out")


# --- charsets -------------------------------------------------------------------------------

_HEB_LETTER = "\u05d0-\u05ea\ufb1d-\ufb4f"
_HEB = "\u0590-\u05ff\ufb1d-\ufb4f"
_ARB = "\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufefc"
_CYR = "\u0400-\u04ff"
_LAT = "\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f"

# Codecs a mail may name; anything else (rot13, punycode, unicode_escape...) is refused.
_TEXT_CODEC = re.compile(
    r"utf-(?:8|16|32)(?:-[lb]e)?|utf-8-sig|ascii|latin-1|iso8859-\d+|cp\d{3,5}|koi8-[a-z]|mac-[a-z]+"
    r"|big5(?:hkscs)?|gb2312|gbk|gb18030|shift_jis(?:2004|x0213)?|euc_[a-z0-9_]+|iso2022_[a-z0-9_]+"
    r"|johab|ptcp154|kz1048|tis-620|hp-roman8"
)
# Labels as mail clients normally write them; others decode but get a warning.
_STANDARD_LABEL = re.compile(
    r"(?:us-)?ascii|utf-?(?:8|16|32)(?:-?[lb]e)?|iso-8859-\d{1,2}(?:-[ie])?|windows-\d{3,4}|cp\d{3,4}"
    r"|ibm\d{3}|koi8-[a-z]|big5(?:-hkscs)?|gb2312|gbk|gb18030|shift[-_]jis|euc-[a-z]{2}"
    r"|iso-2022-[a-z]{2}(?:-\d)?|ks_c_5601-1987|tis-620|macintosh|x-mac-[a-z]+"
)
_ALIASES = {
    "iso-8859-8-i": "iso8859-8",
    "iso_8859-8-i": "iso8859-8",
    "iso-8859-8-e": "iso8859-8",
    "iso_8859-8-e": "iso8859-8",
    "logical": "iso8859-8",
    "iso-8859-6-i": "iso8859-6",
    "iso-8859-6-e": "iso8859-6",
    "koi8r": "koi8-r",
    "koi8": "koi8-r",
    "unicode": "utf-16",
    "ucs-2": "utf-16",
    "unicode-1-1-utf-8": "utf-8",
    "x-unicode20utf8": "utf-8",
    "x-mac-hebrew": "cp1255",  # Python has no Mac Hebrew codec; the letters sit where cp1255 has them
}
_WINDOWS_LABEL = re.compile(r"(?:x-)?(?:win|windows|cp|ms|ibm)[-_ ]?(\d{3,4})")
_VISUAL_CODEC = "iso8859-8"
_UTF8_LIKE = ("utf-8", "utf-8-sig")
# Single-byte guesses in order of preference on a tie (the languages Amends serves first).
_GUESSES = ("cp1255", "cp1256", "iso8859-6", "cp1251", "koi8-r", "cp866", "cp1252")
_CODEC_LABEL = {
    "cp1255": "windows-1255",
    "cp1256": "windows-1256",
    "cp1251": "windows-1251",
    "cp1252": "windows-1252",
    "iso8859-6": "iso-8859-6",
    "iso8859-8": "iso-8859-8",
    "latin-1": "iso-8859-1",
}


@dataclass(frozen=True)
class _Codec:
    name: str  # Python codec name
    visual: bool  # iso-8859-8 as MIME means it: Hebrew stored in display order (RFC 1556)
    unusual: bool  # the label is an alias mail clients do not normally write


@functools.lru_cache(maxsize=256)
def _codec(label: str) -> _Codec | None:
    token = re.match(r"[a-z0-9_.:\- ]+", label.strip().strip("\"'").lower())
    if not token:
        return None
    label = token.group(0).strip()
    name = _ALIASES.get(label)
    if name is None:
        match = _WINDOWS_LABEL.fullmatch(label)
        candidates = [label, f"cp{match.group(1)}" if match else "", label.removeprefix("x-")]
        for candidate in candidates:
            if not candidate:
                continue
            try:
                name = codecs.lookup(candidate).name
            except (LookupError, ValueError):
                continue
            break
    if name is None or not _TEXT_CODEC.fullmatch(name):
        return None
    visual = name == _VISUAL_CODEC and not label.endswith(("-i", "-e")) and label != "logical"
    return _Codec(name=name, visual=visual, unusual=not _STANDARD_LABEL.fullmatch(label))


def _label(name: str) -> str:
    return _CODEC_LABEL.get(name, name)


@functools.lru_cache(maxsize=64)
def _is_single_byte(name: str) -> bool:
    """One byte, one character (cp1255 yes; cp932, shift_jis, utf-8 no)."""
    return len(bytes(range(128, 256)).decode(name, "replace")) == 128


# Bounded on both sides: "\S*...\S*" backtracks quadratically over a long token.
_NONASCII_WORD = re.compile(r"[!-~]{0,30}[^\x00-\x7f\s][^\s]{0,60}")
# Non-ASCII characters real text uses besides letters: punctuation, currency, a few symbols.
_BAD_CHAR = re.compile(
    rf"[^\x00-\x7f{_HEB}{_ARB}{_CYR}{_LAT}\u0370-\u03ff\u00a0\u00ab\u00bb\u00b7\u00b0\u00a9\u00ae\u00d7"
    r"\u2010-\u2027\u2030-\u203a\u20aa\u20ac\u2116\u200c\u200d]"
)
_MIXED_SCRIPT = re.compile(
    rf"[{_HEB}](?=[{_ARB}{_CYR}{_LAT}A-Za-z])|[{_ARB}](?=[{_HEB}{_CYR}{_LAT}A-Za-z])"
    rf"|[{_CYR}](?=[{_HEB}{_ARB}{_LAT}A-Za-z])|[{_LAT}](?=[{_HEB}{_ARB}{_CYR}])"
    rf"|[A-Za-z](?=[{_HEB}{_ARB}{_CYR}])"
)
# A word made only of accented Latin letters is what Hebrew/Arabic/Cyrillic bytes read as Latin-1 give.
_LATIN_ONLY_WORD = re.compile(rf"(?<![A-Za-z{_LAT}])[{_LAT}]{{2,}}(?![A-Za-z{_LAT}])")
_CYR_UPPER_INSIDE = re.compile(r"(?<=[а-яё])[А-ЯЁ]")
_CYR_UPPER = re.compile(r"[А-ЯЁ]")
_CYR_LOWER = re.compile(r"[а-яё]")
_CYR_RARE = re.compile(r"[ъщйэфцюжшх]")
_FINAL_INSIDE = re.compile(r"(?<=[\u05d0-\u05ea])[ךםןףץ](?=[\u05d0-\u05ea])")
# Real Hebrew puts one or two points on a letter.
_STACKED_MARK = re.compile(r"(?<=[\u05b0-\u05c7]{2})[\u05b0-\u05c7]")
_ORPHAN_MARK = re.compile(
    r"(?<![\u05b0-\u05c7\u05d0-\u05ea])[\u05b0-\u05c7]|(?<![\u0620-\u065f])[\u064b-\u065f]"
)


# One pass for the character-level signs of a wrong charset: symbols real text does not use,
# two scripts inside one word, upper case inside a Cyrillic word, Hebrew points on nothing or
# three on one letter, final letters inside a Hebrew word.
_IMPLAUSIBLE = re.compile(
    "|".join(
        pattern.pattern
        for pattern in (
            _BAD_CHAR,
            _MIXED_SCRIPT,
            _CYR_UPPER_INSIDE,
            _ORPHAN_MARK,
            _STACKED_MARK,
            _FINAL_INSIDE,
        )
    )
)
_CYR_ANY = re.compile(f"[{_CYR}]")


def _plausibility(text: str) -> float:
    """How much the non-ASCII part of ``text`` looks like real writing: 1.0 good, lower worse."""
    sample = " ".join(_NONASCII_WORD.findall(text[:SAMPLE]))  # only words with non-ASCII letters matter
    count = _non_ascii(sample)
    if not count:
        return 1.0
    bad = len(_IMPLAUSIBLE.findall(sample)) + sum(len(word) for word in _LATIN_ONLY_WORD.findall(sample))
    score = 1.0 - bad / count
    if _CYR_ANY.search(sample):
        lower = len(_CYR_LOWER.findall(sample))
        upper = len(_CYR_UPPER.findall(sample))
        # koi8-r read as windows-1251 (and back) turns lower case into upper case: real Russian is
        # mostly lower case. Ten rare letters make ~6% of Russian but ~30% of Hebrew bytes read
        # as windows-1251 (י ת ש ר become й ъ щ ш).
        score -= max(0, upper - lower) / (2 * count)
        rare = len(_CYR_RARE.findall(sample.lower())) / max(1, lower + upper)
        score -= max(0.0, rare - 0.12) * 2
    return score


def _mostly_utf8(data: bytes) -> str | None:
    """UTF-8 with a few broken sequences (a truncated body, a stray byte): decoded with U+FFFD
    rather than re-read as some legacy charset."""
    text = data.decode("utf-8", "replace")
    broken = text.count("\ufffd")
    return text if _non_ascii(text) - broken >= 4 * broken else None


def _non_ascii(text: str) -> int:
    return len(text) - len(text.encode("ascii", "ignore"))


def _guess(data: bytes) -> tuple[str, str]:
    """Decode bytes with no usable label: UTF-16 when NUL-heavy, else UTF-8, else the most
    plausible single-byte charset."""
    sample = data[: SAMPLE * 2]
    if sample.count(0) * 5 > len(sample):
        found = _utf16(data)
        if found:
            return found
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    mostly = _mostly_utf8(data)
    if mostly is not None:
        return mostly, "utf-8 (damaged)"
    best: tuple[float, str] | None = None
    for name in _GUESSES:
        try:
            score = _plausibility(sample.decode(name))
        except UnicodeDecodeError:
            continue
        if best is None or score > best[0]:
            best = (score, name)
    if best is None:
        return data.decode("cp1255", "replace"), "cp1255"
    return data.decode(best[1], "replace"), best[1]


def _utf16(data: bytes) -> tuple[str, str] | None:
    if data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return data.decode("utf-16", "replace"), "utf-16"
    best: tuple[float, str, str] | None = None
    for name in ("utf-16-le", "utf-16-be"):
        text = data.decode(name, "replace")
        sample = text[:SAMPLE]
        sane = len(
            re.findall(rf"[\t\n\r\x20-\x7e{_HEB}{_ARB}{_CYR}{_LAT}\u00a0-\u00bf\u2010-\u2027]", sample)
        )
        score = sane / max(1, len(sample))
        if best is None or score > best[0]:
            best = (score, name, text)
    if best is None or best[0] < 0.5:
        return None
    return best[2], best[1]


def _decode(data: bytes, label: str | None, where: str, notes: _Notes) -> tuple[str, bool]:
    """Bytes to text by the declared label, checked and corrected. Returns the text and whether
    it is visual Hebrew (iso-8859-8) still in display order."""
    if not data:
        return "", False
    label = (label or "").strip().strip("\"'")
    codec = _codec(label) if label else None
    high = not data.isascii()
    if codec is None:
        if not high:
            if label and data.count(0) * 5 <= len(data):
                notes.add(f"{where}: unknown charset {label!r}")
                return data.decode("ascii"), False
            if not label:
                return data.decode("ascii"), False
        text, used = _guess(data)
        if label:
            notes.add(f"{where}: unknown charset {label!r}, read as {_label(used)}")
        elif used != "utf-8":
            notes.add(f"{where}: no charset given, read as {_label(used)}")
        return text, False
    if codec.unusual:
        notes.add(f"{where}: charset label {label!r} read as {_label(codec.name)}")
    name = codec.name
    if name.startswith("utf-16") or name.startswith("utf-32"):
        if name == "utf-16" and data[:2] not in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
            found = _utf16(data)  # no byte order mark: whichever order reads as text
            if found:
                return found[0], False
        try:
            return data.decode(name), False
        except UnicodeDecodeError:
            pass
        found = _utf16(data) if name.startswith("utf-16") else None
        if found:
            return found[0], False
        notes.add(f"{where}: damaged {label} text, unreadable characters replaced")
        return data.decode(name, "replace"), False
    if high and name not in _UTF8_LIKE and _is_single_byte(name):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            notes.add(f"{where}: labelled {label} but is UTF-8")
            return text, False
    try:
        text = data.decode(name)
    except UnicodeDecodeError:
        text = ""
        failed = True
    else:
        failed = False
    if not failed:
        if high and _is_single_byte(name):
            score = _plausibility(text)
            if score < 0.7:
                guessed, used = _guess(data)
                if used != name and _plausibility(guessed) > score + 0.2:
                    notes.add(f"{where}: labelled {label} but reads as {_label(used)}")
                    return guessed, False
        return text, codec.visual
    guessed, used = _guess(data)
    if used == "utf-8 (damaged)" and name == "utf-8":
        notes.add(f"{where}: damaged UTF-8, broken characters replaced")
        return guessed, False
    if used.startswith("utf-8") or _plausibility(guessed) >= 0.7:
        notes.add(f"{where}: not valid {label}, read as {_label(used)}")
        return guessed, False
    notes.add(f"{where}: not valid {label}, unreadable characters replaced")
    return data.decode(name, "replace"), codec.visual


# --- visual Hebrew --------------------------------------------------------------------------

_FINAL_AT_END = re.compile(rf"(?<=[{_HEB_LETTER}])[ךםןףץ](?![{_HEB_LETTER}])")
_FINAL_AT_START = re.compile(rf"(?<![{_HEB_LETTER}])[ךםןףץ](?=[{_HEB_LETTER}])")
_MIRROR = str.maketrans("()[]{}<>«»", ")(][}{><»«")
_HAS_HEB = re.compile(rf"[{_HEB_LETTER}]")
_LTR_RUN = re.compile(
    r"[A-Za-z0-9\u00c0-\u024f](?:[A-Za-z0-9\u00c0-\u024f.,:/@%+\-_#&=?']*(?:\s+(?=[A-Za-z0-9]))?)*"
)
_HEB_RUN = re.compile(rf"[{_HEB}](?:[^A-Za-z\n]*[{_HEB}])?")
_LATIN_LETTER = re.compile(r"[A-Za-z\u00c0-\u024f]")


def _visual_order(text: str) -> bool | None:
    """True: Hebrew in display (visual) order; False: logical; None: cannot tell. Final letters
    (ך ם ן ף ץ) end words in logical order and so start them once reversed."""
    sample = text[: SAMPLE * 4]
    at_end = len(_FINAL_AT_END.findall(sample))
    at_start = len(_FINAL_AT_START.findall(sample))
    if at_end + at_start < 2:
        return None
    return at_start > at_end


def _flip(run: str) -> str:
    """Reverse a right-to-left stretch back to logical order, keeping its Latin and digit runs
    left-to-right and swapping mirrored brackets."""
    reversed_run = run[::-1].translate(_MIRROR)
    return _LTR_RUN.sub(lambda m: m.group(0)[::-1].translate(_MIRROR), reversed_run)


def _visual_to_logical(text: str) -> str:
    lines = []
    for line in text.split("\n"):
        if not _HAS_HEB.search(line):
            lines.append(line)
            continue
        prefix = line[: len(line) - len(line.lstrip("> \t"))]  # a quote prefix stays in front
        body = line[len(prefix) :]
        trailing = body[len(body.rstrip()) :]
        body = body.rstrip()
        tokens = body.split()
        hebrew = sum(1 for token in tokens if _HAS_HEB.search(token))
        latin = sum(1 for token in tokens if _LATIN_LETTER.match(token))
        if hebrew >= latin:
            lines.append(prefix + _flip(body).lstrip() + trailing)  # a right-to-left line
        else:
            lines.append(prefix + _HEB_RUN.sub(lambda m: _flip(m.group(0)), body) + trailing)
    return "\n".join(lines)


def _hebrew_order(text: str, visual: bool, where: str, notes: _Notes) -> str:
    """Put visual Hebrew into logical order. Labelled iso-8859-8 text that is already logical
    (a common mislabel) is left alone; strongly visual text under another label is reversed."""
    if text.isascii() or not _HAS_HEB.search(text):
        return text
    order = _visual_order(text)
    if visual:
        if order is False:
            notes.add(f"{where}: labelled iso-8859-8 (visual) but already in logical order")
            return text
        return _visual_to_logical(text)
    if order:
        sample = text[: SAMPLE * 4]
        if len(_FINAL_AT_START.findall(sample)) >= 3 * max(1, len(_FINAL_AT_END.findall(sample))):
            notes.add(f"{where}: Hebrew in visual order, reversed to logical order")
            return _visual_to_logical(text)
    return text


# --- header values --------------------------------------------------------------------------

_FOLD = re.compile(r"\r?\n(?=[ \t])|\r(?=[ \t])")
# Lenient (spaces allowed inside, up to 500 characters) but bounded: every "=?" that starts no
# word costs a scan to the next "?=".
_ENCODED_WORD = re.compile(r"=\?([^?\s]{1,80})\?([bBqQ])\?([^?\r\n]{0,500})\?=")
_HEADER_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_BIDI_CONTROL = re.compile("[\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_SPACES = re.compile(r"\s+")
_B64_ALPHABET_ONLY = re.compile(rb"[^A-Za-z0-9+/]")


def _unfold(value: str) -> str:
    return _FOLD.sub("", value)


def _raw_bytes(value: str) -> bytes:
    """The bytes a header or payload string was read from (the parser keeps 8-bit bytes as
    surrogate escapes)."""
    try:
        return value.encode("ascii", "surrogateescape")
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogatepass")


def _raw_text(value: str, where: str, notes: _Notes) -> str:
    """Header text outside encoded-words: ASCII, or raw 8-bit bytes (UTF-8 per RFC 6532, else
    a legacy charset a careless mailer used)."""
    if value.isascii():
        return value
    data = _raw_bytes(value)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    text, used = _guess(data)
    notes.add(f"{where}: raw 8-bit text read as {_label(used)}")
    return text


def _b64decode(data: bytes) -> tuple[bytes, bool]:
    """Lenient base64: ignores stray characters, repairs padding, reads all of a body that was
    encoded in padded pieces. Returns the bytes and whether anything was wrong."""
    try:
        decoded = binascii.a2b_base64(data)
    except (binascii.Error, ValueError):
        decoded = None
    if decoded is not None:
        pad = data.find(b"=")
        if pad == -1 or not data[pad:].strip(b"= \t\r\n"):  # no padding, or only at the end
            return decoded, False
    # padding in the middle (pieces encoded one by one) or an impossible length
    pieces = []
    for chunk in re.findall(rb"[A-Za-z0-9+/\s]+=*", data):
        clean = _B64_ALPHABET_ONLY.sub(b"", chunk)
        clean = clean[: len(clean) - len(clean) % 4] + (
            b""
            if len(clean) % 4 in (0, 1)
            else clean[len(clean) - len(clean) % 4 :] + b"=="[: 4 - len(clean) % 4]
        )
        if clean:
            try:
                pieces.append(binascii.a2b_base64(clean))
            except (binascii.Error, ValueError):
                continue
    return b"".join(pieces), True


def _decode_words(value: str, where: str, notes: _Notes) -> str:
    """RFC 2047: encoded-words in any mix of charsets, adjacent words of one charset joined
    before decoding (a character may be split between them), whitespace between words dropped."""
    if "=?" not in value:
        return _raw_text(value, where, notes)
    out: list[str] = []
    pending_charset = ""
    pending: list[bytes] = []
    position = 0

    def flush() -> None:
        if pending:
            text, visual = _decode(b"".join(pending), pending_charset or None, where, notes)
            if visual:
                text = _hebrew_order(text, visual, where, notes)
            out.append(text)
            pending.clear()

    for match in _ENCODED_WORD.finditer(value):
        between = value[position : match.start()]
        if not (pending and not between.strip()):
            flush()
            out.append(_raw_text(between, where, notes))
        charset = match.group(1).split("*", 1)[0]
        encoded = _raw_bytes(match.group(3))
        if match.group(2) in "bB":
            data, damaged = _b64decode(encoded)
            if damaged:
                notes.add(f"{where}: damaged encoded-word")
        else:
            data = binascii.a2b_qp(encoded, header=True)
        if pending and charset.lower() != pending_charset.lower():
            flush()
        pending_charset = charset
        pending.append(data)
        position = match.end()
    flush()
    out.append(_raw_text(value[position:], where, notes))
    return "".join(out)


def _one_line(text: str) -> str:
    """Header text for display: no line breaks or control characters (a decoded CR LF must not
    reach an outgoing header), no bidi overrides, whitespace collapsed."""
    return _SPACES.sub(" ", _HEADER_CONTROL.sub(" ", _BIDI_CONTROL.sub("", text))).strip()


def _header_text(value: str, where: str, notes: _Notes) -> str:
    return _one_line(_decode_words(_unfold(value), where, notes))


# An encoded-word stands in for one word while an address list is split: its decoded text (or
# the specials inside it, e.g. "=?utf-8?q?a:_b@c?=") must not change where addresses begin.
_WORD_TOKEN = "amendsencodedword" + os.urandom(4).hex()
_ATOM_ADDRESS = r"[^<>\s,;:\"()\\@\[\]]{1,64}@[^<>\s,;:\"()\\@\[\]]{1,253}"
# Every part is delimited by a character the part before cannot contain: no backtracking.
_SIMPLE_ADDRESS = re.compile(
    rf'[ \t]*(?:"([^"\\\r\n]*)"[ \t]*|([^"<>,;:@()\\\[\]\r\n]*))<({_ATOM_ADDRESS})>[ \t]*'
    rf"|[ \t]*({_ATOM_ADDRESS})[ \t]*"
)
_ADDR_SPEC = re.compile(r"[^\s@<>()\[\],;:\"\\]{1,64}@[^\s@<>()\[\],;:\"\\]{1,253}")


def _address(value: str, where: str, notes: _Notes) -> str:
    value = _raw_text(value.strip().strip("<>").strip(), where, notes).lower()
    if len(value) <= 254 and _ADDR_SPEC.fullmatch(value):
        return value
    return ""


def _addresses(values: list[str], where: str, notes: _Notes) -> list[tuple[str, str]]:
    """(display name, address) pairs; address "" when unusable. RFC 2047 names are decoded
    after the list is split, so a decoded name cannot smuggle in an address."""
    if len(values) == 1:
        simple = _SIMPLE_ADDRESS.fullmatch(_unfold(values[0]))
        if simple:  # "Name" <a@b>, Name <a@b>, a@b: most headers, without the stdlib's slow parser
            name = simple.group(1) if simple.group(1) is not None else simple.group(2) or ""
            addr = simple.group(3) or simple.group(4)
            return [(_header_text(name, where, notes), _address(addr, where, notes))]
    words: list[str] = []

    def protect(match: re.Match[str]) -> str:
        words.append(match.group(0))
        return f"{_WORD_TOKEN}{len(words) - 1}x"

    protected = [_ENCODED_WORD.sub(protect, _unfold(value)) for value in values]
    try:
        pairs = email_utils.getaddresses(protected)
    except Exception:  # the stdlib address parser has raised on odd input before
        notes.add(f"{where}: unreadable address list")
        return []

    def restore(text: str) -> str:
        return re.sub(rf"{_WORD_TOKEN}(\d+)x", lambda m: words[int(m.group(1))], text) if words else text

    result = []
    for name, addr in pairs[:MAX_ADDRESSES]:
        if not name and not addr:
            continue
        result.append((_header_text(restore(name), where, notes), _address(restore(addr), where, notes)))
    return result


def _address_list(values: list[str], where: str, notes: _Notes) -> list[str]:
    seen: dict[str, None] = {}
    for _name, addr in _addresses(values, where, notes):
        if addr:
            seen.setdefault(addr, None)
    return list(seen)


_ID_BRACKETED = re.compile(r"<\s*([^<>\s]{1,900})\s*>")
_ID_CONTROL = re.compile(r"[\x00-\x20\x7f-\x9f\ud800-\udfff]")


def _ids(value: str) -> list[str]:
    """Message ids from Message-ID/In-Reply-To/References: the <...> tokens, or bare tokens
    with an @ when there are none; junk around them ignored; order kept, duplicates dropped."""
    value = _unfold(value)
    found = _ID_BRACKETED.findall(value)
    if not found:
        found = [token.strip("<>,;") for token in value.split() if "@" in token]
    seen: dict[str, None] = {}
    for token in found:
        token = _ID_CONTROL.sub("", token)
        if token and len(token) <= 900:
            seen.setdefault(token, None)
    return list(seen)


# --- MIME parameters (Content-Type, Content-Disposition) -----------------------------------

_PARAM = re.compile(r"""\s*([^\s=;"]+)\s*(?:=\s*("(?:[^"\\]|\\.)*(?:"|$)|[^;]*))?\s*(?:;|$)""", re.DOTALL)
_PARAM_SECTION = re.compile(r"(.+?)\*(?:(\d{1,3})(\*)?)?")


def _params(value: str) -> tuple[str, dict[str, tuple[str, str | None]]]:
    """Split ``type/subtype; name=value`` into the lower-cased first token and parameters.
    Each parameter is (raw text, charset); RFC 2231 sections are joined and percent-decoded
    with a charset of "" meaning "undeclared"; charset None means a plain value."""
    value = _unfold(value)
    head, _, rest = value.partition(";")
    params: dict[str, tuple[str, str | None]] = {}
    sections: dict[str, list[tuple[int, str, bool]]] = {}
    position = 0
    for _ in range(200):
        if position >= len(rest):
            break
        match = _PARAM.match(rest, position)
        if not match or match.end() == position:
            break
        position = match.end()
        name, raw = match.group(1).lower(), (match.group(2) or "").strip()
        if raw.startswith('"'):
            raw = re.sub(r"\\(.)", r"\1", raw[1:-1] if raw.endswith('"') and len(raw) > 1 else raw[1:])
        star = _PARAM_SECTION.fullmatch(name) if "*" in name and len(name) <= 100 else None
        if star:
            encoded = bool(star.group(3)) or star.group(2) is None  # name*N* or name*, not name*N
            sections.setdefault(star.group(1), []).append((int(star.group(2) or 0), raw, encoded))
        elif name not in params:
            params[name] = (raw, None)
    for name, parts in sections.items():
        parts.sort(key=lambda part: part[0])
        charset = ""
        chunks = []
        for index, (_number, raw, encoded) in enumerate(parts):
            if encoded:
                if index == 0 and raw.count("'") >= 2:
                    charset, _lang, raw = raw.split("'", 2)
                chunks.append(re.sub(r"%([0-9A-Fa-f]{2})", lambda m: chr(int(m.group(1), 16)), raw))
            else:
                chunks.append(raw)
        params[name] = ("".join(chunks), charset)  # RFC 2231 wins over a plain duplicate
    return head.strip().lower(), params


def _param_text(param: tuple[str, str | None] | None, where: str, notes: _Notes) -> str:
    if param is None:
        return ""
    raw, charset = param
    if charset is None:
        return _decode_words(raw, where, notes)
    try:
        data = raw.encode("latin-1", "surrogateescape")
    except UnicodeEncodeError:
        data = raw.encode("utf-8", "surrogateescape")
    text, _visual = _decode(data, charset or None, where, notes)
    return text


# --- the MIME tree --------------------------------------------------------------------------


class _TooManyParts(Exception):
    pass


class _BoundedParser(BytesFeedParser):
    """The stdlib feed parser with a bound on parts and on nesting (deeper multiparts and
    message/* parts become plain text). Uses its two internal hooks; if a Python release renames
    them the bounds stop applying but parsing still works."""

    def __init__(self) -> None:
        super().__init__(policy=compat32)
        self.parts = 0
        self.too_deep = False

    def _new_message(self) -> None:
        self.parts += 1
        if self.parts > MAX_PARTS:
            raise _TooManyParts
        super()._new_message()  # type: ignore[misc]  # an internal hook, see the docstring

    def _parse_headers(self, lines: list[str]) -> None:
        super()._parse_headers(lines)  # type: ignore[misc]  # an internal hook, see the docstring
        current, depth = self._cur, len(self._msgstack)  # type: ignore[attr-defined]  # parser state
        if depth > MAX_DEPTH and current.get_content_maintype() in ("multipart", "message"):
            del current["content-type"]
            current["Content-Type"] = "text/plain"
            self.too_deep = True


class _Blobs:
    """Long base64 runs of a big mail, set aside before parsing and read in place from the raw
    bytes afterwards: the parser would otherwise split, copy and join every line (a 25 MB
    attachment cost ~200 MB). Each run becomes one marker line the parser passes through."""

    # Up to 1000 lines per match, joined afterwards: an unbounded repeat makes the regex engine
    # keep ~6 bytes of state per input byte. Each match stops before its last line break, which
    # the next match needs as its leading \n.
    _RUN = re.compile(rb"\n((?:[A-Za-z0-9+/]{16,}={0,2}\r?\n){0,999}[A-Za-z0-9+/]{16,}={0,2}\r?)(?=\n)")

    def __init__(self, raw: bytes):
        self.raw = memoryview(raw)
        self.spans: list[tuple[int, int]] = []
        self.marker = b"\x1b" + os.urandom(6).hex().encode() + b"."
        self.find = re.compile(re.escape(self.marker) + rb"(\d+)\x1b")

    def set_aside(self, raw: bytes) -> bytes:
        runs: list[list[int]] = []
        for match in self._RUN.finditer(raw):
            start, end = match.span(1)
            if runs and runs[-1][1] + 1 == start:
                runs[-1][1] = end
            else:
                runs.append([start, end])
        pieces = []
        position = 0
        for start, end in runs:
            if end - start < BLOB_MIN_RUN:
                continue
            pieces += [raw[position:start], b"%s%d\x1b" % (self.marker, len(self.spans))]
            self.spans.append((start, end))
            position = end
        if not self.spans:
            return raw
        pieces.append(raw[position:])
        return b"".join(pieces)

    def only(self, data: bytes) -> memoryview | None:
        """The raw run when ``data`` is exactly one marker (a base64 attachment)."""
        match = self.find.fullmatch(data.strip())
        if match and int(match.group(1)) < len(self.spans):
            start, end = self.spans[int(match.group(1))]
            return self.raw[start:end]
        return None

    def restore(self, data: bytes) -> bytes:
        if self.marker not in data:
            return data

        def run(match: re.Match[bytes]) -> bytes:
            index = int(match.group(1))
            if index >= len(self.spans):
                return match.group(0)
            start, end = self.spans[index]
            return bytes(self.raw[start:end])

        return self.find.sub(run, data)


_DEFECTS = {
    "StartBoundaryNotFoundDefect": "multipart boundary never appears in the body",
    "CloseBoundaryNotFoundDefect": "multipart not closed (truncated mail?)",
    "FirstHeaderLineIsContinuationDefect": "malformed header lines",
    "MisplacedEnvelopeHeaderDefect": "malformed header lines",
    "MissingHeaderBodySeparatorDefect": "malformed header lines (no blank line before the body)",
    "InvalidHeaderDefect": "malformed header lines",
    "MultipartInvariantViolationDefect": "Content-Type says multipart but the body is not",
    "InvalidMultipartContentTransferEncodingDefect": "multipart with a transfer encoding",
}


def _read_tree(raw: bytes, blobs: _Blobs | None, notes: _Notes) -> tuple[Message, bool]:
    """The message tree, and whether its body must be read as one opaque text."""
    data = blobs.set_aside(raw) if blobs else raw
    parser = _BoundedParser()
    try:
        parser.feed(data)
        message = parser.close()
    except _TooManyParts:
        notes.add(f"more than {MAX_PARTS} MIME parts: the body is read as one text")
    except Exception:  # RecursionError and the like on hostile structure
        notes.add("MIME structure unreadable: the body is read as one text")
    else:
        if parser.too_deep:
            notes.add(f"MIME nesting deeper than {MAX_DEPTH} levels read as text")
        return message, False
    try:
        return BytesParser(policy=compat32).parsebytes(data, headersonly=True), True
    except Exception:
        message = Message()
        message.set_payload(data.decode("ascii", "surrogateescape"))
        return message, True


def _headers(part: Message) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name, value in part.raw_items():
        if isinstance(name, str) and isinstance(value, str):
            found.setdefault(name.strip().lower(), []).append(value)
    return found


def _first(headers: dict[str, list[str]], name: str) -> str | None:
    values = headers.get(name)
    return values[0] if values else None


def _payload_bytes(
    part: Message, headers: dict[str, list[str]], blobs: _Blobs | None, where: str, notes: _Notes
) -> bytes:
    """A leaf part's body with its transfer encoding undone. Reads the parser's stored string
    directly: the public get_payload() re-decodes 8-bit text with U+FFFD."""
    payload = part._payload  # type: ignore[attr-defined]  # see docstring
    if not isinstance(payload, str) or not payload:
        return b""
    data = _raw_bytes(payload)
    encoding = (_first(headers, "content-transfer-encoding") or "").strip().lower().split(";")[0].strip()
    if encoding == "base64":
        if blobs:
            run = blobs.only(data)
            if run is not None:
                try:
                    return binascii.a2b_base64(run)  # in place, no copy of the run
                except (binascii.Error, ValueError):
                    data = bytes(run)  # damaged: the lenient path below
            else:
                data = blobs.restore(data)
        decoded, damaged = _b64decode(data)
        if damaged:
            notes.add(f"{where}: damaged base64 (decoded what could be read)")
        return decoded
    if blobs:
        data = blobs.restore(data)
    if encoding == "quoted-printable":
        return binascii.a2b_qp(data)
    if encoding in ("x-uuencode", "uuencode", "x-uue", "uue"):
        try:
            decoded = part.get_payload(decode=True)
        except Exception:
            decoded = None
        if isinstance(decoded, bytes):
            return decoded
        notes.add(f"{where}: damaged uuencoded data")
        return data
    if encoding not in ("", "7bit", "8bit", "binary"):
        notes.add(f"{where}: unknown transfer encoding {encoding[:40]!r}, kept as is")
    return data


def _flatten(message: Message, blobs: _Blobs | None) -> bytes:
    """A message/rfc822 part back to bytes: headers as they were folded, bodies, preambles and
    8-bit bytes as read. (email.generator re-folds every header and costs ~1 ms a message.)"""
    out: list[bytes] = []
    _write(message, out, 0)
    data = b"".join(out)
    return blobs.restore(data) if blobs else data


def _write(message: Message, out: list[bytes], depth: int) -> None:
    for name, value in message.raw_items():
        out.append(_raw_bytes(f"{name}: {value}\r\n"))
    out.append(b"\r\n")
    payload = message._payload  # type: ignore[attr-defined]  # as read, see _payload_bytes
    if isinstance(payload, str):
        out.append(_raw_bytes(payload))
        return
    if not isinstance(payload, list) or depth > MAX_DEPTH:
        return
    try:
        boundary = message.get_boundary() if message.get_content_maintype() == "multipart" else None
    except Exception:  # the stdlib parameter parser; the feed parser split the part with it
        boundary = None
    if not isinstance(boundary, str):
        for inner in payload:  # message/rfc822, or the blocks of a delivery status
            if isinstance(inner, Message):
                _write(inner, out, depth + 1)
        return
    if message.preamble:
        out.append(_raw_bytes(message.preamble + "\r\n"))
    for inner in payload:
        if isinstance(inner, Message):
            out.append(_raw_bytes(f"--{boundary}\r\n"))
            _write(inner, out, depth + 1)
            out.append(b"\r\n")
    out.append(_raw_bytes(f"--{boundary}--\r\n"))
    if message.epilogue:
        out.append(_raw_bytes(message.epilogue))


# --- HTML -----------------------------------------------------------------------------------

_HTML_TAGS = set(nh3.ALLOWED_TAGS) | {"font"}
_HTML_ATTRIBUTES = {
    "*": {"dir", "lang", "title"},
    "a": {"href", "hreflang"},
    "img": {"alt", "width", "height"},  # no src: remote, data: and cid: images are all dropped
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align"},
    "ol": {"start", "type"},
    "p": {"align"},
    "div": {"align"},
    "bdo": {"dir"},
}
_HTML_DROP_CONTENT = {"script", "style", "title", "noscript", "template", "iframe", "object", "embed", "svg"}


def _sanitise(markup: str) -> str:
    return nh3.clean(
        markup,
        tags=_HTML_TAGS - _HTML_DROP_CONTENT,
        clean_content_tags=_HTML_DROP_CONTENT,
        attributes=_HTML_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer nofollow",
        set_tag_attribute_values={"a": {"target": "_blank"}},
        strip_comments=True,
    )


_TAG = re.compile(r"""<(/?)([a-zA-Z][a-zA-Z0-9]*)(?:[^>"']|"[^"]*"|'[^']*')*>""")
_LINE_TAGS = frozenset("div tr li dt dd address center details summary caption figcaption".split())
_PARAGRAPH_TAGS = frozenset(
    "p ul ol dl table thead tbody tfoot hr article aside section header footer nav figure".split()
    + "h1 h2 h3 h4 h5 h6".split()
)
_HTML_SPACE = re.compile(r"[ \t\r\n\f]+")
# Markers in the intermediate text: line break, paragraph break, <br>, quote start, quote end.
_LINE, _PARAGRAPH, _BREAK, _QUOTE_IN, _QUOTE_OUT, _PRE_IN, _PRE_OUT = "\n", *"\x03\x04\x01\x02\x05\x06"
_MARKERS = re.compile("([\n\x01-\x06])")
_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?([A-Za-z0-9_:.\-]{1,40})""", re.IGNORECASE
)


def _html_to_text(markup: str) -> str:
    """Plain text from sanitised HTML: blocks and <br> become line breaks, paragraphs a blank
    line, links keep their text, entities decoded, blockquote lines prefixed with ">" so quoted
    history folds like plain text."""
    markup = _TEXT_CONTROL.sub("", markup)  # the markers below are control characters
    out: list[str] = []
    position = 0
    pre = 0
    for match in _TAG.finditer(markup):
        chunk = markup[position : match.start()]
        if chunk:
            out.append(html_lib.unescape(chunk.replace("\n", _LINE) if pre else _HTML_SPACE.sub(" ", chunk)))
        closing, tag = match.group(1), match.group(2).lower()
        if tag == "br":
            out.append(_BREAK)
        elif tag == "blockquote":
            out.append(_QUOTE_OUT if closing else _QUOTE_IN)
        elif tag == "pre":
            pre = max(0, pre - 1) if closing else pre + 1
            out.append(_PRE_OUT + _PARAGRAPH if closing else _PARAGRAPH + _PRE_IN)
        elif tag == "li":
            out.append(_LINE if closing else _LINE + "- ")
        elif tag in ("td", "th") and not closing:
            out.append(" ")
        elif tag in _PARAGRAPH_TAGS:
            out.append(_PARAGRAPH)
        elif tag in _LINE_TAGS:
            out.append(_LINE)
        position = match.end()
    tail = markup[position:]
    if tail:
        out.append(html_lib.unescape(tail if pre else _HTML_SPACE.sub(" ", tail)))
    lines: list[str] = []
    depth = 0
    current: list[str] = []

    in_pre = 0

    def flush(blank: bool) -> None:
        line = "".join(current).replace("\xa0", " ")
        line = line.rstrip() if in_pre else line.strip()
        current.clear()
        if line:
            lines.append(">" * depth + " " + line if depth else line)
        elif in_pre and not blank:
            lines.append(">" * depth if depth else "")  # blank lines inside <pre> stay
        if blank and lines and lines[-1] != "":
            lines.append("")

    for token in _MARKERS.split("".join(out)):
        if token == _LINE:
            flush(False)
        elif token == _PARAGRAPH:
            flush(True)
        elif token == _BREAK:
            flush(not "".join(current).strip())  # an empty line made of <br> is a blank line
        elif token in (_QUOTE_IN, _QUOTE_OUT):
            flush(False)
            depth = depth + 1 if token == _QUOTE_IN else max(0, depth - 1)
        elif token in (_PRE_IN, _PRE_OUT):
            if current:
                flush(False)
            in_pre = in_pre + 1 if token == _PRE_IN else max(0, in_pre - 1)
        elif token:
            current.append(token)
    flush(False)
    return "\n".join(lines).strip("\n")


# --- text -----------------------------------------------------------------------------------

_TEXT_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_NEWLINES = re.compile(r"\r\n?")
_BLANK_RUN = re.compile(r"\n{3,}")


def _clean_text(text: str) -> str:
    """Line breaks as \n, no control characters but tab, no trailing spaces, at most one blank
    line in a row."""
    text = _TEXT_CONTROL.sub("", _NEWLINES.sub("\n", text))
    text = "\n".join([line if line == "-- " else line.rstrip() for line in text.split("\n")])
    return _BLANK_RUN.sub("\n\n", text).strip("\n")


def _unflow(text: str, delsp: bool) -> str:
    """RFC 3676 format=flowed: join soft-broken lines of one quote depth into paragraphs."""
    out: list[str] = []
    pending = ""
    pending_depth = -1
    for line in text.split("\n"):
        stripped = line.lstrip(">")
        depth = len(line) - len(stripped)
        if stripped.startswith(" "):
            stripped = stripped[1:]  # space-stuffing
        if pending and depth != pending_depth:
            out.append(">" * pending_depth + (" " if pending_depth else "") + pending)
            pending = ""
        if stripped.endswith(" ") and stripped != "-- ":
            pending += stripped[:-1] if delsp else stripped
            pending_depth = depth
            continue
        line_text = pending + stripped
        pending = ""
        out.append(">" * depth + (" " if depth and line_text else "") + line_text)
    if pending:
        out.append(">" * pending_depth + (" " if pending_depth else "") + pending)
    return "\n".join(out)


# Reply styles: docs/subsystems/mail-parsing.md lists the forms each rule is written for.
_MARKS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c\ufeff*]")
_SEPARATOR = re.compile(
    r"[-_=]{3,}\s*(?:original message|הודעה מקורית|ההודעה המקורית|исходное сообщение"
    r"|оригинальное сообщение|الرسالة الأصلية|رسالة أصلية|الرسالة الاصلية)\s*[-_=]{3,}",
    re.IGNORECASE,
)
_RULE_LINE = re.compile(r"[_\-=]{8,}")
_LABEL_KINDS = {
    "from": "from",
    "מאת": "from",
    "من": "from",
    "от": "from",
    "sent": "date",
    "date": "date",
    "נשלח": "date",
    "תאריך": "date",
    "تاريخ الإرسال": "date",
    "تاريخ الارسال": "date",
    "التاريخ": "date",
    "أرسلت": "date",
    "أرسل": "date",
    "отправлено": "date",
    "дата": "date",
    "to": "to",
    "cc": "to",
    "אל": "to",
    "עותק": "to",
    "إلى": "to",
    "الى": "to",
    "نسخة": "to",
    "кому": "to",
    "копия": "to",
    "subject": "subject",
    "נושא": "subject",
    "الموضوع": "subject",
    "тема": "subject",
}
_HEADER_LABEL = re.compile(
    r"(" + "|".join(sorted(map(re.escape, _LABEL_KINDS), key=len, reverse=True)) + r")\s*:", re.IGNORECASE
)
_VERB_END = re.compile(
    r"(?<!\w)(?:wrote|writes|כתב|כתבה|כתב/ה|כתב\(ה\)|כתבו|كتب|كتبت|пишет|написал|написала|написал\(а\)"
    r"|писал|писала|писал\(а\))\s*:$",
    re.IGNORECASE,
)
_OPENER = re.compile(r"(?:on\s|בתאריך\s|ב[-־]|في\s)", re.IGNORECASE)
_TIME = re.compile(r"\d{1,2}:\d{2}")
_SIGNOFF = re.compile(
    r"(?:sent from |sent with |sent via |get outlook for |נשלח מה|נשלח מ-|נשלח מ־|נשלח ממכשיר|נשלח באמצעות"
    r"|أرسلت من|أُرسلت من|تم الإرسال من|أرسل من|مرسل من|отправлено с |отправлено из |послано с )",
    re.IGNORECASE,
)


def _is_attribution(window: str, next_quoted: bool) -> bool:
    if len(window) > 400 or not (_TIME.search(window) or "@" in window):
        return False
    if _VERB_END.search(window[-24:]):  # the verbs are short; searching the whole line costs more
        return True
    last = window[:-1].rsplit(None, 1)[-1] if window.endswith(":") and window[:-1].strip() else ""
    ends_with_address = "@" in last and "<" not in last.lstrip("<") and ">" not in last.rstrip(">")
    return ends_with_address and (next_quoted or bool(_OPENER.match(window)))


def _header_block_end(plain: list[str], quoted: list[bool], start: int) -> int | None:
    """Outlook-style "From: / Sent: / To: / Subject:" block starting at ``start``, in any of the
    four languages; returns its last line."""
    kinds: set[str] = set()
    end = start
    for index in range(start, min(len(plain), start + 10)):
        line = plain[index]
        if quoted[index]:
            break
        match = _HEADER_LABEL.match(line) if line else None
        if match:
            kinds.add(_LABEL_KINDS[match.group(1).lower()])
            end = index
    if "from" in kinds and "date" in kinds and ("to" in kinds or "subject" in kinds):
        return end
    return None


def _attribution_start(plain: list[str], quoted: list[bool], end: int, next_quoted: bool) -> int | None:
    """First line of an attribution ("On ... wrote:") ending at ``end``; clients wrap it over up
    to three lines. The window starting with "On"/"בתאריך"/"في" wins; else the smallest one,
    grown back over lines that look like its start (digits, no sentence end)."""
    matches = []
    for size in range(3):
        start = end - size
        if start < 0 or not plain[start] or quoted[start]:
            break
        if _is_attribution(" ".join(plain[start : end + 1]), next_quoted):
            if _OPENER.match(plain[start]):
                return start
            matches.append(start)
    if not matches:
        return None
    start = matches[0]
    while (
        start > max(0, end - 2)
        and plain[start - 1]
        and not quoted[start - 1]
        and re.search(r"\d", plain[start - 1])
        and not plain[start - 1].endswith((".", "!", "?", ":"))
    ):
        start -= 1
    return start


def _history(plain: list[str], quoted: list[bool]) -> tuple[int, int] | None:
    """First and last line of the marker where quoted history starts."""
    count = len(plain)
    for index, line in enumerate(plain):
        if not line or quoted[index]:
            continue
        if len(line) < 200 and _SEPARATOR.fullmatch(line):
            return index, index
        if _HEADER_LABEL.match(line):
            end = _header_block_end(plain, quoted, index)
            if end is not None:
                first = index
                previous = index - 1
                while previous >= 0 and not plain[previous]:
                    previous -= 1
                if previous >= 0 and _RULE_LINE.fullmatch(plain[previous]):
                    first = previous
                return first, end
        if line.endswith(":"):
            following = index + 1
            while following < count and not plain[following]:
                following += 1
            next_quoted = following < count and quoted[following]
            found = _attribution_start(plain, quoted, index, next_quoted)
            if found is not None:
                return found, index
    return None


def _fold(full: str) -> str:
    """The new part of a reply: quoted history, signature and "Sent from my phone" lines
    folded away. Keeps everything when folding would leave nothing."""
    lines = full.split("\n")
    plain = [_MARKS.sub("", line).strip() for line in lines]
    quoted = [line.startswith(">") and not line.startswith(">From ") for line in plain]  # mbox escape
    found = _history(plain, quoted)
    if found is None:
        keep = list(range(len(lines)))
    else:
        first, last = found
        if any(plain[index] and not quoted[index] for index in range(first)):
            keep = list(range(first))  # top-posted: everything from the marker on is history
        else:
            keep = [index for index in range(last + 1, len(lines)) if not quoted[index]]  # bottom-posted
    start = 0
    while start < len(keep) and (not plain[keep[start]] or quoted[keep[start]]):
        start += 1
    keep = keep[start:]
    while keep and (not plain[keep[-1]] or quoted[keep[-1]]):
        keep.pop()
    for position, index in enumerate(keep):
        if position and plain[index] == "--":
            keep = keep[:position]
            break
    content = [position for position, index in enumerate(keep) if plain[index]]
    for position in content[-3:]:
        line = plain[keep[position]]
        if len(line) < 90 and _SIGNOFF.match(line):
            keep = keep[:position]
            break
    while keep and not plain[keep[-1]]:
        keep.pop()
    text = "\n".join(lines[index] for index in keep).strip("\n")
    return text if text.strip() else full


# --- language -------------------------------------------------------------------------------

_SCRIPTS = (
    ("he", re.compile(f"[{_HEB_LETTER}]")),
    ("ar", re.compile(f"[{_ARB}]")),
    ("ru", re.compile(f"[{_CYR}]")),
)
_NONASCII_LETTERS = re.compile(r"[^\x00-\x7f\W\d_]+")
_ASCII_LETTERS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _letters(sample: str) -> tuple[int, str]:
    """Number of letters and the non-ASCII letters themselves (counting with bytes.translate:
    a regex over every character costs ~0.3 ms on a 4 KB text)."""
    data = sample.encode("utf-8", "replace")
    ascii_count = len(data) - len(data.translate(None, _ASCII_LETTERS))
    others = "".join(_NONASCII_LETTERS.findall(sample)) if not sample.isascii() else ""
    return ascii_count + len(others), others


def _language(text: str, subject: str) -> str:
    """he/ar/ru when their script is at least a fifth of the letters (text first, subject when
    the text has few letters), else en."""
    letters, others = _letters(text[:SAMPLE])
    if letters < 20:
        more, more_others = _letters(subject[:SAMPLE])
        letters, others = letters + more, others + more_others
    best, best_count = "en", 0
    for code, pattern in _SCRIPTS:
        count = len(pattern.findall(others)) if others else 0
        if count > best_count:
            best, best_count = code, count
    return best if best_count >= 2 and best_count * 5 >= letters else "en"


# --- attachments ----------------------------------------------------------------------------

_FILENAME_DROP = re.compile(
    "[\x00-\x1f\x7f-\x9f\u200b\u200e\u200f\u202a-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb\ud800-\udfff]"
)
_FILENAME_RESERVED = re.compile(r'[<>:"|?*]')
_EXTENSIONS = {
    "application/pdf": ".pdf",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "image/heic": ".heic",
    "image/tiff": ".tif",
    "image/bmp": ".bmp",
    "text/plain": ".txt",
    "text/html": ".html",
    "text/csv": ".csv",
    "text/calendar": ".ics",
    "text/rfc822-headers": ".txt",
    "message/rfc822": ".eml",
    "message/global": ".eml",
    "application/zip": ".zip",
    "application/msword": ".doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.ms-excel": ".xls",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/ms-tnef": ".dat",
    "application/pkcs7-signature": ".p7s",
    "application/x-pkcs7-signature": ".p7s",
    "application/pgp-signature": ".asc",
    "audio/mpeg": ".mp3",
    "video/mp4": ".mp4",
}


def clean_filename(name: str, content_type: str) -> str:
    """A download name: last path component (/ and \\), no control or bidi characters (an
    "invoice\\u202efdp.exe" shows its real extension), no characters Windows refuses, at most
    FILENAME_MAX_BYTES of UTF-8, and never empty ("attachment" + an extension for the type)."""
    name = _FILENAME_DROP.sub("", name.replace("\\", "/")).rsplit("/", 1)[-1]
    name = _SPACES.sub(" ", _FILENAME_RESERVED.sub("_", name)).strip(" .")
    if not name:
        return "attachment" + _EXTENSIONS.get(content_type, ".bin")
    if len(name.encode("utf-8")) > FILENAME_MAX_BYTES:
        stem, dot, extension = name.rpartition(".")
        if not dot or len(extension) > 16 or not stem:
            stem, extension = name, ""
        suffix = f".{extension}" if extension else ""
        budget = FILENAME_MAX_BYTES - len(suffix.encode("utf-8"))
        stem = stem.encode("utf-8")[:budget].decode("utf-8", "ignore").rstrip(" .")
        name = (stem or "attachment") + suffix
    return name


# --- automatic mail and bounces -------------------------------------------------------------

_COMMENT = re.compile(r"\([^()]*\)")
_DAEMONS = frozenset({"mailer-daemon", "mailer_daemon", "mailerdaemon", "postmaster", "mail-daemon"})
_AUTO_HEADERS = ("x-autoreply", "x-autorespond", "x-autogenerated", "x-auto-reply", "x-autoreply-from")
_NDR_SUBJECT = re.compile(
    r"undeliver|undelivered|delivery status notification|delivery failure|delivery has failed|mail delivery"
    r"|returned mail|failure notice|could not be delivered|non remis|недоставлен|не доставлен"
    r"|не может быть доставлено"
    r"|לא נמסר|לא ניתן למסור|فشل التسليم|تعذر تسليم|لم يتم تسليم",
    re.IGNORECASE,
)
_RECIPIENT_LINE = re.compile(
    r"^(?:original|final)-recipient:[ \t]*(?:[^;\n]{0,100};)?[ \t]*<?([^\s<>]{1,300})",
    re.IGNORECASE | re.MULTILINE,
)
_ACTION_LINE = re.compile(r"^action:\s*([a-z]+)", re.IGNORECASE | re.MULTILINE)
_STATUS_LINE = re.compile(r"^status:\s*([245])\.", re.IGNORECASE | re.MULTILINE)
_MESSAGE_ID_LINE = re.compile(
    r"^message-id:[ \t]*(?:\r?\n[ \t]+)?(<[^<>\s]{1,900}>|[^\s<>]{1,450}@[^\s<>]{1,450})",
    re.IGNORECASE | re.MULTILINE,
)
_QMAIL_RECIPIENT = re.compile(r"^<([^<>\s]+@[^<>\s]+)>:\s*$", re.MULTILINE)
_EXIM_RECIPIENT = re.compile(r"failed:[ \t]*\n[ \t]*\n((?:[ \t]+\S+@\S+[^\n]*\n?){1,50})", re.IGNORECASE)


def _local_part(address: str | None) -> str:
    return (address or "").partition("@")[0].lower()


def _token(value: str | None) -> str:
    return _SPACES.sub(" ", _COMMENT.sub("", _unfold(value or ""))).strip().lower()


# --- reading the parts ----------------------------------------------------------------------


@dataclass
class _Reading:
    """What the walk over the MIME tree collects."""

    groups: list[tuple[object, list[str], list[str]]] = field(default_factory=list)  # (key, plains, htmls)
    report_type: str = ""  # of a multipart/report
    status_texts: list[tuple[str, list[str]]] = field(default_factory=list)  # delivery-status blocks
    original_ids: list[str] = field(default_factory=list)  # Message-IDs of attached originals
    has_original: bool = False


def _status_blocks(part: Message, blobs: _Blobs | None, notes: _Notes) -> list[str]:
    payload = part.get_payload()
    if isinstance(payload, list):
        blocks = []
        for block in payload:
            if isinstance(block, Message):
                lines = [
                    f"{name}: {_unfold(value)}" for name, value in block.raw_items() if isinstance(value, str)
                ]
                rest = block._payload  # type: ignore[attr-defined]  # message/global-delivery-status
                if isinstance(rest, str) and rest.strip():
                    lines.append(rest)
                blocks.append("\n".join(lines))
        return blocks
    text = _raw_bytes(payload) if isinstance(payload, str) else b""
    return [_clean_text(_decode(text, "utf-8", "delivery status", notes)[0])]


# Machine-readable halves of reports: read for the bounce fields, not kept as attachments.
_REPORT_DATA = frozenset(
    {
        "message/delivery-status",
        "message/global-delivery-status",
        "message/disposition-notification",
        "message/global-disposition-notification",
        "message/feedback-report",
    }
)


def _original_id(message: Message) -> str:
    ids = _ids(_first(_headers(message), "message-id") or "")
    return ids[0] if ids else ""


def _walk(root: Message, opaque: bool, mail: ParsedMail, blobs: _Blobs | None, notes: _Notes) -> _Reading:
    reading = _Reading()
    stack: list[tuple[Message, int, object]] = [(root, 0, None)]
    number = 0
    repaired = False
    while stack:
        part, depth, group = stack.pop()
        number += 1
        headers = _headers(part) if part is not root else None
        if headers is None:
            headers = _headers(root)
        ctype, type_params = _params(_first(headers, "content-type") or "")
        if not re.fullmatch(r"[a-z0-9!#$&^_.+\-]+/[a-z0-9!#$&^_.+\-]+", ctype):
            ctype = part.get_default_type() if not ctype else "text/plain"
        if opaque and part is root:
            ctype = "text/plain"
        disposition, disposition_params = _params(_first(headers, "content-disposition") or "")
        where = f"part {number} ({ctype})" if part is not root else "body"
        for defect in getattr(part, "defects", ())[:5]:
            name = type(defect).__name__
            if name != "NoBoundaryInMultipartDefect":
                notes.add(_DEFECTS.get(name, f"MIME defect: {name}"))
        payload = part._payload  # type: ignore[attr-defined]  # list for containers, str for leaves
        maintype = ctype.split("/", 1)[0]
        if isinstance(payload, list):
            if ctype in _REPORT_DATA:
                if "delivery-status" in ctype:
                    reading.status_texts.append((ctype, _status_blocks(part, blobs, notes)))
                continue
            if maintype == "message" or (
                maintype != "multipart" and payload and isinstance(payload[0], Message)
            ):
                inner = payload[0] if payload and isinstance(payload[0], Message) else None
                if inner is not None:
                    reading.has_original = reading.has_original or ctype in (
                        "message/rfc822",
                        "message/global",
                    )
                    original = _original_id(inner)
                    if original:
                        reading.original_ids.append(original)
                    data = _flatten(inner, blobs)
                else:
                    data = b""
                given = _param_text(
                    disposition_params.get("filename") or type_params.get("name"), where, notes
                )
                name = clean_filename(given, ctype) if given.strip() else "forwarded.eml"
                if not name.lower().endswith(".eml"):
                    name = clean_filename(name + ".eml", ctype)
                mail.attachments.append(ParsedAttachment(filename=name, content_type=ctype, data=data))
                continue
            if depth >= MAX_DEPTH:
                notes.add(f"MIME nesting deeper than {MAX_DEPTH} levels left out")
                continue
            if ctype == "multipart/report":
                reading.report_type = _token(type_params.get("report-type", ("", None))[0])
            inner_group = object() if ctype == "multipart/alternative" else group
            for child in reversed(payload):
                if isinstance(child, Message):
                    stack.append((child, depth + 1, inner_group))
            continue
        if maintype == "multipart":
            if not repaired and isinstance(payload, str) and depth < 3:
                repaired = True
                found = _repair_multipart(payload)
                if found is not None:
                    notes.add(f"{where}: multipart with a missing or wrong boundary, boundary guessed")
                    stack.append((found, depth + 1, group))
                    continue
            notes.add(f"{where}: multipart with a missing or wrong boundary, read as text")
            ctype = "text/plain"
        filename = _param_text(disposition_params.get("filename") or type_params.get("name"), where, notes)
        if ctype in ("text/plain", "text/html") and disposition != "attachment" and not filename:
            data = _payload_bytes(part, headers, blobs, where, notes)
            charset_param = type_params.get("charset")
            charset = charset_param[0] if charset_param else None
            if not charset and ctype == "text/html":
                found_charset = _META_CHARSET.search(data[:4096])
                charset = found_charset.group(1).decode("ascii") if found_charset else None
            text, visual = _decode(data, charset, where, notes)
            key = group if group is not None else object()
            if not reading.groups or reading.groups[-1][0] is not key:
                reading.groups.append((key, [], []))
            if ctype == "text/html":
                if visual:
                    notes.add(f"{where}: HTML in iso-8859-8 (visual) left in display order")
                reading.groups[-1][2].append(text)
            else:
                text = _NEWLINES.sub("\n", text)
                if _token(type_params.get("format", ("", None))[0]) == "flowed":
                    text = _unflow(text, _token(type_params.get("delsp", ("", None))[0]) == "yes")
                reading.groups[-1][1].append(_hebrew_order(text, visual, where, notes))
            continue
        if ctype == "text/rfc822-headers":
            data = _payload_bytes(part, headers, blobs, where, notes)
            reading.has_original = True
            found_id = _MESSAGE_ID_LINE.search(data.decode("latin-1"))
            if found_id:
                reading.original_ids.extend(_ids(found_id.group(1)))
            continue
        if ctype in _REPORT_DATA:
            if "delivery-status" in ctype:
                data = _payload_bytes(part, headers, blobs, where, notes)
                reading.status_texts.append((ctype, [_clean_text(_decode(data, "utf-8", where, notes)[0])]))
            continue
        data = _payload_bytes(part, headers, blobs, where, notes)
        content_id = _ids(_first(headers, "content-id") or "")
        mail.attachments.append(
            ParsedAttachment(
                filename=clean_filename(filename, ctype),
                content_type=ctype,
                data=data,
                content_id=content_id[0] if content_id else "",
                inline=disposition == "inline",
            )
        )
    return reading


_BOUNDARY_LINE = re.compile(r"^--([^\s]{1,200}?)(?:--)?[ \t]*\r?$", re.MULTILINE)


def _repair_multipart(payload: str) -> Message | None:
    """A multipart body whose boundary parameter is missing or wrong: take the first of the
    first few delimiter-like lines that is used at least twice, and parse again with it."""
    tried: set[str] = set()
    for match in _BOUNDARY_LINE.finditer(payload[:20000]):
        boundary = match.group(1)
        if boundary in tried or '"' in boundary or "\\" in boundary:
            continue
        if len(tried) == 5:
            break
        tried.add(boundary)
        if payload.count(f"\n--{boundary}") + payload.startswith(f"--{boundary}") >= 2:
            head = _raw_bytes(f'Content-Type: multipart/mixed; boundary="{boundary}"\r\n\r\n')
            parser = _BoundedParser()
            try:
                parser.feed(head + _raw_bytes(payload))
                return parser.close()
            except Exception:
                return None
    return None


# --- the whole message ----------------------------------------------------------------------


def _read_headers(headers: dict[str, list[str]], mail: ParsedMail, notes: _Notes) -> None:
    for name in ("from", "subject", "message-id", "date"):
        if len(headers.get(name, ())) > 1:
            notes.add(f"{len(headers[name])} {name.title()} headers, the first is used")
    mail.subject = _header_text(_first(headers, "subject") or "", "Subject", notes)
    mail.message_id = next(iter(_ids(_first(headers, "message-id") or "")), "")
    mail.in_reply_to = _ids(_first(headers, "in-reply-to") or "")[:MAX_IDS]
    references = _ids(" ".join(headers.get("references", ())))
    if len(references) > MAX_IDS:
        notes.add(f"{len(references)} References, the first and last {MAX_IDS // 2} kept")
        references = references[: MAX_IDS // 2] + references[-MAX_IDS // 2 :]
    mail.references = references
    from_value = _first(headers, "from")
    if from_value is None:
        notes.add("no From header")
    else:
        senders = _addresses([from_value], "From", notes)
        usable = [pair for pair in senders if pair[1]]
        if len(usable) > 1:
            notes.add("From has several addresses, the first is used")
        if usable:
            mail.from_name, mail.from_address = usable[0]
        else:
            notes.add("From has no usable address")
            mail.from_name = senders[0][0] if senders else _header_text(from_value, "From", notes)
    reply_to = _address_list(headers.get("reply-to", [])[:1], "Reply-To", notes)
    mail.reply_to = reply_to[0] if reply_to else ""
    mail.to = _address_list(headers.get("to", []), "To", notes)
    mail.cc = _address_list(headers.get("cc", []), "Cc", notes)
    return_path = _first(headers, "return-path")
    if return_path is not None:
        value = _unfold(return_path).strip()
        mail.return_path = "" if value.strip("<> \t") == "" else _address(value, "Return-Path", notes)
    date = _first(headers, "date")
    if date is not None:
        mail.date = _one_line(_raw_text(_unfold(date), "Date", notes))[:200]
        try:
            sent_at = email_utils.parsedate_to_datetime(mail.date)
        except (TypeError, ValueError, IndexError, OverflowError):
            notes.add("Date header unreadable")
        else:
            mail.sent_at = sent_at if sent_at.tzinfo else sent_at.replace(tzinfo=UTC)


def _read_bounce(headers: dict[str, list[str]], reading: _Reading, mail: ParsedMail, notes: _Notes) -> None:
    from_daemon = _local_part(mail.from_address) in _DAEMONS or _local_part(mail.return_path) in _DAEMONS
    recipients: dict[str, None] = {}
    if reading.report_type == "delivery-status" or reading.status_texts:
        failed = False
        for _ctype, blocks in reading.status_texts:
            for block in blocks:
                actions = {action.lower() for action in _ACTION_LINE.findall(block)}
                block_failed = "failed" in actions or (not actions and "5" in _STATUS_LINE.findall(block))
                if not block_failed:
                    continue
                failed = True
                for address in _RECIPIENT_LINE.findall(block):
                    address = _address(address, "delivery status", notes)
                    if address:
                        recipients.setdefault(address, None)
        if failed or not any(blocks for _ctype, blocks in reading.status_texts):
            mail.bounce = True
        else:
            mail.automatic = _join(mail.automatic, "delivery status notification (not a failure)")
    elif (from_daemon or mail.return_path == "") and (
        reading.has_original or (_NDR_SUBJECT.search(mail.subject) and "delay" not in mail.subject.lower())
    ):
        mail.bounce = True
        for pattern in (_QMAIL_RECIPIENT, _RECIPIENT_LINE):
            for address in pattern.findall(mail.full_text):
                address = _address(address, "bounce", notes)
                if address:
                    recipients.setdefault(address, None)
        for block in _EXIM_RECIPIENT.findall(mail.full_text + "\n"):
            for address in re.findall(r"\S+@\S+", block):
                address = _address(address, "bounce", notes)
                if address:
                    recipients.setdefault(address, None)
    if not mail.bounce:
        return
    ids = reading.original_ids
    if not ids:
        found = _MESSAGE_ID_LINE.findall(mail.full_text)
        ids = [_ids(value)[0] for value in found if _ids(value)]
        ids = [value for value in ids if value != mail.message_id]
    mail.bounced_message_id = ids[0] if ids else ""
    mail.bounced_recipients = list(recipients)[:MAX_ADDRESSES]


def _join(reasons: str, reason: str) -> str:
    return f"{reasons}; {reason}" if reasons else reason


def _read_automatic(headers: dict[str, list[str]], reading: _Reading, mail: ParsedMail) -> None:
    reasons = mail.automatic
    auto_submitted = _first(headers, "auto-submitted")
    if auto_submitted is not None:
        value = _token(auto_submitted).split(";")[0].strip()
        if value != "no":
            reasons = _join(reasons, f"Auto-Submitted: {value or '(empty)'}"[:80])
    precedence = _token(_first(headers, "precedence"))
    if precedence in ("bulk", "junk", "list", "auto_reply"):
        reasons = _join(reasons, f"Precedence: {precedence}")
    for name in _AUTO_HEADERS:
        value = _first(headers, name)
        if value is not None and _token(value) not in ("no", "false", "0"):
            reasons = _join(reasons, f"{name} header")
    suppress = set(re.split(r"[\s,;]+", _token(_first(headers, "x-auto-response-suppress"))))
    if suppress & {"all", "oof", "autoreply"}:
        reasons = _join(reasons, "X-Auto-Response-Suppress asks for no automatic reply")
    for name in ("list-id", "list-unsubscribe"):
        if name in headers:
            reasons = _join(reasons, f"mailing list ({name.title()})")
            break
    if mail.return_path == "":
        reasons = _join(reasons, "empty Return-Path")
    if _local_part(mail.from_address) in _DAEMONS or _local_part(mail.return_path) in _DAEMONS:
        reasons = _join(reasons, "sent by a mail system (mailer-daemon/postmaster)")
    if mail.bounce:
        reasons = _join(reasons, "delivery failure report")
    elif reading.report_type == "disposition-notification":
        reasons = _join(reasons, "read receipt")
    elif reading.report_type:
        reasons = _join(reasons, f"report ({reading.report_type[:40]})")
    mail.automatic = reasons


def parse(raw: bytes) -> ParsedMail:
    """Read one raw message. Never raises on bad mail: problems become ``warnings``."""
    mail = ParsedMail()
    notes = _Notes(mail.warnings)
    if not isinstance(raw, bytes):
        raw = bytes(raw)
    blobs = _Blobs(raw) if len(raw) > BLOB_MIN_MAIL else None
    root, opaque = _read_tree(raw, blobs, notes)
    headers = _headers(root)
    _read_headers(headers, mail, notes)
    reading = _walk(root, opaque, mail, blobs, notes)

    plains: list[str] = []
    htmls: list[str] = []
    for _key, group_plains, group_htmls in reading.groups:
        if group_plains and any(text.strip() for text in group_plains):
            plains.extend(group_plains)
            htmls.extend(_sanitise(text) for text in group_htmls)
            continue
        for text in group_htmls:
            clean = _sanitise(text)
            htmls.append(clean)
            plains.append(_html_to_text(clean))
    mail.full_text = _clean_text("\n\n".join(text for text in plains if text.strip()))
    mail.html = _TEXT_CONTROL.sub("", "\n".join(htmls)).strip()
    mail.text = _fold(mail.full_text) if mail.full_text else ""
    mail.language = _language(mail.text, mail.subject)
    _read_bounce(headers, reading, mail, notes)
    _read_automatic(headers, reading, mail)
    return mail
