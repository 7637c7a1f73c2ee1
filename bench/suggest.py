"""Cause-category suggester (issue 6, point 4): time to suggest for one case (p50/p95/p99; target:
a few ms), a drain batch, loading a stored model, and training on the seed set plus N agents'
labels (what the periodic retraining does). No database: the classifier alone.

    python bench/suggest.py [--requests 2000] [--labels 0,5000,20000] [--batch 200]

Texts: the evaluation set (four languages, as customers write), plus 5,000- and 1 MB-long
messages (cut to classifier.MAX_CHARS, as the drain does). The labels for training are the
evaluation texts repeated with a number appended, a stand-in for confirmed cases.
"""

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from amends.insight.suggest import classifier  # noqa: E402


def _texts() -> list[str]:
    rows = []
    for language in classifier.LANGUAGES:
        path = ROOT / "amends/insight/eval" / f"{language}.jsonl"
        rows += [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    texts = [classifier.case_text("", r["text"]) for r in rows]
    texts += [classifier.case_text("Refund", texts[0] * 50)[:5000], classifier.case_text("", "x" * 1_000_000)]
    return texts


def _percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    slowest = ordered[-1] * 1000
    return f"p50 {at(0.50):.2f} ms  p95 {at(0.95):.2f} ms  p99 {at(0.99):.2f} ms  max {slowest:.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="single suggestions to time")
    parser.add_argument("--labels", default="0,5000,20000", help="labelled texts added to the seed set")
    parser.add_argument("--batch", type=int, default=200, help="texts per drain batch")
    opts = parser.parse_args()

    seeds = classifier.seed_samples()
    began = time.perf_counter()
    model = classifier.fit(seeds)
    print(f"train on the seed set ({len(seeds)} texts): {time.perf_counter() - began:.2f} s")

    blob = classifier.dumps(model)
    began = time.perf_counter()
    model = classifier.loads(blob)
    print(f"stored model: {len(blob) / 1e6:.1f} MB, loaded in {(time.perf_counter() - began) * 1000:.0f} ms")

    texts = _texts()
    classifier.predict(model, texts[:5])  # warm up
    timings = []
    for n in range(opts.requests):
        text = texts[n % len(texts)]
        began = time.perf_counter()
        classifier.predict(model, [text])
        timings.append(time.perf_counter() - began)
    print(f"one suggestion ({opts.requests} texts, 4 languages, some 1 MB): {_percentiles(timings)}")

    batch = (texts * (opts.batch // len(texts) + 1))[: opts.batch]
    began = time.perf_counter()
    classifier.predict(model, batch)
    elapsed = time.perf_counter() - began
    print(f"a drain batch of {len(batch)}: {elapsed * 1000:.0f} ms ({len(batch) / elapsed:.0f} texts/s)")

    for count in [int(n) for n in opts.labels.split(",") if n.strip()]:
        # Stand-ins for confirmed labels, to time the retraining: their categories ignore the
        # texts, so the accuracy printed for them means nothing.
        labels = [
            classifier.Sample(f"{texts[i % (len(texts) - 2)]} {i}", "en", seeds[i % len(seeds)].category, 3.0)
            for i in range(count)
        ]
        began = time.perf_counter()
        classifier.fit(seeds + labels)
        fitted = time.perf_counter() - began
        began = time.perf_counter()
        accuracy, used = classifier.cross_validate(seeds + labels)
        checked = time.perf_counter() - began
        print(
            f"retrain on seed + {count} labels: fit {fitted:.1f} s, "
            f"{classifier.CV_FOLDS}-fold check on {used} texts {checked:.1f} s (accuracy {accuracy:.3f})"
        )
    print(f"median suggestion {statistics.median(timings) * 1000:.2f} ms")


if __name__ == "__main__":
    main()
