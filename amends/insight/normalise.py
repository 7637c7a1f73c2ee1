"""Words of a text, each with the keys a lexicon entry can match (issue 6, point 2).

A token keeps its character offsets in the ORIGINAL text, so that the desk can highlight it;
everything else here only builds matching keys:

- all scripts: NFKC (folds full-width and "mathematical bold" letters), case folded, marks,
  zero-width and bidi controls inside a word removed, a letter repeated 3+ times counted once
  or twice ("sooo" → "so", "good"), which also marks the word as elongated (an intensifier);
- Hebrew: niqqud removed, final letters folded (ך→כ ם→מ ן→נ ף→פ ץ→צ), ״/׳ typed as "/',
  and every reading with the prefix letters ו ה ב ל מ ש כ taken off (וב, שה, ומה, וכש…);
- Arabic: harakat and tatweel removed, أ إ آ ٱ → ا, ة → ه, ى → ي, ؤ ئ → ء, Persian ک ی → ك ي,
  and every reading with the clitics و ف, ب ك ل س, ال taken off (وال, بال, فال, لل, عال, هال…);
- Russian: ё → е, and the Snowball stem;
- English: the Snowball (Porter 2) stem.

Stems and prefix-stripped readings are separate keys, so a lexicon entry says which it wants
(see `lexicon_pattern_parse`): `суд` matches every form whose stem is суд (суда, судом), `=суда`
that one form only, `руковод*` every form starting so.
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import snowballstemmer

HEBREW, ARABIC, CYRILLIC, LATIN = "he", "ar", "ru", "en"
NUMBER = "#"

# Marks and invisible characters that may sit inside a word: Latin/Cyrillic combining marks,
# Hebrew points (not maqaf U+05BE, paseq U+05C0, sof pasuq U+05C3, nun hafukha U+05C6),
# Arabic harakat and Quranic marks, tatweel, zero-width and bidi controls, soft hyphen,
# variation selectors.
_MARKS = (
    "\u0300-\u036f\u0483-\u0489\u0591-\u05bd\u05bf\u05c1\u05c2\u05c4\u05c5\u05c7"
    "\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640"
    "\u200b-\u200f\u202a-\u202e\u2066-\u2069\u061c\u00ad\ufe00-\ufe0f\ufeff"
)
_LETTER = r"[^\W\d_]"
# A word: letters with marks inside, and an apostrophe or a Hebrew geresh/gershayim between
# letters (don't, עו"ד, מנכ״ל). Numbers are tokens of their own ("4 times", "5-й раз").
TOKEN = re.compile(
    rf"[{_MARKS}]*{_LETTER}(?:{_LETTER}|[{_MARKS}]|['’`\"״׳](?={_LETTER})|\*+(?!\d))*"
    r"|\d+(?:[.,:]\d+)*(?:st|nd|rd|th|-?(?:й|я|е|го|ой|ий|ый|ая|ое|ом|ему))?"
)
CENSORED = re.compile(r"\*+")
MARKS = re.compile(f"[{_MARKS}]")
ELONGATED = re.compile(r"(.)\1{2,}")
# A clause ends at punctuation, a line break or "but": negation does not reach past it.
QUOTED_LINE = re.compile(r"^[ \t]*>.*$", re.MULTILINE)
CLAUSE_BREAK = re.compile(r"[.!?;:,\n؟،؛…()\[\]]")
SENTENCE_BREAK = re.compile(r"[.!?\n؟…]")

HEBREW_FINALS = str.maketrans("ךםןףץ", "כמנפצ")
ARABIC_FOLD = str.maketrans(
    {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي", "ؤ": "ء", "ئ": "ء", "ک": "ك", "ی": "ي"}
)
QUOTES = str.maketrans({"’": "'", "`": "'", "״": '"', "׳": "'"})

# Hebrew prefix letters in the order they stack: ו, then ש/כש/מש/לכש, then one of ה ב ל מ כ,
# then the ה of a definite noun after מ (ומהבית is rare; ומה is common).
_HE_PREFIX = re.compile(r"^(ו?)(ש|כש|מש|לכש)?([הבלמכ])?(ה)?")
# Arabic proclitics: و/ف, then ب/ك/ل/س, then the article; لل is ل + ال; عال is على + ال;
# هال is the dialect demonstrative + ال (هالشركة "this company", Levantine and Gulf).
_AR_PREFIX = re.compile(r"^([وف]?)(لل|عال|هال|[بكلس])?(ال)?")
MIN_STEM = 2

_STEMMERS = {CYRILLIC: snowballstemmer.stemmer("russian"), LATIN: snowballstemmer.stemmer("english")}


def script_of(word: str) -> str | None:
    """The script of a word, by its first letter: he, ar, ru (Cyrillic), en (Latin) or None."""
    for ch in word:
        code = ord(ch)
        if 0x0590 <= code <= 0x05FF or 0xFB1D <= code <= 0xFB4F:
            return HEBREW
        if 0x0600 <= code <= 0x06FF or 0x0750 <= code <= 0x077F or 0xFB50 <= code <= 0xFEFC:
            return ARABIC
        if 0x0400 <= code <= 0x052F:
            return CYRILLIC
        if ch.isalpha():
            name = unicodedata.name(ch, "")
            return LATIN if name.startswith("LATIN") else None
    return None


def fold(word: str, script: str | None) -> str:
    """The one canonical spelling of a word (no prefix stripping, no stemming)."""
    word = MARKS.sub("", unicodedata.normalize("NFKC", word)).translate(QUOTES).casefold()
    if "*" in word:
        word = CENSORED.sub("*", word)  # f***ing and f*ing are one word
    if script == HEBREW:
        return word.translate(HEBREW_FINALS)
    if script == ARABIC:
        return word.translate(ARABIC_FOLD)
    if script == CYRILLIC:
        return word.replace("ё", "е")
    return word


def _hebrew_readings(word: str) -> set[str]:
    readings = {word}
    head, quote, tail = word.partition('"')
    if quote and _is_he_prefix(head) and len(tail) >= MIN_STEM and '"' not in tail:
        # A quotation mark after the prefix letters (ב"ידיעות", ה"טכנאי") opens a quoted word;
        # gershayim of an abbreviation sit before its last letter (עו"ד, ש"ח) and stay as they are.
        readings |= _hebrew_readings(tail)
    match = _HE_PREFIX.match(word)
    if not match:
        return readings
    # Every prefix of the matched prefix sequence is a possible split (ומה → ו, ומ, ומה).
    for end in range(1, match.end() + 1):
        if _is_he_prefix(word[:end]) and len(word) - end >= MIN_STEM:
            readings.add(word[end:])
    return readings


@lru_cache(maxsize=64)
def _is_he_prefix(prefix: str) -> bool:
    match = _HE_PREFIX.match(prefix)
    return bool(match) and match.end() == len(prefix)


def _arabic_readings(word: str) -> set[str]:
    readings = {word}
    match = _AR_PREFIX.match(word)
    if not match:
        return readings
    for end in range(1, match.end() + 1):
        prefix = word[:end]
        if _is_ar_prefix(prefix) and len(word) - end >= MIN_STEM:
            stem = word[end:]
            readings.add(stem)
            if prefix.endswith(("لل", "عال", "هال")):
                readings.add("ال" + stem)  # للمدير → المدير as well as مدير
    return readings


@lru_cache(maxsize=64)
def _is_ar_prefix(prefix: str) -> bool:
    match = _AR_PREFIX.match(prefix)
    return bool(match) and match.end() == len(prefix)


@dataclass(frozen=True, slots=True)
class WordKeys:
    keys: frozenset[str]  # looked up exactly
    bases: tuple[str, ...]  # looked up by their beginnings (lexicon entries ending in *)
    elongated: bool


@lru_cache(maxsize=50_000)
def word_keys(word: str, script: str | None) -> WordKeys:
    """The matching keys of one word; cached, as the same words come back in every message.

    keys: "=" + the folded word (the exact form); for he/ar every prefix-stripped reading
    (the word itself included); for ru/en "~" + the stem. bases: the readings (he/ar) or the
    folded word (ru/en), for prefix entries.
    """
    folded = fold(word, script)
    elongated = bool(ELONGATED.search(folded))
    spellings = [folded]
    if elongated:
        spellings = [ELONGATED.sub(r"\1", folded), ELONGATED.sub(r"\1\1", folded)]
    keys: set[str] = set()
    bases: set[str] = set()
    for spelling in spellings:
        keys.add("=" + spelling)
        if script == HEBREW:
            bases |= _hebrew_readings(spelling)
        elif script == ARABIC:
            bases |= _arabic_readings(spelling)
        else:
            bases.add(spelling)
            stemmer = _STEMMERS.get(script or "")
            if stemmer is not None:
                keys.add("~" + stemmer.stemWord(spelling))
    if script in (HEBREW, ARABIC):
        keys |= bases
    return WordKeys(frozenset(keys), tuple(sorted(bases)), elongated)


class Token(NamedTuple):
    start: int  # offsets in the original text
    end: int
    script: str | None  # he, ar, ru, en, None (other letters), "#" (a number)
    keys: frozenset[str]
    bases: tuple[str, ...]
    sentence: int
    clause: int
    caps: bool  # a Latin or Cyrillic word of 3+ letters, all capitals
    elongated: bool


@lru_cache(maxsize=50_000)
def _word(word: str) -> tuple[str | None, frozenset[str], tuple[str, ...], bool, bool]:
    if word[0].isdigit():
        return NUMBER, frozenset({NUMBER, "=" + word.casefold()}), (), False, False
    script = script_of(word)
    found = word_keys(word, script)
    letters = MARKS.sub("", word)
    caps = script in (LATIN, CYRILLIC) and len(letters) >= 3 and letters.isupper()
    return script, found.keys, found.bases, caps, found.elongated


def tokenise(text: str, max_tokens: int | None = None) -> tuple[list[Token], bool]:
    """The customer's own words and numbers in `text` (quoted "> " lines are skipped), with
    their keys, sentence and clause numbers; and whether `max_tokens` cut the text short."""
    tokens: list[Token] = []
    sentence = clause = 0
    position = 0
    segment_start = 0
    for quoted in [*QUOTED_LINE.finditer(text), None]:
        segment_end = quoted.start() if quoted else len(text)
        for match in TOKEN.finditer(text, segment_start, segment_end):
            if max_tokens is not None and len(tokens) >= max_tokens:
                return tokens, True
            start, end = match.span()
            if start - position > 1 or (start > position and text[position] != " "):
                between = text[position:start]
                if SENTENCE_BREAK.search(between):
                    sentence += 1
                    clause += 1
                elif CLAUSE_BREAK.search(between):
                    clause += 1
            position = end
            script, keys, bases, caps, elongated = _word(match.group())
            tokens.append(Token(start, end, script, keys, bases, sentence, clause, caps, elongated))
        if quoted:
            segment_start = quoted.end()
    return tokens, False
