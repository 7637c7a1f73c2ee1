"""Evaluation of the insight app on its own labelled set (issue 6, point 7): `make eval`.

    python -m amends.insight.evaluate [--part dev|held-out|both] [--database] [--misses dev|held-out]

Prints precision, recall and F1 per signal and per language, language-identification
accuracy on texts of 20+ characters, and one PASS/FAIL line per target and language.

The set (docs/insight-eval.md) is split once, by a rule fixed before any lexicon was written:
a text is in the DEVELOPMENT part when crc32 of its id's number (as a decimal string) is 0
mod 3 (en-009, he-009, ar-009 and ru-009 alike), about a third of each file; everything else
is HELD OUT. Lexicons were written looking at the development part only; the held-out numbers
are the ones that count. Never tune against the held-out part: look at its misses only to
explain them (docs/insight.md).

The development part also holds every line of `eval/dev-extra/<lang>.jsonl` (ids "he-x001"):
texts written later to grow the development data without touching the split. They are always
DEV, so the held-out part stays exactly the texts it was.
"""

import argparse
import json
import sys
import zlib
from dataclasses import dataclass, field
from pathlib import Path

EVAL_DIR = Path(__file__).resolve().parent / "eval"
DEV_EXTRA_DIR = EVAL_DIR / "dev-extra"
DEV_EXTRA_MARK = "x"  # "he-x001": a dev-extra id
LANGUAGES = ("en", "he", "ar", "ru")
SIGNALS = ("high_anger", "abuse", "legal_threat", "churn_threat", "repeat_contact", "manager_request")
# The targets of issue 6, per language: the one place they are written down.
TARGETS = {"legal_threat": 0.90, "abuse": 0.90, "high_anger": 0.85, "manager_request": 0.90}
# The regression floors `make test` asserts on the development part (old lines and dev-extra):
# the targets, except where the development part itself stays below a target (then the score
# reached, so that it cannot fall further unnoticed).
# Arabic high anger (0.84 before) reached its target on the development part in round 4; English
# high anger fell to 0.843 there when dev-extra batch 3 added 32 English texts, mostly calm-worded
# legal threats labelled angry (docs/insight.md, "Round 4").
DEV_FLOORS = {
    ("high_anger", "en"): 0.84,
}

LANGUAGE_ID_TARGET = 0.99
LANGUAGE_ID_MIN_CHARS = 20
CATEGORY_TARGET = 0.70  # cause category top-1 (issue 6, point 4): not built yet
HIGH_ANGER = 2
DEV, HELD_OUT = "dev", "held-out"


def eval_part(identifier: str | int) -> str:
    """DEV or HELD_OUT for an id ("he-009"), a dev-extra id ("he-x001", always DEV) or a line
    number (langid.jsonl)."""
    tail = str(identifier).rsplit("-", 1)[-1]
    if tail.startswith(DEV_EXTRA_MARK):
        return DEV
    return DEV if zlib.crc32(str(int(tail)).encode()) % 3 == 0 else HELD_OUT


def eval_rows(language: str) -> list[dict]:
    """The lines of eval/<language>.jsonl (both parts; not the dev-extra texts)."""
    with (EVAL_DIR / f"{language}.jsonl").open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def dev_extra_rows(language: str) -> list[dict]:
    """The lines of eval/dev-extra/<language>.jsonl: development texts only."""
    path = DEV_EXTRA_DIR / f"{language}.jsonl"
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    for row in rows:
        if not row["id"].startswith(f"{language}-{DEV_EXTRA_MARK}"):
            expected = f"{language}-{DEV_EXTRA_MARK}NNN"
            raise ValueError(f"{path.name}: {row['id']!r} is not a dev-extra id ({expected})")
    return rows


def part_rows(language: str, part: str) -> list[dict]:
    """The texts of one language in one part: DEV adds the dev-extra texts."""
    rows = [row for row in eval_rows(language) if eval_part(row["id"]) == part]
    return rows + dev_extra_rows(language) if part == DEV else rows


