"""The reply coach (R-WR-2): advice on an agent's draft before it goes to the customer.

Pure functions, no database: the desk passes in what it knows about the case (language,
customer's name, whether the customer is angry or wronged, who owns the case) and the admin's
jargon list. Every finding carries a short explanation in the agent's language (the active
translation) and the character spans it is about. The coach advises; it never blocks.

The readability index is the average sentence length in words plus the percentage of long
words. A "long word" is three or more syllables in English (vowel groups, a silent final e
not counted) and five or more in Russian (one syllable per vowel: Russian words run longer
for the same meaning). Hebrew and Arabic are written without most vowels, so a word of six or
more letters once its prefixes and clitics are removed stands in for a long word. The same
letter has fewer words per sentence in Hebrew, Arabic and Russian, so their sentence length
is weighted to let one set of bands fit all four (docs/subsystems/coach.md has the
calibration).
"""

import re
from dataclasses import dataclass, field
from functools import cache, lru_cache

from django.utils.translation import gettext as _

from amends.insight import coach_phrases

LANGUAGES = ("en", "he", "ar", "ru")
MAX_CHARS = 20_000  # a reply longer than this is checked on its first 20,000 characters
# Calibrated on coach_calibration/letters.json (the same letters in four languages): Hebrew,
# Arabic and Russian say the same in fewer words (no articles, joined prepositions).
SENTENCE_WEIGHT = {"en": 1.0, "ru": 1.4, "he": 1.6, "ar": 1.3}


@dataclass(frozen=True)
class Finding:
    code: str
    message: str
    spans: tuple[tuple[int, int], ...] = ()
    severity: str = "advice"  # "warning": the customer will read it badly; "advice": could be better


@dataclass(frozen=True)
class Readability:
    index: float
    band: str  # terse | ideal | memo | heavy | hard
    words: int
    sentences: int
    long_words: int

    @property
    def average_sentence(self) -> float:
        return self.words / self.sentences if self.sentences else 0.0

    @property
    def long_percent(self) -> float:
        return 100.0 * self.long_words / self.words if self.words else 0.0

    @property
    def label(self) -> str:
        return {
            "terse": _("Short and abrupt: join a few sentences so it reads warmly."),
            "ideal": _("Easy to read: right for a letter."),
            "memo": _("Reads like a memo: shorten a sentence or two."),
            "heavy": _("Heavy going: use shorter sentences and plainer words."),
            "hard": _("Hard to read: split long sentences and replace long words."),
        }[self.band]


@dataclass(frozen=True)
class CoachReport:
    findings: list[Finding] = field(default_factory=list)
    readability: Readability | None = None
    too_short: bool = False


@dataclass(frozen=True)
class CoachContext:
    """What the desk knows about the case the draft answers."""

    language: str = "en"
    customer_name: str = ""
    customer_upset: bool = False  # angry, abusive, asked for a manager, or wronged (escalated)
    owner_name: str = ""
    jargon: tuple[str, ...] = ()  # the admin's extra jargon patterns for this language


# --- normalising -----------------------------------------------------------------------------

