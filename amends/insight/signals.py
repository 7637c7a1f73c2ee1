"""Signals in a customer's message (issue 6, point 2): a fast rule engine over lexicons.

`signals_detect(text, language)` finds lexicon entries in the text (normalise.py makes the
keys, lexicon.py the index), then scores each signal kind:

1. Quoted mail history ("> " lines) is not read: only the customer's own words count. The
   quoted history itself is evidence of an earlier contact (repeat_contact).
2. A match with a negation in the NEGATION_WINDOW words before it, in the same clause, does
   not count ("I am NOT threatening legal action"); nor one followed by a negation_after
   entry ("в суд я не собираюсь"). A negation inside a condition ("if you do not …") reaches
   only CONDITION_NEGATION_WINDOW words: the threat that follows the condition stands. A
   negation never cancels a repeat contact ("I'm not explaining this a fifth time").
3. A negative-weight entry ("insurance claim", "my lawyer friend") cancels the matches of its
   kind that overlap it, and its weight is added to that kind's total.
4. An intensifier next to an anger word (up to INTENSIFIER_WINDOW words before or after, in
   the same clause) multiplies its weight by INTENSIFIER_BOOST.
5. Anger also rises with the way the text is written: runs of "!!!" and "?!", words in
   capitals, elongated words ("sooo"), angry emoji; and abuse lifts anger to at least 2.

A kind is reported when its total reaches 1.0; its score is 1 - 0.5**total (1.0 → 0.5,
2.0 → 0.75). Anger is reported from level 1, with its level (0–3) and an intensity 0..1.
The thresholds and feature weights are in one place, below.

Input is never trusted: any string is accepted. Only the first MAX_CHARS characters are
scanned and, of the customer's own words in them, the first MAX_WORDS (a long complaint
letter is 300–600 words; this bounds the time a 1 MB paste takes); a text with fewer than
MIN_LETTERS letters is "not enough text".
"""

import re
from collections import Counter
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from . import lexicon as lx
from .lexicon import CompiledLexicon, Entry
from .normalise import QUOTED_LINE, Token, tokenise

MAX_CHARS = 20_000
MAX_WORDS = 600
MIN_LETTERS = 2

REPORT_AT = 1.0  # a kind's total at which it is reported
NEGATION_WINDOW = 5  # words after a negation that it cancels (same clause)
# Words before a negation_after entry that it cancels: "судиться из-за 150 рублей я не собираюсь".
NEGATION_AFTER_WINDOW = 6
# A negation does not cancel a repeat contact: "I'm not explaining this a fifth time",
# "אני לא מסביר פעם חמישית", "не буду в пятый раз объяснять" still say it is the fifth time.
NEGATION_IMMUNE = frozenset({lx.REPEAT_CONTACT})
# In a condition ("if you do not refund me I will sue", "אם לא תחזירו אגיש תביעה") the
# negation belongs to the condition: it reaches only its next words, not the threat after it.
CONDITION_WORDS = frozenset({"=if", "=unless", "אמ", "=اذا", "=لو", "=если"})
CONDITION_NEGATION_WINDOW = 2
INTENSIFIER_WINDOW = 2  # words before and after an intensifier that it raises
INTENSIFIER_BOOST = 1.5
QUOTED_HISTORY_WEIGHT = 1.0  # quoted history alone is a repeat contact
# Anger from the way the text is written.
PUNCTUATION_RUN = re.compile(r"[!?！？؟]{2,}|[!！]")
EXCLAIM_WEIGHTS = {"!": 0.25, "!!": 0.5, "!!!": 1.0, "?!": 0.6, "??": 0.3}
EXCLAIM_MAX = 2.0
CAPS_WORD_WEIGHT = 0.3  # one word in capitals: emphasis ("I PAID the bill")
CAPS_SHOUTING = 1.6  # most of the text in capitals: shouting
CAPS_MAX = 0.9  # emphasis words count up to this
ELONGATED_WEIGHT = 0.3
ELONGATED_MAX = 0.6
ANGRY_EMOJI = re.compile("[\U0001f620\U0001f621\U0001f624\U0001f92c\U0001f595\U0001f47f\U0001f4a2]")
EMOJI_WEIGHT = 0.7
EMOJI_MAX = 1.4
# Another signal adds to anger: a threat or a demand is rarely written calmly, though a formal
# letter can be (its polite formulas are negative anger entries in the lexicons). Abuse always
# means anger >= 2.
SIGNAL_ANGER = {
    lx.ABUSE: 1.2,
    lx.LEGAL_THREAT: 0.8,
    lx.CHURN_THREAT: 0.6,
    lx.REPEAT_CONTACT: 0.5,
    lx.MANAGER_REQUEST: 0.5,
}
# A sentence of one or two words ("Manager." "Your boss." "Lovely." "Thieves.") says more than
# the same words inside a longer one.
ELLIPTICAL_WORDS = 2
ELLIPTICAL_BONUS = 0.7
ELLIPTICAL_KINDS = ("anger", "manager_request", "abuse")
# Anger levels by total: 1 mild, 2 angry, 3 furious.
ANGER_LEVELS = ((3, 2.6), (2, 1.2), (1, 0.4))
ANGER_FULL = 3.5  # the total at which intensity reaches 1.0

