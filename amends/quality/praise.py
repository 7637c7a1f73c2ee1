"""Praise in a customer's message, in he/ar/ru/en: a small lexicon that SUGGESTS kudos on the
case page; a person decides (kudos are never made from it alone).

Words go through insight's tokeniser (the same folding as the signal lexicons: case, niqqud and
harakat, Arabic letter variants, Hebrew final letters, Hebrew and Arabic prefixes taken off),
and an entry matches a word that begins with it: `благодар` finds благодарю and благодарна,
`מצוין` finds והמצוינת. A praise word that follows a negation in the same clause, right after
it or one word later, does not count ("not helpful", "not very helpful", "לא אדיב", "لم يكن
لطيفا").
"""

from functools import lru_cache

from amends.insight.normalise import fold, script_of, tokenise

# Beginnings of words; written for this lexicon.
PRAISE = {
    "en": (
        "thank",
        "grateful",
        "appreciat",
        "excellent",
        "amazing",
        "wonderful",
        "fantastic",
        "helpful",
        "superb",
        "outstanding",
        "brilliant",
        "patient",
        "courteous",
    ),
    "he": ("תודה", "תודות", "מודה", "מעולה", "מצוין", "נהדר", "אדיב", "סבלני", "מקצועי", "מדהים", "שאפו"),
    "ar": ("شكر", "ممتاز", "رائع", "لطيف", "محترف", "متعاون", "ممنون", "جزاك", "مشكور"),
    "ru": ("спасибо", "благодар", "отличн", "прекрасн", "замечательн", "вежлив", "профессионал", "молодец"),
}
NEGATIONS = {"not", "never", "no", "לא", "אין", "بلا", "لا", "لم", "لن", "ما", "ليس", "не", "ни", "нет"}
NEGATION_REACH = 2  # "not helpful", "not very helpful", "لم يكن لطيفا"
MAX_TOKENS = 2000  # a long mail: its first part says enough


@lru_cache(maxsize=1)
def _entries() -> dict[str, tuple[str, ...]]:
    return {lang: tuple(fold(w, script_of(w)) for w in words) for lang, words in PRAISE.items()}


def _negated(text: str, before: list, clause: int) -> bool:
    return any(t.clause == clause and fold(text[t.start : t.end], t.script) in NEGATIONS for t in before)


def praise_words(text: str) -> list[str]:
    """The praise words of `text`, as written there, in order, each once."""
    entries = _entries()
    tokens, _cut = tokenise(text or "", MAX_TOKENS)
    found: list[str] = []
    for n, token in enumerate(tokens):
        beginnings = entries.get(token.script or "")
        if not beginnings or not any(base.startswith(beginnings) for base in token.bases):
            continue
        if _negated(text, tokens[max(0, n - NEGATION_REACH) : n], token.clause):
            continue
        word = text[token.start : token.end]
        if word not in found:
            found.append(word)
    return found
