"""The cause-category classifier: character n-grams with a linear model, one model for all four
languages (measured against the alternatives in docs/decisions/0015-cause-category-suggester.md).

Nothing here touches the database: services.py feeds it samples and stores what it returns.
scikit-learn and numpy are imported inside the functions that need them: the web processes
import this module (through services) but never train or predict.
The preprocessing function is part of every pickled model, so it stays a module-level function
with this name; change the features or the preprocessing and bump SCHEME, and stored models of
an older scheme are trained again instead of loaded.
"""

import hashlib
import io
import json
import pickle
import random
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib.metadata import version
from pathlib import Path
from typing import Any

SCHEME = 2  # 2: fit() adds noisy copies of the training texts (NOISY_COPIES)
# A pickled model loads only into the scikit-learn that wrote it.
LIBRARY_VERSION = version("scikit-learn")
LANGUAGES = ("en", "he", "ar", "ru")
TRAIN_DIR = Path(__file__).resolve().parent / "train"

# What is read of a case: the subject and the customer's first message, cut here. A category is
# named in the first lines; a 1 MB message would only cost time (services cut it in SQL too).
MAX_CHARS = 4000
# Fewer letters than this (empty, emoji only, digits, binary-looking) gives no suggestion.
MIN_LETTERS = 3
# An agent's label counts this many times a seed text: the desk's own words should win.
LABEL_WEIGHT = 3.0
# Real mail wraps its cause in greetings, sign-offs, threats, "third email", "I want a manager":
# words that say nothing about the category. fit() trains on NOISY_COPIES extra copies of each
# text with such sentences (train/noise.json, per language) put around and inside it, at
# NOISY_WEIGHT, so that the model learns to look past them (docs/decisions/0015).
NOISY_COPIES = 2
NOISY_WEIGHT = 0.5
# Cross-validation on at most this many samples (seeded draw), so retraining stays bounded.
CV_MAX_SAMPLES = 3000
CV_FOLDS = 5

_MARKS = re.compile("[\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ё": "е"})
_DIGITS = re.compile(r"\d")
_QUOTED = re.compile(r"^\s*>.*$", re.MULTILINE)


def prepare(text: str) -> str:
    """What the n-grams are cut from: NFKC, case folded, Hebrew points and Arabic marks and
    tatweel removed, Arabic alef/ya/ta marbuta and Russian ё folded, every digit a 0 (an order
    number is a number, not a word)."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return _DIGITS.sub("0", _MARKS.sub("", text).translate(_FOLD))


def case_text(subject: str, body: str) -> str:
    """The text a case is judged by: its subject and first message, without quoted history
    (`> …` lines; kept if nothing else is left), at most MAX_CHARS."""
    own = _QUOTED.sub("", body or "")
    if not own.strip():
        own = body or ""
    return f"{subject or ''}\n{own}".strip()[:MAX_CHARS]


def has_words(text: str) -> bool:
    letters = 0
    for char in text:
        if unicodedata.category(char).startswith("L"):
            letters += 1
            if letters >= MIN_LETTERS:
                return True
    return False


@dataclass(frozen=True)
class Sample:
    text: str
    language: str
    category: str
    weight: float = 1.0


@dataclass(frozen=True)
class Prediction:
    category: str | None  # None: not enough text
    confidence: float | None
    runner_up: str | None
    runner_up_confidence: float | None


NO_PREDICTION = Prediction(None, None, None, None)


def seed_samples() -> list[Sample]:
    """The project's own seed texts (train/<language>.jsonl), written for Amends."""
    return list(_seed_samples())


@cache
def _seed_samples() -> tuple[Sample, ...]:
    samples = []
    for language in LANGUAGES:
        with (TRAIN_DIR / f"{language}.jsonl").open(encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    row = json.loads(line)
                    samples.append(Sample(row["text"], language, row["category"]))
    return tuple(samples)


@cache
def seed_digest() -> str:
    """Names the seed set: a model trained on it alone is "seed-<digest>" in every process."""
    digest = hashlib.sha256()
    for sample in _seed_samples():
        digest.update(f"{sample.language}\t{sample.category}\t{sample.text}\n".encode())
    digest.update(json.dumps(_noise(), sort_keys=True, ensure_ascii=False).encode())
    digest.update(f"scheme {SCHEME} sklearn {LIBRARY_VERSION}".encode())
    return digest.hexdigest()[:10]


@cache
def _noise() -> dict[str, dict[str, list[str]]]:
    """Per language: openings, sign-offs and category-neutral sentences (threats, "third email",
    "I want a manager", anger, reference numbers), written for the project."""
    with (TRAIN_DIR / "noise.json").open(encoding="utf-8") as handle:
        return json.load(handle)


def noisy_copies(samples: Sequence[Sample], copies: int | None = None) -> list[Sample]:
    """`copies` variants of each sample of a language with a noise pool, at NOISY_WEIGHT times
    its weight: an opening (3 in 5), one to three neutral sentences put before, between or after
    its own, a sign-off (1 in 2). Seeded by the text, so the same samples give the same copies."""
    copies = NOISY_COPIES if copies is None else copies
    noise = _noise()
    result = []
    for sample in samples:
        pool = noise.get(sample.language)
        if not pool:
            continue
        rng = random.Random(hashlib.sha256(sample.text.encode()).digest())
        for _copy in range(copies):
            body = [sample.text]
            for _sentence in range(rng.choice((1, 1, 2, 3))):
                body.insert(rng.randrange(len(body) + 1), rng.choice(pool["signal"]))
            parts = [rng.choice(pool["open"])] if rng.random() < 0.6 else []
            parts.append(" ".join(body))
            if rng.random() < 0.5:
                parts.append(rng.choice(pool["close"]))
            weight = sample.weight * NOISY_WEIGHT
            result.append(Sample("\n".join(parts), sample.language, sample.category, weight))
    return result


def build() -> Any:
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    return Pipeline(
        [
            (
                "features",
                TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=(2, 5),
                    preprocessor=prepare,
                    sublinear_tf=True,
                    max_features=2**18,
                    dtype=np.float32,
                ),
            ),
            ("model", LogisticRegression(C=10.0, max_iter=2000)),
        ]
    )


