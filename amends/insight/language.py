"""The language of a text (issue 6, point 1), offline, with lingua.

One detector per process, built on first use with only the languages Amends serves plus the
few that are easily mistaken for them (Ukrainian, Belarusian and Bulgarian for Russian;
Persian and Urdu for Arabic). A confusable language wins only when the text shows one of its
own letters (or, for Bulgarian, when lingua is sure and no Russian-only letter is present):
short Russian without ы, э or ё otherwise comes out Ukrainian. Measured choices are in
docs/insight.md.
"""

import re
import threading
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from lingua import Language, LanguageDetector, LanguageDetectorBuilder

SUPPORTED = ("en", "he", "ar", "ru")
# Mistaken for a supported language on short text; listed so that they are reported as what
# they are instead of being forced into Russian or Arabic.
CONFUSABLE = ("uk", "be", "bg", "fa", "ur")
# Letters one language has and the supported language it is confused with has not.
TELL_TALE = {
    "uk": re.compile("[іїєґ]", re.IGNORECASE),
    "be": re.compile("[іў]", re.IGNORECASE),
    "fa": re.compile("[پچژگی]"),
    "ur": re.compile("[ٹڈڑںےھ]"),
}
RUSSIAN_ONLY = re.compile("[ыэё]", re.IGNORECASE)
BULGARIAN_SURE = 0.9
# Longer texts add nothing to the guess and only cost time (the start of a mail is its own
# words; quoted history follows).
MAX_CHARS = 2000
# Fewer letters than this is "not enough text": "ok", "??", "👍👍", "12345".
MIN_LETTERS = 4

NOT_ENOUGH_TEXT = _("Not enough text to tell the language.")
INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\u061c\ufeff\u00ad]")


@dataclass(frozen=True, slots=True)
class LanguageShare:
    code: str
    share: float  # of the text's letters, 0..1


@dataclass(frozen=True, slots=True)
class LanguageGuess:
    """`code` is an ISO 639-1 code, or None when the text has too few letters to tell.

    `mixed` lists every language found with its share of the text, largest first; one entry
    for a text in one language, none when there is not enough text.
    """

    code: str | None
    confidence: float
    mixed: tuple[LanguageShare, ...] = ()

    @property
    def enough_text(self) -> bool:
        return self.code is not None

    @property
    def is_mixed(self) -> bool:
        return len(self.mixed) > 1

    @property
    def supported(self) -> bool:
        return self.code in SUPPORTED

    @property
    def message(self) -> str:
        return "" if self.enough_text else str(NOT_ENOUGH_TEXT)


NOT_ENOUGH = LanguageGuess(code=None, confidence=0.0)

_detector: LanguageDetector | None = None
_detector_lock = threading.Lock()


def _build_detector() -> LanguageDetector:
    global _detector
    with _detector_lock:
        if _detector is None:
            languages = [Language.from_iso_code_639_1(_iso(code)) for code in SUPPORTED + CONFUSABLE]
            _detector = LanguageDetectorBuilder.from_languages(*languages).with_low_accuracy_mode().build()
    return _detector


def _iso(code: str):
    from lingua import IsoCode639_1

    return getattr(IsoCode639_1, code.upper())


def _code(language: Language) -> str:
    return language.iso_code_639_1.name.lower()


# The supported language a confusable one is taken for when its letters are missing.
SAME_SCRIPT = {"uk": "ru", "be": "ru", "bg": "ru", "fa": "ar", "ur": "ar"}


def _plausible(code: str, text: str, confidence: float) -> bool:
    """A confusable language is believed only on evidence a reader would accept."""
    if code in SUPPORTED:
        return True
    if code == "bg":
        return confidence >= BULGARIAN_SURE and not RUSSIAN_ONLY.search(text)
    return bool(TELL_TALE[code].search(text))


def _believed(detector: LanguageDetector, language: Language, text: str) -> str:
    code = _code(language)
    if code in SUPPORTED:
        return code
    confidence = detector.compute_language_confidence(text, language) if code == "bg" else 1.0
    return code if _plausible(code, text, confidence) else SAME_SCRIPT[code]


def language_detect(text: str) -> LanguageGuess:
    """Guess the language of `text` (any string; never raises on odd input).

    A mixed text takes the language with the most words, which is the language of its
    sentence frame ("Hebrew with iPhone is Hebrew"); a tie goes to the language it opens with.
    Words, not letters, because Hebrew and Arabic spell the same words with fewer letters.
    """
    if isinstance(text, bytes | bytearray):
        text = bytes(text).decode("utf-8", errors="replace")
    text = INVISIBLE.sub("", (text or "")[:MAX_CHARS] if isinstance(text, str) else "")
    if sum(1 for ch in text if ch.isalpha()) < MIN_LETTERS:
        return NOT_ENOUGH
    detector = _detector or _build_detector()
    words: dict[str, int] = {}
    parts: dict[str, list[str]] = {}
    for section in detector.detect_multiple_languages_of(text):
        part = text[section.start_index : section.end_index]
        code = _believed(detector, section.language, part)
        words[code] = words.get(code, 0) + section.word_count
        parts.setdefault(code, []).append(part)
    total = sum(words.values())
    if not total:
        return NOT_ENOUGH
    order = list(words)  # first section first: the tie-break
    main = max(order, key=lambda code: (words[code], -order.index(code)))
    main_text = " ".join(parts[main])
    confidence = sum(
        value.value
        for value in detector.compute_language_confidence_values(main_text)
        if _believed(detector, value.language, main_text) == main
    )
    shares = sorted(
        (LanguageShare(code, round(count / total, 3)) for code, count in words.items()),
        key=lambda share: (share.code != main, -share.share),
    )
    return LanguageGuess(code=main, confidence=round(min(confidence, 1.0), 3), mixed=tuple(shares))
