"""Lexicon entries: their pattern syntax, the shipped defaults, and the compiled index.

A pattern is one or more words separated by spaces, all in one sentence:

- `lawyer`, `суд`: he/ar: the word once its prefixes or clitics are taken off (ולעורך →
  עורך); ru/en: every form with the same stem (суда, судом; lawyers);
- `=суда`: this form only (case and letter variants folded), no prefixes, no stemming;
- `руковод*`: any form that begins so (once prefixes are taken off, for he/ar);
- `...`: 0 to 4 words in between;
- `#`: a number.

Options: `manager*|supervisor|boss` is any one of these words (each read as above). A star
inside a word stands for a censored letter run: `f*ing` matches f***ing; a word ending in
`**` is censored at its end (`f** you`), not a beginning.

The same syntax is used by the shipped files (`lexicons/<language>.toml`) and by the entries
admins edit; both compile into one index over all four languages, because a word's keys
already depend on its script (a Hebrew word can only ever match a Hebrew entry).
"""

import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from .normalise import _STEMMERS, CYRILLIC, HEBREW, LATIN, fold, script_of

LEXICON_DIR = Path(__file__).resolve().parent / "lexicons"
LANGUAGES = ("en", "he", "ar", "ru")

ANGER = "anger"
ABUSE = "abuse"
LEGAL_THREAT = "legal_threat"
CHURN_THREAT = "churn_threat"
REPEAT_CONTACT = "repeat_contact"
MANAGER_REQUEST = "manager_request"
SIGNAL_KINDS = (ANGER, ABUSE, LEGAL_THREAT, CHURN_THREAT, REPEAT_CONTACT, MANAGER_REQUEST)
# Modifiers: a negation cancels the signal words in the few words after it (negation_after:
# before it, "в суд я не собираюсь"); an intensifier raises the anger of the word after it.
NEGATION = "negation"
NEGATION_AFTER = "negation_after"
INTENSIFIER = "intensifier"
MODIFIER_KINDS = (NEGATION, NEGATION_AFTER, INTENSIFIER)
KINDS = SIGNAL_KINDS + MODIFIER_KINDS
KIND_LABELS = {
    ANGER: _("Anger"),
    ABUSE: _("Abuse or threat against staff"),
    LEGAL_THREAT: _("Legal threat"),
    CHURN_THREAT: _("Churn threat"),
    REPEAT_CONTACT: _("Repeat contact"),
    MANAGER_REQUEST: _("Manager request"),
    NEGATION: _("Negation (cancels the signal words after it)"),
    NEGATION_AFTER: _("Negation (cancels the signal words before it)"),
    INTENSIFIER: _("Intensifier (raises the anger word after it)"),
}

CANDIDATE_CACHE_SIZE = 100_000  # distinct words remembered per compiled lexicon
GAP = "..."
GAP_MAX_WORDS = 4
MAX_PATTERN_WORDS = 8