NOT_ENOUGH_TEXT = _("Not enough text to look for signals.")
ANGER_LEVEL_LABELS = {1: _("Mild annoyance"), 2: _("Angry"), 3: _("Furious")}
TRUNCATED = _("The text is long: only its beginning was read.")


@dataclass(frozen=True, slots=True)
class Signal:
    kind: str
    score: float  # 0..1
    spans: tuple[tuple[int, int], ...]  # character offsets in the original text
    level: int = 1  # anger: 1 mild, 2 angry, 3 furious; other kinds: 1

    def words(self, text: str) -> list[str]:
        return [text[start:end] for start, end in self.spans]

    @property
    def label(self) -> str:
        if self.kind == lx.ANGER:
            return str(ANGER_LEVEL_LABELS[self.level])
        return str(lx.KIND_LABELS[self.kind])


@dataclass(frozen=True, slots=True)
class SignalReport:
    """The signals found, strongest first; iterable like a list."""

    signals: tuple[Signal, ...] = ()
    enough_text: bool = True
    truncated: bool = False
    language: str | None = None

    def __iter__(self):
        return iter(self.signals)

    def __len__(self) -> int:
        return len(self.signals)

    def get(self, kind: str) -> Signal | None:
        return next((signal for signal in self.signals if signal.kind == kind), None)

    def has(self, kind: str, level: int = 1) -> bool:
        signal = self.get(kind)
        return signal is not None and signal.level >= level

    @property
    def anger_level(self) -> int:
        signal = self.get(lx.ANGER)
        return signal.level if signal else 0

    @property
    def message(self) -> str:
        if not self.enough_text:
            return str(NOT_ENOUGH_TEXT)
        if self.truncated:
            return str(TRUNCATED)
        return ""


@dataclass(slots=True)
class Match:
    entry: Entry
    first: int  # token indexes
    last: int
    tokens: tuple[int, ...]  # the matched (non-gap) tokens


@dataclass(slots=True)
class _Tally:
    total: float = 0.0
    spans: list[tuple[int, int]] = field(default_factory=list)


def signals_detect(text: str, language: str | None = None, *, lexicon: CompiledLexicon | None = None):
    """The signals in `text` (a customer's message), as a SignalReport.

    `language` is the message's language (language_detect) and is kept on the report; words
    are read with the lexicon of their own script, so mixed-language text works. `lexicon`
    defaults to the active lexicon (admins' entries, recompiled when they change).
    """
    if isinstance(text, bytes | bytearray):
        text = bytes(text).decode("utf-8", errors="replace")
    elif not isinstance(text, str):
        text = "" if text is None else str(text)
    if lexicon is None:
        from .selectors import lexicon_active

        lexicon = lexicon_active()
    head = text[:MAX_CHARS]
    if not _has_letters(head, MIN_LETTERS):
        return SignalReport(enough_text=False, language=language)
    tokens, cut = tokenise(head, MAX_WORDS)
    truncated = cut or len(text) > MAX_CHARS
    matches = _matches(tokens, lexicon)
    tallies = _score(tokens, matches)
    quoted = QUOTED_LINE.search(head)
    if quoted:
        _add(tallies, lx.REPEAT_CONTACT, QUOTED_HISTORY_WEIGHT, [quoted.span()])
    # Punctuation and emoji of the customer's own words: quoted lines blanked (offsets kept),
    # and nothing after the last word read.
    own_text = QUOTED_LINE.sub(lambda line: " " * len(line.group()), head) if quoted else head
    if cut and tokens:
        own_text = own_text[: tokens[-1].end]
    _add_style_anger(own_text, tokens, tallies)
    return SignalReport(signals=_signals(tallies), truncated=truncated, language=language)


