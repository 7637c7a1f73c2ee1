"""Which text encoding a CSV file is in, and its lines as text (no ORM, no Django).

Spreadsheets in Israel, the Gulf and Russia still save CSV in the Windows code page of the
user's language: windows-1255 (Hebrew), windows-1256 (Arabic), windows-1251 (Cyrillic). Their
bytes above 0x7F mean different letters in each, and nearly every byte decodes in all three,
so "does it decode" says little. What does tell them apart is whether the words come out as
words of the script (decision 0016):

- UTF-8 is tried first and strictly: text in a code page is almost never valid UTF-8.
- Otherwise each run of non-ASCII bytes (a word, in these scripts) is decoded with each code
  page and judged by the rules of its script: Hebrew final letters only at the end of a word,
  no vowel points without a letter; Arabic letters not mixed with the accented Latin letters
  that share windows-1256; Cyrillic words in one case (or capitalised), with a vowel, and no
  й/ъ/ь/ы where Russian never puts them. The code page whose reading has the most plausible
  letters wins; a tie goes to the stricter script (Hebrew, then Arabic, then Cyrillic).
- A file is read line by line: a line that is valid UTF-8 is UTF-8 even when others are not,
  and a line whose own words clearly belong to another code page is read in that one, so a file
  pasted together from several sources still reads right.
"""

import codecs
import functools
import io
import itertools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

CODE_PAGES = ("cp1255", "cp1256", "cp1251")  # the order breaks ties: strictest script first
SAMPLE_BYTES = 1 << 20  # the non-UTF-8 file's first megabyte chooses its code page …
SAMPLE_WORDS = 5000  # … or its first 5,000 non-ASCII words, whichever ends first
CHUNK = 1 << 16

_NON_ASCII_RUN = re.compile(rb"[\x80-\xff]+")
_HEBREW_LETTERS = {chr(c) for c in range(0x05D0, 0x05EB)}
_HEBREW_FINALS = set("ךםןףץ")
_HEBREW_POINTS = {chr(c) for c in range(0x05B0, 0x05C8)}
_HEBREW_OTHER = {"\u05f0", "\u05f1", "\u05f2", "\u05f3", "\u05f4"}  # Yiddish digraphs, geresh, gershayim
_ARABIC_LETTERS = {chr(c) for c in [*range(0x0621, 0x063B), *range(0x0641, 0x064B)]} | set("پچژگکڈڑںھہےٹ")
_ARABIC_MARKS = {chr(c) for c in range(0x064B, 0x0653)} | {"\u0640"}  # harakat, tatweel
_CYRILLIC_VOWELS = set("аеёиоуыэюяіїєАЕЁИОУЫЭЮЯІЇЄ")
_CYRILLIC_NEVER_FIRST = set("ъьыЪЬЫ")


def _is_cyrillic_letter(ch: str) -> bool:
    return "\u0400" <= ch <= "\u04ff"


def _neutral(ch: str) -> bool:
    """Punctuation, symbols and spaces the code pages share: they say nothing about the script."""
    return not unicodedata.category(ch).startswith("L") and ch not in _HEBREW_POINTS | _ARABIC_MARKS


def _broken_by_symbols(word: str, allowed: frozenset[str] | set[str] = frozenset()) -> bool:
    """A symbol between two letters ("Ш®Ш§" is UTF-8 Arabic read as windows-1251): no script's
    words look like that (Hebrew's geresh and gershayim excepted, through `allowed`)."""
    kinds = [not _neutral(ch) or ch in allowed for ch in word]
    first = kinds.index(True) if True in kinds else 0
    last = len(kinds) - 1 - kinds[::-1].index(True) if True in kinds else 0
    return not all(kinds[first : last + 1])


def _hebrew_ok(word: str) -> bool:
    if _broken_by_symbols(word, _HEBREW_OTHER):
        return False
    letters = [ch for ch in word if not _neutral(ch)]
    for i, ch in enumerate(letters):
        if ch in _HEBREW_POINTS:
            if i == 0 or letters[i - 1] not in _HEBREW_LETTERS | _HEBREW_POINTS:
                return False
        elif ch in _HEBREW_FINALS:
            following = [c for c in letters[i + 1 :] if c not in _HEBREW_POINTS]
            if following:
                return False
        elif ch not in _HEBREW_LETTERS and ch not in _HEBREW_OTHER:
            return False
    return True


