"""Text → shingles for near-duplicate detection, the same way in Hebrew, Arabic, Russian and
English.

The normalisation folds what varies between two people writing the same complaint, or one
person writing it twice: case, niqqud and harakat, tatweel, Arabic letter variants, Hebrew
final letters, ё, punctuation, emoji, and numbers long enough to be order ids, dates or phone
numbers. Shingles are character 5-grams of the normalised words (robust to Hebrew prefixes,
Arabic clitics and Russian endings) plus word pairs of light stems (order, on top of content).
docs/subsystems/similar.md says why these and what was measured.
"""

import re
import unicodedata
from itertools import pairwise

# Text beyond this is not read: a complaint's gist is in its first pages, and a 1 MB paste
# must cost no more than a long letter (docs/subsystems/similar.md, "Bad input").
MAX_CHARS = 20_000
CHAR_NGRAM = 5

_FOLD = str.maketrans(
    {
        # Arabic letter variants (what writers and keyboards mix up)
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ة": "ه",
        "ى": "ي",
        "ی": "ي",  # Persian yeh, from Persian keyboard layouts
        "ک": "ك",  # Persian keheh
        "ـ": None,  # tatweel
        # Hebrew final letters
        "ך": "כ",
        "ם": "מ",
        "ן": "נ",
        "ף": "פ",
        "ץ": "צ",
        # Russian
        "ё": "е",
    }
)
# Words: runs of letters, digits and combining marks; everything else (punctuation, symbols,
# emoji, Hebrew maqaf and geresh) separates words.
_WORD = re.compile(r"[^\W_]+")
_DROPPED = re.compile(
    "["
    "\u0300-\u036f"  # combining accents (Latin, Cyrillic stress marks)
    "\u0591-\u05bd\u05bf\u05c1\u05c2\u05c4\u05c5\u05c7"  # Hebrew niqqud and cantillation (not maqaf)
    "\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e4\u06e7\u06e8\u06ea-\u06ed"  # harakat
    "\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff"  # format characters
    "\ud800-\udfff"  # lone surrogates
    "]"
)
_HEBREW_PREFIXES = frozenset("והבלמשכ")
_ARABIC_PREFIXES = ("وال", "فال", "بال", "كال", "لل", "ال", "و", "ف", "ب", "ل", "ك")


def normalise(text: str) -> list[str]:
    """The words of `text`, folded for comparison. Never raises on any str."""
    text = unicodedata.normalize("NFKC", text[:MAX_CHARS]).casefold().translate(_FOLD)
    # Niqqud, harakat, accents and stress marks go (after NFKC, which composes й and accented
    # letters first); so do invisible format characters (bidi overrides, joiners, soft hyphens)
    # and lone surrogates (undecodable bytes smuggled into a str), which could not be encoded.
    text = _DROPPED.sub("", text)
    return [word for word in _WORD.findall(text) if not _is_identifier(word)]


def _is_identifier(word: str) -> bool:
    # Order ids, phone numbers, dates and amounts differ between two reports of the same
    # fault; a short number ("3 times", "9 days") is part of what was said.
    return len(word) >= 4 and any(ch.isdigit() for ch in word)


def light_stem(word: str) -> str:
    """A crude, consistent stem for word pairs: the same word with a different prefix, clitic
    or ending maps to the same key. Over-stemming only merges keys; both texts are folded alike.
    """
    first = word[0]
    if "\u0590" <= first <= "\u05ff":
        # Up to two prefix letters (ו, ה, ב, ל, מ, ש, כ and pairs such as וה, שב), keeping 3+.
        for _ in range(2):
            if len(word) > 3 and word[0] in _HEBREW_PREFIXES:
                word = word[1:]
        return word
    if "\u0600" <= first <= "\u06ff":
        for prefix in _ARABIC_PREFIXES:
            if word.startswith(prefix) and len(word) - len(prefix) >= 3:
                return word[len(prefix) :]
        return word
    # Russian and English: the first five letters carry the stem; endings vary.
    return word[:5]


def shingles(text: str) -> set[str]:
    """The features of a text: character 5-grams of each word padded with spaces (short words
    become one feature) and pairs of consecutive light stems."""
    words = normalise(text)
    features: set[str] = set()
    for word in words:
        padded = f" {word} "
        if len(padded) <= CHAR_NGRAM:
            features.add(padded)
        else:
            features.update(padded[i : i + CHAR_NGRAM] for i in range(len(padded) - CHAR_NGRAM + 1))
    stems = [light_stem(w) for w in words]
    features.update(f"{a}\x00{b}" for a, b in pairwise(stems))
    return features