LETTER = re.compile(r"[^\W\d_]")


def _has_letters(text: str, count: int) -> bool:
    found = 0
    for _letter in LETTER.finditer(text):
        found += 1
        if found >= count:
            return True
    return False


def _add(tallies: dict[str, _Tally], kind: str, weight: float, spans) -> None:
    tally = tallies.setdefault(kind, _Tally())
    tally.total += weight
    tally.spans.extend(spans)


def _matches(tokens: list[Token], lexicon: CompiledLexicon) -> list[Match]:
    found = []
    present: set[str] = set()  # every key of the text: a phrase whose last word is absent cannot match
    for token in tokens:
        present.update(token.keys)
    for index, token in enumerate(tokens):
        singles, phrases = lexicon.candidates(token.keys, token.bases)
        for entry in singles:
            found.append(Match(entry, index, index, (index,)))
        for entry in phrases:
            if entry.needs is not None and entry.needs.isdisjoint(present):
                continue
            matched = _match_rest(tokens, index, entry.words, 1, (index,))
            if matched:
                found.append(Match(entry, index, matched[-1], matched))
    return found


def _word_matches(token: Token, word) -> bool:
    if not word.exact.isdisjoint(token.keys):
        return True
    for prefix in word.prefixes:
        for base in token.bases:
            if base.startswith(prefix):
                return True
    return False


def _match_rest(tokens: list[Token], index: int, words, position: int, matched: tuple[int, ...]):
    """The token indexes that match words[position:] after tokens[index], or None."""
    if position == len(words):
        return matched
    word = words[position]
    sentence = tokens[index].sentence
    if word.gap:
        for skip in range(GAP_SKIPS):
            following = index + skip
            if following >= len(tokens) - 1 or tokens[following + 1].sentence != sentence:
                return None
            result = _match_rest(tokens, following, words, position + 1, matched)
            if result:
                return result
        return None
    following = index + 1
    if following >= len(tokens) or tokens[following].sentence != sentence:
        return None
    if not _word_matches(tokens[following], word):
        return None
    return _match_rest(tokens, following, words, position + 1, (*matched, following))


GAP_SKIPS = lx.GAP_MAX_WORDS + 1


def _score(tokens: list[Token], matches: list[Match]) -> dict[str, _Tally]:
    count = len(tokens)
    # Which tokens a negation, a negation_after or an intensifier reaches (same clause).
    negated_start = [False] * count  # a match starting here has a negation before it
    negated_end = [False] * count  # a match ending here has a negation_after after it
    intensified = [False] * count
    for match in matches:
        kind = match.entry.kind
        if kind == lx.NEGATION:
            window = CONDITION_NEGATION_WINDOW if _in_condition(tokens, match.first) else NEGATION_WINDOW
            _reach(tokens, negated_start, match.last, range(match.last + 1, match.last + 1 + window))
        elif kind == lx.NEGATION_AFTER:
            _reach(tokens, negated_end, match.first, range(match.first - NEGATION_AFTER_WINDOW, match.first))
        elif kind == lx.INTENSIFIER:
            # Either side: "very angry", "כועס מאוד", "متضايق جدا".
            around = [
                *range(match.first - INTENSIFIER_WINDOW, match.first),
                *range(match.last + 1, match.last + 1 + INTENSIFIER_WINDOW),
            ]
            _reach(tokens, intensified, match.last, around)
    signal_matches = [m for m in matches if m.entry.kind in lx.SIGNAL_KINDS]
    positives = [m for m in signal_matches if m.entry.weight >= 0]
    # A longer positive phrase beats a negative entry inside it: "thanks for nothing" is anger
    # although "thanks" alone lowers it.
    cancels = [n for n in signal_matches if n.entry.weight < 0 and not _inside_longer(n, positives)]
    cancelled: dict[str, set[int]] = {}
    for cancel in cancels:
        cancelled.setdefault(cancel.entry.kind, set()).update(range(cancel.first, cancel.last + 1))
    sentence_sizes = Counter(token.sentence for token in tokens)
    tallies: dict[str, _Tally] = {}
    for cancel in cancels:
        _add(tallies, cancel.entry.kind, cancel.entry.weight, [])
    for match in positives:
        entry = match.entry
        if (negated_start[match.first] or negated_end[match.last]) and entry.kind not in NEGATION_IMMUNE:
            continue
        covered = cancelled.get(entry.kind)
        if covered and any(i in covered for i in range(match.first, match.last + 1)):
            continue
        weight = entry.weight
        if entry.kind == lx.ANGER and (intensified[match.first] or intensified[match.last]):
            weight *= INTENSIFIER_BOOST
        sentence_size = sentence_sizes[tokens[match.first].sentence]
        if entry.kind in ELLIPTICAL_KINDS and sentence_size <= ELLIPTICAL_WORDS:
            weight += ELLIPTICAL_BONUS
        _add(tallies, entry.kind, weight, [(tokens[i].start, tokens[i].end) for i in match.tokens])
    return tallies