def _arabic_ok(word: str) -> bool:
    if _broken_by_symbols(word):
        return False
    letters = [ch for ch in word if not _neutral(ch)]
    for i, ch in enumerate(letters):
        if ch in _ARABIC_MARKS:
            if i == 0:
                return False
        elif ch not in _ARABIC_LETTERS:
            return False
    return True


def _cyrillic_ok(word: str) -> bool:
    if _broken_by_symbols(word):
        return False
    letters = [ch for ch in word if not _neutral(ch)]
    if not all(_is_cyrillic_letter(ch) for ch in letters):
        return False
    if not letters:
        return True
    body = letters[1:]
    if not (all(c.islower() for c in letters) or all(c.isupper() for c in letters)):
        if not all(c.islower() for c in body):  # only "Title" case mixes the two
            return False
    lower = [c.lower() for c in letters]
    if lower[0] in _CYRILLIC_NEVER_FIRST:
        return False
    if len(lower) >= 3 and not _CYRILLIC_VOWELS & set(lower):
        return False
    for prev, ch in itertools.pairwise(lower):
        # й follows a vowel in Russian; ъ and ь follow a consonant.
        if ch == "й" and prev not in _CYRILLIC_VOWELS:
            return False
        if ch in "ъь" and (prev in _CYRILLIC_VOWELS or prev in "ъь"):
            return False
    return lower[-1] != "ъ"


_JUDGES = {"cp1255": _hebrew_ok, "cp1256": _arabic_ok, "cp1251": _cyrillic_ok}


@functools.lru_cache(maxsize=8192)
def _letters_if_plausible(run: bytes, code_page: str) -> int:
    """How many letters the run of bytes has when read in `code_page`, if that reading is a
    plausible word of its script; 0 otherwise. Cached: names and words repeat down a file."""
    try:
        word = run.decode(code_page)
    except UnicodeDecodeError:
        return 0
    if not _JUDGES[code_page](word):
        return 0
    return sum(1 for ch in word if not _neutral(ch))


def code_page_scores(data: bytes, *, max_words: int | None = None) -> dict[str, int]:
    """For each code page, how many non-ASCII letters of `data` read as plausible words of its
    script (a word that does not decode, or breaks the script's rules, scores nothing);
    the first `max_words` runs of non-ASCII bytes only, if given."""
    scores = dict.fromkeys(CODE_PAGES, 0)
    for n, match in enumerate(_NON_ASCII_RUN.finditer(data)):
        if max_words is not None and n >= max_words:
            break
        run = match.group()
        for code_page in CODE_PAGES:
            scores[code_page] += _letters_if_plausible(run, code_page)
    return scores


def reads_well_in(data: bytes, code_page: str) -> bool:
    """Every non-ASCII word of `data` is a plausible word in `code_page` (a line that needs no
    comparison with the others)."""
    return all(_letters_if_plausible(m.group(), code_page) for m in _NON_ASCII_RUN.finditer(data))


def best_code_page(data: bytes, *, default: str | None = None, max_words: int | None = None) -> str:
    """The code page `data` most plausibly is in. A tie goes to `default` when it is among the
    best (a line keeps its file's code page unless its own words say otherwise), else to the
    strictest script."""
    scores = code_page_scores(data, max_words=max_words)
    top = max(scores.values())
    if default is not None and (top == 0 or scores.get(default) == top):
        return default
    return next(cp for cp in CODE_PAGES if scores[cp] == top)


@dataclass
class Sniffed:
    """What one pass over the file found."""

    encoding: str  # "utf-8", "utf-8-sig", "utf-16", or one of CODE_PAGES
    lines: int  # physical lines, the last one counted even without a line break
    binary: bool = False  # NUL bytes in a file that is not UTF-16: a spreadsheet, not CSV
    sample: bytes = field(default=b"", repr=False)


