"""Helpers for the four languages Amends speaks."""

from django.conf import settings
from django.utils import translation

LANGUAGE_CODES = tuple(code for code, _name in settings.LANGUAGES)
RTL_LANGUAGES = frozenset({"he", "ar"})


def normalise_language(code: str | None, default: str = "en") -> str:
    """Map 'he-IL', 'iw', 'AR' … to one of our bare codes."""
    if not code:
        return default
    base = code.replace("_", "-").split("-")[0].lower()
    base = {"iw": "he"}.get(base, base)
    return base if base in LANGUAGE_CODES else default


def is_rtl(code: str) -> bool:
    return code in RTL_LANGUAGES


def override(code: str):
    return translation.override(normalise_language(code))