def langid_rows() -> list[dict]:
    with (EVAL_DIR / "langid.jsonl").open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    return [{**row, "id": f"langid-{number}"} for number, row in enumerate(rows, start=1)]


def truth(row: dict) -> dict[str, bool]:
    return {
        "high_anger": row["anger"] >= HIGH_ANGER,
        **{kind: bool(row[kind]) for kind in SIGNALS if kind != "high_anger"},
    }


def predict(text: str, language: str, lexicon) -> dict[str, bool]:
    from .signals import signals_detect

    report = signals_detect(text, language, lexicon=lexicon)
    return {
        "high_anger": report.anger_level >= HIGH_ANGER,
        **{kind: report.has(kind) for kind in SIGNALS if kind != "high_anger"},
    }


@dataclass
class Count:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def positives(self) -> int:
        return self.tp + self.fn


@dataclass
class Result:
    part: str
    counts: dict[tuple[str, str], Count] = field(default_factory=dict)  # (signal, language)
    texts: dict[str, int] = field(default_factory=dict)
    language_id: dict[str, tuple[int, int]] = field(default_factory=dict)  # right, total
    misses: list[tuple[str, str, str, bool, str]] = field(default_factory=list)  # id, signal, …

    def f1(self, signal: str, language: str) -> float:
        return self.counts[(signal, language)].f1

    def language_id_accuracy(self, language: str | None = None) -> float:
        pairs = [self.language_id[language]] if language else list(self.language_id.values())
        right, total = sum(p[0] for p in pairs), sum(p[1] for p in pairs)
        return right / total if total else 1.0

    def failures(self) -> list[str]:
        failed = [
            f"{signal} {language} F1 {self.f1(signal, language):.2f} < {target:.2f}"
            for signal, target in TARGETS.items()
            for language in LANGUAGES
            if self.f1(signal, language) < target
        ]
        if self.language_id_accuracy() < LANGUAGE_ID_TARGET:
            failed.append(f"language id {self.language_id_accuracy():.3f} < {LANGUAGE_ID_TARGET}")
        return failed


def evaluate(part: str, lexicon=None) -> Result:
    """Score the signals and the language guess on one part of the set (DEV or HELD_OUT)."""
    from .language import language_detect
    from .lexicon import lexicon_defaults

    lexicon = lexicon or lexicon_defaults()
    result = Result(part)
    for language in LANGUAGES:
        rows = part_rows(language, part)
        result.texts[language] = len(rows)
        for signal in SIGNALS:
            result.counts[(signal, language)] = Count()
        for row in rows:
            expected, got = truth(row), predict(row["text"], language, lexicon)
            for signal in SIGNALS:
                count = result.counts[(signal, language)]
                if expected[signal] and got[signal]:
                    count.tp += 1
                elif got[signal]:
                    count.fp += 1
                    result.misses.append((row["id"], signal, "false positive", False, row["text"]))
                elif expected[signal]:
                    count.fn += 1
                    result.misses.append((row["id"], signal, "missed", True, row["text"]))
                else:
                    count.tn += 1
    language_rows = [r for r in langid_rows() if eval_part(r["id"]) == part]
    for language in LANGUAGES:
        language_rows += part_rows(language, part)
    for row in language_rows:
        # The one Arabizi line (Arabic in Latin letters) is out of scope for a language guesser
        # that reads scripts (docs/insight-eval.md).
        if len(row["text"]) < LANGUAGE_ID_MIN_CHARS or "Arabizi" in row.get("notes", ""):
            continue
        right, total = result.language_id.get(row["lang"], (0, 0))
        guess = language_detect(row["text"])
        result.language_id[row["lang"]] = (right + (guess.code == row["lang"]), total + 1)
        if guess.code != row["lang"]:
            result.misses.append((row["id"], "language", f"guessed {guess.code}", True, row["text"]))
    return result


def category_accuracy(part: str) -> float | None:
    """Cause-category top-1 accuracy (issue 6, point 4) of the seed-trained suggester."""
    from amends.insight.suggest.evaluate import seed_accuracy

    return seed_accuracy(part)