def fit(samples: Sequence[Sample]) -> Any:
    """A fitted scikit-learn Pipeline (features, then the model), trained on the samples and
    their noisy copies."""
    import numpy as np
    from threadpoolctl import threadpool_limits

    samples = [*samples, *noisy_copies(samples)]
    pipeline = build()
    # One BLAS thread: on a busy 2-core worker more threads only spin (measured 2.5x slower).
    with threadpool_limits(limits=1):
        pipeline.fit(
            [s.text for s in samples],
            [s.category for s in samples],
            model__sample_weight=np.array([s.weight for s in samples], dtype=np.float64),
        )
    # Every n-gram cut by max_features is kept here for inspection: megabytes nobody reads.
    pipeline.named_steps["features"].stop_words_ = None
    return pipeline


def cross_validate(samples: Sequence[Sample], *, folds: int = CV_FOLDS) -> tuple[float | None, int]:
    """Top-1 accuracy by stratified k-fold over at most CV_MAX_SAMPLES samples (a seeded draw),
    and how many samples it used. None when a category has fewer samples than folds."""
    import numpy as np
    from sklearn.model_selection import StratifiedKFold

    pool = list(samples)
    if len(pool) > CV_MAX_SAMPLES:
        pool = random.Random(0).sample(pool, CV_MAX_SAMPLES)
    labels = np.array([s.category for s in pool])
    _values, counts = np.unique(labels, return_counts=True)
    if len(counts) < 2 or counts.min() < folds:
        return None, len(pool)
    right = 0
    for train_index, test_index in StratifiedKFold(folds, shuffle=True, random_state=0).split(pool, labels):
        model = fit([pool[i] for i in train_index])
        right += int(np.sum(model.predict([pool[i].text for i in test_index]) == labels[test_index]))
    return right / len(pool), len(pool)


def predict(model: Any, texts: Sequence[str], *, allowed: set[str] | None = None) -> list[Prediction]:
    """The best and second-best category of each text with their probabilities. Only codes in
    `allowed` (the active categories) are offered; the others' share is spread over them."""
    import numpy as np

    results: list[Prediction | None] = [None if has_words(t) else NO_PREDICTION for t in texts]
    wanted = [i for i, r in enumerate(results) if r is None]
    if wanted:
        classes = [str(c) for c in model.classes_]
        mask = np.array([allowed is None or c in allowed for c in classes], dtype=bool)
        probabilities = model.predict_proba([texts[i] for i in wanted])
        for i, row in zip(wanted, probabilities, strict=True):
            results[i] = _top_two(classes, np.where(mask, row, 0.0))
    return results  # type: ignore[return-value]


def _top_two(classes: list[str], row: Any) -> Prediction:
    import numpy as np

    total = float(row.sum())
    if total <= 0:
        return NO_PREDICTION
    row = row / total
    order = np.argsort(-row, kind="stable")
    best = int(order[0])
    second = int(order[1]) if len(order) > 1 and row[order[1]] > 0 else None
    return Prediction(
        category=classes[best],
        confidence=float(row[best]),
        runner_up=classes[second] if second is not None else None,
        runner_up_confidence=float(row[second]) if second is not None else None,
    )


def dumps(model: Any) -> bytes:
    buffer = io.BytesIO()
    pickle.dump(model, buffer, protocol=pickle.HIGHEST_PROTOCOL)
    return buffer.getvalue()


def loads(blob: bytes) -> Any:
    """Only for a blob this module wrote into our own database row (SuggesterModel): a pickle
    runs code when loaded, so nothing from outside (an upload, a file, a request) comes here."""
    return pickle.loads(blob)
