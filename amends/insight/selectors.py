"""Reads of the insight app: the active lexicon, compiled once per version per process, and
what a text says (its language and its signals)."""

import threading
import time
from dataclasses import dataclass

from .language import LanguageGuess, language_detect
from .lexicon import CompiledLexicon, lexicon_compile, lexicon_defaults
from .models import Lexicon, LexiconEntry
from .signals import SignalReport, signals_detect

# How often a process asks the database whether a lexicon changed (one small query).
LEXICON_CHECK_SECONDS = 10.0

_compiled: CompiledLexicon | None = None
_checked_at = 0.0
_lock = threading.Lock()


def lexicon_versions() -> str:
    """One string that changes whenever any lexicon changes ("ar:3 en:7 he:2 ru:5")."""
    rows = Lexicon.objects.values_list("language", "version")
    return " ".join(f"{language}:{version}" for language, version in rows)


def lexicon_active() -> CompiledLexicon:
    """The active entries of every lexicon, compiled.

    Recompiled when a lexicon's version has changed, which this process checks at most every
    LEXICON_CHECK_SECONDS (a change made in this process is seen at once). With no lexicon rows
    at all, the shipped defaults.
    """
    global _compiled, _checked_at
    now = time.monotonic()
    if _compiled is not None and now - _checked_at < LEXICON_CHECK_SECONDS:
        return _compiled
    with _lock:
        versions = lexicon_versions()
        if not versions:
            # No lexicon rows at all (a flushed test database, a table emptied by hand): the
            # shipped defaults, rather than silently finding nothing.
            _compiled = lexicon_defaults()
        elif _compiled is None or _compiled.version != versions:
            rows = LexiconEntry.objects.filter(active=True).values_list(
                "lexicon__language", "kind", "pattern", "weight"
            )
            _compiled = lexicon_compile(rows.iterator(), version=versions)
        _checked_at = now
        return _compiled


def lexicon_reset() -> None:
    """Drop the compiled lexicon (tests: each test database has its own entries)."""
    global _compiled, _checked_at
    with _lock:
        _compiled = None
        _checked_at = 0.0


def lexicon_forget() -> None:
    """Make the next lexicon_active() check the versions (called after a change commits)."""
    global _checked_at
    _checked_at = 0.0


@dataclass(frozen=True, slots=True)
class TextInsight:
    language: LanguageGuess
    signals: SignalReport


def text_insight(text: str) -> TextInsight:
    """The language of a customer's text and the signals in it."""
    guess = language_detect(text)
    return TextInsight(language=guess, signals=signals_detect(text, guess.code, lexicon=lexicon_active()))