def _print_result(result: Result, out) -> None:
    title = "DEVELOPMENT part (lexicons were written against it)" if result.part == DEV else "HELD-OUT part"
    texts = ", ".join(f"{language} {result.texts[language]}" for language in LANGUAGES)
    if result.part == DEV:
        extra = ", ".join(f"{language} {len(dev_extra_rows(language))}" for language in LANGUAGES)
        texts += f" (of which dev-extra: {extra})"
    print(f"\n== {title}: {texts} texts ==", file=out)
    print(f"{'signal':<16} {'lang':<4} {'pos':>4} {'tp':>4} {'fp':>4} {'fn':>4}  prec   rec    F1", file=out)
    for signal in SIGNALS:
        for language in LANGUAGES:
            c = result.counts[(signal, language)]
            print(
                f"{signal:<16} {language:<4} {c.positives:>4} {c.tp:>4} {c.fp:>4} {c.fn:>4}"
                f"  {c.precision:.2f}  {c.recall:.2f}  {c.f1:.2f}",
                file=out,
            )
    accuracy = "  ".join(
        f"{language} {result.language_id_accuracy(language):.3f} ({result.language_id[language][1]})"
        for language in LANGUAGES
        if language in result.language_id
    )
    print(
        f"language id, texts of {LANGUAGE_ID_MIN_CHARS}+ characters: {accuracy}"
        f"  all {result.language_id_accuracy():.3f}",
        file=out,
    )
    category = category_accuracy(result.part)
    print(
        "category top-1: " + ("not built yet (issue 6, point 4)" if category is None else f"{category:.3f}"),
        file=out,
    )
    print(f"-- targets, {result.part} --", file=out)
    for signal, target in TARGETS.items():
        for language in LANGUAGES:
            f1 = result.f1(signal, language)
            verdict = "PASS" if f1 >= target else "FAIL"
            print(f"{verdict} {signal} {language}: F1 {f1:.2f} (target {target:.2f})", file=out)
    accuracy_all = result.language_id_accuracy()
    verdict = "PASS" if accuracy_all >= LANGUAGE_ID_TARGET else "FAIL"
    print(f"{verdict} language id: {accuracy_all:.3f} (target {LANGUAGE_ID_TARGET:.2f})", file=out)
    if category_accuracy(result.part) is None:
        print(f"---- category top-1: not measured yet (target {CATEGORY_TARGET:.2f})", file=out)


def _print_misses(result: Result, out) -> None:
    print(f"\n== misses in the {result.part} part ==", file=out)
    for identifier, signal, what, _expected, text in sorted(result.misses):
        print(f"{identifier} {signal}: {what}\n    {text[:300]!r}", file=out)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--part", choices=(DEV, HELD_OUT, "both"), default="both")
    parser.add_argument("--database", action="store_true", help="the active lexicon in the database")
    parser.add_argument("--misses", choices=(DEV, HELD_OUT), help="list the texts scored wrongly")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a held-out target fails")
    options = parser.parse_args(argv)
    lexicon = None
    if options.database:
        import os

        import django

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amends.settings")
        django.setup()
        from .selectors import lexicon_active

        lexicon = lexicon_active()
    out = sys.stdout
    print("Insight evaluation: amends/insight/eval (docs/insight-eval.md, docs/insight.md)", file=out)
    print(f"lexicon: {'database (active entries)' if options.database else 'shipped defaults'}", file=out)
    parts = (DEV, HELD_OUT) if options.part == "both" else (options.part,)
    results = {part: evaluate(part, lexicon) for part in parts}
    for part in parts:
        _print_result(results[part], out)
    if options.misses:
        _print_misses(results.get(options.misses) or evaluate(options.misses, lexicon), out)
    from amends.insight.suggest.evaluate import report as category_report

    category_report(out)  # per language: seed-trained and cross-validated (docs/subsystems/suggest.md)
    held_out = results.get(HELD_OUT)
    if held_out is not None:
        failures = held_out.failures()
        print(f"\nheld-out: {len(failures)} target(s) failing" + (": " if failures else ""), file=out)
        for failure in failures:
            print(f"  {failure}", file=out)
        if options.strict and failures:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