class PatternError(ValueError):
    """A pattern that cannot be compiled; `message` says why, translated (the admin form)."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True, slots=True)
class WordOption:
    key: str  # what the word's keys or bases are compared with
    prefix: bool = False  # compare with the beginning of the word's bases


@dataclass(frozen=True, slots=True)
class WordPattern:
    options: tuple[WordOption, ...] = ()  # any one of them
    gap: bool = False  # "...": any 0..3 words
    exact: frozenset[str] = frozenset()  # the options' keys compared with a word's keys
    prefixes: tuple[str, ...] = ()  # the options' keys compared with a word's bases' beginnings

    @classmethod
    def of(cls, options: tuple[WordOption, ...]) -> "WordPattern":
        return cls(
            options,
            exact=frozenset(o.key for o in options if not o.prefix),
            prefixes=tuple(o.key for o in options if o.prefix),
        )


@dataclass(frozen=True, slots=True)
class Entry:
    language: str
    kind: str
    pattern: str
    weight: float
    words: tuple[WordPattern, ...]
    # A phrase whose last word is exact can match only a text that has one of these keys:
    # signals.py skips it at once otherwise (most phrases, in most texts).
    needs: frozenset[str] | None = None


def lexicon_pattern_parse(pattern: str, language: str) -> tuple[WordPattern, ...]:
    """Compile a pattern; raises PatternError with the reason if it cannot match anything."""
    parts = pattern.split()
    if not parts:
        raise PatternError(_("The pattern is empty."))
    if len(parts) > MAX_PATTERN_WORDS:
        raise PatternError(_("A pattern has at most %(count)d words.") % {"count": MAX_PATTERN_WORDS})
    if parts[0] == GAP or parts[-1] == GAP:
        raise PatternError(_("A pattern cannot begin or end with “...”."))
    words = []
    for part in parts:
        if part == GAP:
            words.append(WordPattern(gap=True))
        else:
            words.append(WordPattern.of(tuple(_word_option(option, language) for option in part.split("|"))))
    return tuple(words)


@lru_cache(maxsize=20_000)
def _word_option(part: str, language: str) -> WordOption:
    if part == "#":
        return WordOption("#")
    if part[0].isdigit():  # 2024, 3rd, 5-й: numbers are matched as written
        return WordOption("=" + part.casefold())
    exact = part.startswith("=")
    text = part[1:] if exact else part
    prefix = len(text) > 1 and text.endswith("*") and text[-2] != "*"
    if prefix:
        text = text[:-1]
    if exact and prefix:
        raise PatternError(
            _("“%(word)s”: a word is either exact (=word) or a beginning (word*), not both.") % {"word": part}
        )
    if not any(ch.isalpha() for ch in text) or "=" in text or "|" in text:
        raise PatternError(_("“%(word)s” is not a word pattern (word, =word or word*).") % {"word": part})
    script = script_of(text) or (LATIN if language == "en" else None)
    folded = fold(text, script)
    if prefix:
        if script == HEBREW and folded.startswith("ה") and len(folded) >= 4:
            folded = folded[1:]  # as below: the article drops after ב ל כ
        if len(folded) < 2:
            raise PatternError(_("“%(word)s”: a word beginning needs at least 2 letters.") % {"word": part})
        return WordOption(folded, prefix=True)
    if exact or script is None:
        return WordOption("=" + folded)
    if script in (CYRILLIC, LATIN):
        return WordOption("~" + _STEMMERS[script].stemWord(folded))
    if script == HEBREW and folded.startswith("ה") and len(folded) >= 4:
        # The article ה drops after ב ל כ (המפקח → למפקח): match the word without it, which
        # every form has among its readings.
        return WordOption(folded[1:])
    return WordOption(folded)


@dataclass(slots=True)
class CompiledLexicon:
    """Entries indexed by their first word: exact keys in one dict, word beginnings in another."""

    version: str = ""
    exact: dict[str, list[Entry]] = field(default_factory=lambda: defaultdict(list))
    prefix: dict[str, list[Entry]] = field(default_factory=lambda: defaultdict(list))
    prefix_lengths: tuple[int, ...] = ()
    size: int = 0
    _cache: dict = field(default_factory=dict)

    def add(self, entry: Entry) -> None:
        for option in entry.words[0].options:
            (self.prefix if option.prefix else self.exact)[option.key].append(entry)
        self.size += 1

    def candidates(self, keys: frozenset[str], bases: tuple[str, ...]):
        """The entries whose first word a word with these keys matches, as (one-word entries,
        longer entries); cached per word."""
        cache_key = (keys, bases)
        found = self._cache.get(cache_key)
        if found is None:
            entries: dict[int, Entry] = {}
            for key in keys:
                for entry in self.exact.get(key, ()):
                    entries[id(entry)] = entry
            for base in bases:
                for length in self.prefix_lengths:
                    if length > len(base):
                        break
                    for entry in self.prefix.get(base[:length], ()):
                        entries[id(entry)] = entry
            found = (
                tuple(e for e in entries.values() if len(e.words) == 1),
                tuple(e for e in entries.values() if len(e.words) > 1),
            )
            if len(self._cache) >= CANDIDATE_CACHE_SIZE:
                self._cache.clear()
            self._cache[cache_key] = found
        return found

    def finish(self) -> "CompiledLexicon":
        self.prefix_lengths = tuple(sorted({len(key) for key in self.prefix}))
        self.exact = dict(self.exact)
        self.prefix = dict(self.prefix)
        return self


def lexicon_compile(rows, *, version: str = "", strict: bool = False) -> CompiledLexicon:
    """Compile (language, kind, pattern, weight) rows. A row that does not parse is skipped
    (the admin form refuses such patterns, so only a hand-edited database has them), or
    raises PatternError when `strict` (the shipped files must all parse)."""
    compiled = CompiledLexicon(version=version)
    for language, kind, pattern, weight in rows:
        try:
            words = lexicon_pattern_parse(pattern, language)
        except PatternError as error:
            if strict:
                raise PatternError(f"{language} [{kind}] {pattern!r}: {error}") from error
            continue
        last = words[-1]
        needs = last.exact if len(words) > 1 and not last.prefixes else None
        compiled.add(Entry(language, kind, pattern, float(weight), words, needs))
    return compiled.finish()


def lexicon_default_rows(languages=LANGUAGES):
    """The shipped defaults: (language, kind, pattern, weight) for every line of the files."""
    for language in languages:
        with (LEXICON_DIR / f"{language}.toml").open("rb") as handle:
            data = tomllib.load(handle)
        for kind, patterns in data.items():
            if kind not in KINDS:
                raise ValueError(f"{language}.toml: unknown section [{kind}]")
            for pattern, weight in patterns.items():
                yield language, kind, pattern, float(weight)


_defaults: CompiledLexicon | None = None


def lexicon_defaults() -> CompiledLexicon:
    """The shipped lexicons, compiled once per process (evaluation, bench, no database)."""
    global _defaults
    if _defaults is None:
        _defaults = lexicon_compile(lexicon_default_rows(), version="defaults", strict=True)
    return _defaults