def sniff(stream: BinaryIO) -> Sniffed:
    """Read the file once, in chunks: UTF-8 or not (strictly), how many lines, and for a file
    that is not UTF-8 the code page its first megabyte reads best in. Memory: one chunk plus
    the sample."""
    head = stream.read(CHUNK)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _sniff_utf16(head, stream)
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    utf8 = True
    sample = bytearray()
    newlines, last, binary = 0, b"", False
    line_break = line_break_of(head)
    chunk = head
    while chunk:
        newlines += chunk.count(line_break)
        last = chunk[-1:]
        if len(sample) < SAMPLE_BYTES:
            sample += chunk[: SAMPLE_BYTES - len(sample)]
            binary = binary or b"\x00" in chunk
        if utf8:
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                utf8 = False
        chunk = stream.read(CHUNK)
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:  # the file ends inside a character
            utf8 = False
    lines = newlines + (1 if last and last != line_break else 0)
    if utf8:
        encoding = "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8"
    else:
        encoding = best_code_page(_not_utf8_lines(bytes(sample)), max_words=SAMPLE_WORDS)
    return Sniffed(encoding=encoding, lines=lines, binary=binary, sample=bytes(sample))


def _not_utf8_lines(data: bytes) -> bytes:
    """The lines of `data` that are not UTF-8: the ones a code page must be chosen for."""
    kept = []
    for line in data.split(b"\n"):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            kept.append(line)
    return b"\n".join(kept)


def _sniff_utf16(head: bytes, stream: BinaryIO) -> Sniffed:
    reader = codecs.getincrementaldecoder("utf-16")("replace")
    newlines, last = 0, ""
    chunk = head
    while chunk:
        text = reader.decode(chunk)
        newlines += text.count("\n")
        last = text[-1:] or last
        chunk = stream.read(CHUNK)
    return Sniffed(encoding="utf-16", lines=newlines + (1 if last and last != "\n" else 0))


MAX_LINE_BYTES = 1 << 20  # a "line" longer than this is cut (a file with no line breaks at all)


def line_break_of(head: bytes) -> bytes:
    """b"\n" (with or without a carriage return before it), or b"\r" for a file that has no
    line feed at all in its first chunk (Excel for Mac's "CSV (Macintosh)")."""
    return b"\r" if b"\n" not in head and b"\r" in head else b"\n"


def binary_lines(stream: BinaryIO, chunk: int = CHUNK) -> Iterator[bytes]:
    """The file's lines as bytes, each with its line break, read in chunks: memory is one
    chunk and one line, and a line is cut at MAX_LINE_BYTES."""
    pending = b""
    line_break = None
    while True:
        data = stream.read(chunk)
        if not data:
            break
        if line_break is None:
            line_break = line_break_of(data)
        pending += data
        start = 0
        while True:
            end = pending.find(line_break, start)
            if end < 0:
                break
            yield pending[start : end + 1]
            start = end + 1
        pending = pending[start:]
        while len(pending) > MAX_LINE_BYTES:
            yield pending[:MAX_LINE_BYTES] + line_break
            pending = pending[MAX_LINE_BYTES:]
    if pending:
        yield pending


@dataclass
class LineReader:
    """The file's lines as text, one at a time, each in the encoding that suits it (see the
    module's docstring), and the encodings actually used (for the report). NUL characters are
    dropped: the csv module refuses them."""

    stream: BinaryIO
    encoding: str
    used: set[str] = field(default_factory=set)

    def __iter__(self) -> Iterator[str]:
        if self.encoding == "utf-16":
            yield from self._utf16()
            return
        first = True
        for raw in binary_lines(self.stream):
            if first and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8) :]
            first = False
            yield self._decode(raw).replace("\x00", "")

    def _decode(self, raw: bytes) -> str:
        if raw.isascii():
            return raw.decode("ascii")
        if self.encoding.startswith("utf-8"):
            self.used.add("utf-8")
            return raw.decode(
                "utf-8", "replace"
            )  # checked valid: only a line cut at MAX_LINE_BYTES lands here
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            self.used.add("utf-8")
            return text
        if reads_well_in(raw, self.encoding):  # the usual line: no need to weigh the others
            code_page = self.encoding
        else:
            code_page = best_code_page(raw, default=self.encoding)
        self.used.add(code_page)
        return raw.decode(code_page, "replace")

    def _utf16(self) -> Iterator[str]:
        self.used.add("utf-16")
        text = io.TextIOWrapper(self.stream, encoding="utf-16", errors="replace", newline="")
        try:
            for line in text:
                yield line.replace("\x00", "")
        finally:
            text.detach()