_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")  # harakat, tatweel
_HEBREW_MARKS = re.compile("[\u0591-\u05c7]")  # niqqud and cantillation
_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")  # direction marks and overrides
_ARABIC_LETTERS = str.maketrans(
    {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي", "ؤ": "و", "ئ": "ي"}
)


def coach_text(text: str) -> str:
    """The draft as the patterns see it: same length and offsets as `text`, so a match's span
    is the span in the draft (marks become spaces rather than vanish)."""
    text = _CONTROLS.sub(" ", text)
    text = _ARABIC_MARKS.sub(" ", text)
    text = _HEBREW_MARKS.sub(" ", text)
    text = text.translate(_ARABIC_LETTERS).replace("ё", "е").replace("Ё", "Е").replace("’", "'")
    return text.lower() if text.isascii() else _lower_keep_length(text)


def _lower_keep_length(text: str) -> str:
    # str.lower() can change the length (İ → i̇); keep each character's offset.
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


@cache
def _compiled(patterns: tuple[str, ...], flags: int = 0) -> re.Pattern | None:
    # The text is lower-cased already: matching without IGNORECASE is several times faster.
    if not patterns:
        return None
    return re.compile("|".join(f"(?:{p})" for p in patterns), flags)


def _spans(patterns: list[str] | tuple[str, ...], text: str, flags: int = 0) -> tuple[tuple[int, int], ...]:
    pattern = _compiled(tuple(patterns), flags)
    if pattern is None:
        return ()
    return tuple(m.span() for m in pattern.finditer(text) if m.end() > m.start())


# --- readability -----------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"[.!?؟…।]+[\"'»”)]*(?=\s|$)|\n")
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_EN_VOWELS = re.compile(r"[aeiouy]+")
_RU_VOWELS = re.compile(r"[аеёиоуыэюя]")
_HE_PREFIX = re.compile(r"^(?:וכש|ושה|וכ|וב|וה|ול|ומ|וש|שה|שב|של|כש|מה|לה|בה|כה|[והבלמשכ])")
_AR_PREFIX = re.compile(r"^(?:وبال|وال|بال|فال|كال|لل|ال|و|ف|ب|ل)")


@lru_cache(maxsize=50_000)
def _syllables_en(word: str) -> int:
    word = word.lower()
    groups = len(_EN_VOWELS.findall(word))
    if word.endswith("e") and not word.endswith(("le", "ee", "ye")) and groups > 1:
        groups -= 1
    return max(groups, 1)


@lru_cache(maxsize=50_000)
def _is_long(word: str, language: str) -> bool:
    if language == "ru":
        return len(_RU_VOWELS.findall(word.lower())) >= 5
    if language == "he":
        stem = _HE_PREFIX.sub("", word) if len(word) > 4 else word
        return len(stem) >= 6
    if language == "ar":
        stem = _AR_PREFIX.sub("", word) if len(word) > 4 else word
        return len(stem) >= 6
    return _syllables_en(word) >= 3


def _sentences(text: str) -> list[str]:
    """Sentences of the body. A short line with no full stop (a greeting, a signature, a
    heading) is not a sentence and is left out."""
    kept = []
    for line in text.splitlines():
        words = len(_WORD.findall(line))
        if words >= 4 or (words and _SENTENCE_END.search(line)):
            kept.append(line)
    return [s for s in _SENTENCE_END.split("\n".join(kept)) if s and _WORD.search(s)]


def readability(text: str, language: str) -> Readability | None:
    sentences = _sentences(text)
    words = [w for s in sentences for w in _WORD.findall(s)]
    if len(words) < 8:
        return None
    long_words = sum(1 for w in words if _is_long(w, language))
    weight = SENTENCE_WEIGHT.get(language, 1.0)
    index = weight * len(words) / len(sentences) + 100.0 * long_words / len(words)
    return Readability(
        index=round(index, 1),
        band=readability_band(index),
        words=len(words),
        sentences=len(sentences),
        long_words=long_words,
    )


def readability_band(index: float) -> str:
    if index < 20:
        return "terse"
    if index <= 25:
        return "ideal"
    if index <= 30:
        return "memo"
    if index <= 40:
        return "heavy"
    return "hard"


# --- the checks ------------------------------------------------------------------------------


def _forbidden_message(code: str) -> str:
    return {
        "blames_policy": _(
            "Blames a policy or the management. Explain the reason in your own words and say what you can do."
        ),
        "not_my_department": _(
            "Passes the customer off. Whoever answers owns the problem: find the right person "
            "and tell the customer you did."
        ),
        "supervisor_away": _(
            "Makes the customer wait for someone who is away. Say who is handling it now and when."
        ),
        "nothing_to_do": _(
            "Closes the door. There is always a next step: say what you can do, even if it is not "
            "what was asked."
        ),
    }[code]


def _name_parts(name: str) -> list[str]:
    return [part for part in re.split(r"\s+", coach_text(name).strip()) if len(part) >= 2]


_SCRIPTS = {
    "he": re.compile("[\u05d0-\u05ea]"),
    "ar": re.compile("[\u0621-\u064a]"),
    "ru": re.compile("[а-яё]"),
}


def draft_language(text: str, fallback: str) -> str:
    """The language the draft is written in, by its script: four languages, four scripts. A
    draft in Latin letters is taken to be in the case's language when that is Latin too."""
    counts = {code: len(pattern.findall(text, 0, 2000)) for code, pattern in _SCRIPTS.items()}
    code, most = max(counts.items(), key=lambda item: item[1])
    if most >= 3:
        return code
    return fallback if fallback not in _SCRIPTS else "en"


def reply_coach(draft: str, context: CoachContext) -> CoachReport:
    """Everything the coach has to say about `draft`, most important first."""
    draft = (draft or "")[:MAX_CHARS]
    text = coach_text(draft)
    language = draft_language(text, context.language if context.language in LANGUAGES else "en")
    if len(_WORD.findall(text)) < 3:
        return CoachReport(too_short=True)
    findings: list[Finding] = []
    for code, by_language in coach_phrases.FORBIDDEN.items():
        spans = _spans(by_language.get(language, []) + by_language["en"] * (language != "en"), text)
        if spans:
            findings.append(Finding(code, _forbidden_message(code), spans, severity="warning"))
    if context.customer_upset and not _spans(coach_phrases.APOLOGY[language], text):
        findings.append(
            Finding(
                "no_apology",
                _(
                    "The customer is upset or was let down, and the reply does not apologise. "
                    "Say sorry for what happened before anything else."
                ),
                severity="warning",
            )
        )
    owner = _name_parts(context.owner_name)
    has_step = bool(_spans(coach_phrases.NEXT_STEP[language], text))
    if not has_step and not any(part in text for part in owner):
        findings.append(
            Finding(
                "no_owner",
                _("Nobody is named as doing something next. Say who will do what: “I will …”."),
            )
        )
    if not _spans(coach_phrases.WHEN["common"] + coach_phrases.WHEN[language], text):
        findings.append(
            Finding(
                "no_date",
                _("No date or time. Tell the customer when they will hear from you or when it will be done."),
            )
        )
    customer = _name_parts(context.customer_name)
    if customer and not any(part in text for part in customer):
        findings.append(
            Finding(
                "no_name",
                _("The customer's name is not used. Address them by name: it shows a person is writing."),
            )
        )
    jargon = _spans(coach_phrases.JARGON[language], text) + _spans(context.jargon, text, re.IGNORECASE)
    if jargon:
        findings.append(
            Finding(
                "jargon",
                _("Staff jargon the customer may not know. Say it in everyday words."),
                jargon,
            )
        )
    score = readability(draft, language)
    if score is not None and score.band != "ideal":
        findings.append(Finding("readability", score.label))
    return CoachReport(findings=findings, readability=score)


def coach_quotes(report: CoachReport, draft: str, *, most: int = 5) -> list[tuple[Finding, list[str]]]:
    """Each finding with the words of the draft it is about, for the agent to see marked."""
    draft = (draft or "")[:MAX_CHARS]
    return [(f, [draft[start:end] for start, end in f.spans[:most]]) for f in report.findings]