def _in_condition(tokens: list[Token], index: int) -> bool:
    """Whether a condition word opens the clause before tokens[index] (within a few words)."""
    clause = tokens[index].clause
    for before in range(index - 1, max(-1, index - 1 - NEGATION_WINDOW), -1):
        if tokens[before].clause != clause:
            return False
        if tokens[before].keys & CONDITION_WORDS:
            return True
    return False


def _reach(tokens: list[Token], marks: list[bool], origin: int, indexes) -> None:
    clause = tokens[origin].clause
    for index in indexes:
        if 0 <= index < len(tokens) and tokens[index].clause == clause:
            marks[index] = True


def _inside_longer(negative: Match, positives: list[Match]) -> bool:
    span = negative.last - negative.first
    return any(
        p.entry.kind == negative.entry.kind
        and p.first <= negative.first
        and negative.last <= p.last
        and p.last - p.first > span
        for p in positives
    )


def _add_style_anger(text: str, tokens: list[Token], tallies: dict[str, _Tally]) -> None:
    own_words = [t for t in tokens if t.script in ("en", "ru")]
    caps = [t for t in own_words if t.caps]
    if len(caps) >= 4 and len(caps) >= 0.6 * len(own_words):
        _add(tallies, lx.ANGER, CAPS_SHOUTING, [(t.start, t.end) for t in caps])
    elif caps:
        _add(tallies, lx.ANGER, min(CAPS_MAX, CAPS_WORD_WEIGHT * len(caps)), [(t.start, t.end) for t in caps])
    elongated = [t for t in tokens if t.elongated]
    if elongated:
        weight = min(ELONGATED_MAX, ELONGATED_WEIGHT * len(elongated))
        _add(tallies, lx.ANGER, weight, [(t.start, t.end) for t in elongated])
    exclaim, spans = 0.0, []
    for run in PUNCTUATION_RUN.finditer(text):
        exclaim += EXCLAIM_WEIGHTS[_punctuation_kind(run.group())]
        spans.append(run.span())
    if exclaim:
        _add(tallies, lx.ANGER, min(EXCLAIM_MAX, exclaim), spans)
    emoji = list(ANGRY_EMOJI.finditer(text))
    if emoji:
        _add(tallies, lx.ANGER, min(EMOJI_MAX, EMOJI_WEIGHT * len(emoji)), [m.span() for m in emoji])
    for kind, weight in SIGNAL_ANGER.items():
        tally = tallies.get(kind)
        if tally and tally.total >= REPORT_AT:
            _add(tallies, lx.ANGER, weight, [])


def _punctuation_kind(run: str) -> str:
    exclaims = sum(1 for ch in run if ch in "!！")
    if exclaims and exclaims < len(run):
        return "?!"
    if not exclaims:
        return "??"
    return "!" if exclaims == 1 else "!!" if exclaims == 2 else "!!!"


def _signals(tallies: dict[str, _Tally]) -> tuple[Signal, ...]:
    signals = []
    for kind, tally in tallies.items():
        spans = tuple(sorted(set(tally.spans)))
        if kind == lx.ANGER:
            level = next((level for level, at in ANGER_LEVELS if tally.total >= at), 0)
            if level:
                signals.append(Signal(kind, round(min(1.0, tally.total / ANGER_FULL), 3), spans, level))
        elif tally.total >= REPORT_AT:
            signals.append(Signal(kind, round(1 - 0.5**tally.total, 3), spans))
    return tuple(sorted(signals, key=lambda s: (-s.score, s.kind)))
