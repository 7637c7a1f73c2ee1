"""The cause-category suggester on the insight evaluation set (docs/insight-eval.md): `make eval`
prints this after the signals (amends.insight.evaluate calls `report`). On its own:

    python -m amends.insight.suggest.evaluate [--no-cv]

Two numbers per language, never mixed up:

(a) SEED-TRAINED: the model trained on the seed set alone (train/*.jsonl, written for the
    project apart from the evaluation set), scored on every line of the evaluation files. This
    is the honest number, and the one the target (top-1 >= 0.70) is judged on.
(b) CROSS-VALIDATED, labelled as such: five folds over the evaluation set (stratified by
    language and category); each fold trains on the seed set plus the other four fifths of the
    evaluation set and scores the fifth left out. The evaluation set IS trained on here: it
    says what the suggester could reach once agents have confirmed a few hundred labels of
    this kind, not what it does today.

Needs no database: the model is trained in this process, as a worker without a stored model
would.
"""

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from amends.insight.suggest import classifier

EVAL_DIR = Path(__file__).resolve().parent.parent / "eval"
TARGET = 0.70  # issue 6: category top-1 per language
FOLDS = 5


def eval_rows() -> list[dict]:
    rows = []
    for language in classifier.LANGUAGES:
        with (EVAL_DIR / f"{language}.jsonl").open(encoding="utf-8") as handle:
            rows += [json.loads(line) for line in handle if line.strip()]
    return rows


def _text(row: dict) -> str:
    return classifier.case_text("", row["text"])


def seed_predictions(rows: list[dict]) -> list[str | None]:
    model = _seed_model()
    return [p.category for p in classifier.predict(model, [_text(r) for r in rows])]


_model = None


def _seed_model():
    global _model
    if _model is None:
        _model = classifier.fit(classifier.seed_samples())
    return _model


def seed_accuracy(part: str | None = None) -> float:
    """Top-1 accuracy of the seed-trained model on the evaluation set, or on one part of the
    insight evaluation's dev/held-out split (amends.insight.evaluate.eval_part)."""
    rows = eval_rows()
    if part is not None:
        from amends.insight.evaluate import eval_part

        rows = [r for r in rows if eval_part(r["id"]) == part]
    predictions = seed_predictions(rows)
    return sum(p == r["category"] for p, r in zip(predictions, rows, strict=True)) / len(rows)


def cross_validated_predictions(rows: list[dict]) -> list[str | None]:
    """Each row's prediction by a model trained on the seed set and the four folds without it."""
    import numpy as np
    from sklearn.model_selection import StratifiedKFold

    strata = np.array([f"{r['lang']}:{r['category']}" for r in rows])
    seeds = classifier.seed_samples()
    predictions: list[str | None] = [None] * len(rows)
    for train_index, test_index in StratifiedKFold(FOLDS, shuffle=True, random_state=0).split(rows, strata):
        extra = [classifier.Sample(_text(rows[i]), rows[i]["lang"], rows[i]["category"]) for i in train_index]
        model = classifier.fit(seeds + extra)
        held_out = classifier.predict(model, [_text(rows[i]) for i in test_index])
        for i, p in zip(test_index, held_out, strict=True):
            predictions[i] = p.category
    return predictions


def _by_language(rows: list[dict], predictions: list[str | None]) -> dict[str, tuple[int, int]]:
    scores: dict[str, tuple[int, int]] = {}
    for row, predicted in zip(rows, predictions, strict=True):
        right, total = scores.get(row["lang"], (0, 0))
        scores[row["lang"]] = (right + (predicted == row["category"]), total + 1)
    return scores


def _line(scores: dict[str, tuple[int, int]]) -> str:
    right = sum(r for r, _t in scores.values())
    total = sum(t for _r, t in scores.values())
    each = "  ".join(f"{lang} {r / t:.3f} ({t})" for lang, (r, t) in scores.items())
    return f"{each}  all {right / total:.3f}"


def _confusions(rows: list[dict], predictions: list[str | None], out) -> None:
    """Per category, over the four languages: recall, and what it is most often taken for."""
    for category in sorted({r["category"] for r in rows}):
        wrong = Counter(p for r, p in zip(rows, predictions, strict=True) if r["category"] == category)
        total = sum(wrong.values())
        right = wrong.pop(category, 0)
        mistaken = ", ".join(f"{c} {n}" for c, n in wrong.most_common(2))
        print(f"  {category:<23} {right:>3}/{total:<3} right; else {mistaken or '-'}", file=out)


def report(out=sys.stdout, *, cross_validate: bool = True) -> list[str]:
    """Print both numbers per language and a PASS/FAIL line per language for the seed-trained
    model; returns the failing targets."""
    rows = eval_rows()
    seeds = classifier.seed_samples()
    print(
        "\n== cause category (issue 6, point 4): character 2-5-grams + logistic regression, "
        "one model for en/he/ar/ru (docs/decisions/0015) ==",
        file=out,
    )
    seed = seed_predictions(rows)
    seed_scores = _by_language(rows, seed)
    print(
        f"(a) seed-trained ({len(seeds)} seed texts, none from the evaluation set), "
        f"top-1 on all {len(rows)} evaluation texts:",
        file=out,
    )
    print(f"  {_line(seed_scores)}", file=out)
    _confusions(rows, seed, out)
    if cross_validate:
        cv_scores = _by_language(rows, cross_validated_predictions(rows))
        print(
            f"(b) CROSS-VALIDATED, the evaluation set trained on: {FOLDS} folds, each trained on the "
            f"seed set + {FOLDS - 1}/{FOLDS} of the evaluation set, scored on the other 1/{FOLDS}:",
            file=out,
        )
        print(f"  {_line(cv_scores)}", file=out)
    failures = []
    print("-- category target, seed-trained model --", file=out)
    for language, (right, total) in seed_scores.items():
        accuracy = right / total
        verdict = "PASS" if accuracy >= TARGET else "FAIL"
        print(f"{verdict} category top-1 {language}: {accuracy:.3f} (target {TARGET:.2f})", file=out)
        if verdict == "FAIL":
            failures.append(f"category top-1 {language}: {accuracy:.3f} < {TARGET:.2f}")
    return failures


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-cv", action="store_true", help="skip the cross-validated number")
    options = parser.parse_args(argv)
    report(sys.stdout, cross_validate=not options.no_cv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
