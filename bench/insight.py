"""Insight signals and language (issue 6, point 8): one message's signals p95 (target <= 5 ms)
and batch throughput on one core (target >= 300 messages/s), in process, no database.

    python bench/insight.py [--rounds 5] [--batch 20000] [--quick]

Messages: every text of the evaluation set (amends/insight/eval, four languages), plus long
ones: a 2,000- and a 5,000-character letter, a reply with 20,000 characters of quoted history,
a 1 MB paste, emoji only and binary-looking bytes. Each message is timed alone, wall clock and
this thread's CPU time (CPU time is what the engine costs; wall time adds whatever else the
machine runs). The lexicon is the shipped defaults (what a fresh database holds), compiled
before timing; the first lingua call (model loading) is timed on its own. Language detection
is measured too, for information: it runs once per message, in the analysis drain.

Run on a quiet machine: numbers go to docs/performance.md. `--quick` proves the script works.
Results are printed and written to bench/results/insight-<time>.json.
"""

import argparse
import json
import os
import random
import resource
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amends.settings")

TARGETS = {"signals_p95_ms": 5.0, "signals_per_s": 300}


def _messages() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(the evaluation texts: typical mail, the long and odd ones)."""
    from amends.insight.evaluate import LANGUAGES, eval_rows

    texts = [(row["lang"], row["text"]) for language in LANGUAGES for row in eval_rows(language)]
    english = " ".join(text for language, text in texts if language == "en")
    hebrew = " ".join(text for language, text in texts if language == "he")
    quoted = "\n".join("> " + line for line in (english * 3)[:20_000].split(". "))
    rng = random.Random(8)
    odd = [
        ("en", english[:2_000]),
        ("he", hebrew[:5_000]),
        ("en", "Still nothing. Third email!\n\nOn Monday you wrote:\n" + quoted),
        ("en", (english * 40)[:1_000_000]),
        ("", "😡😡😡👍"),
        ("", bytes(rng.randrange(256) for _ in range(4_000)).decode("latin-1")),
    ]
    return texts, odd


def _summary(seconds: list[float]) -> dict:
    from bench.pages import summary_ms

    return summary_ms(seconds)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="times each message is timed")
    parser.add_argument("--batch", type=int, default=20_000, help="messages in the throughput run")
    parser.add_argument("--quick", action="store_true", help="a few rounds only, to prove it runs")
    opts = parser.parse_args()
    if opts.quick:
        opts.rounds, opts.batch = 1, 500

    import django

    django.setup()
    from amends.insight.language import language_detect
    from amends.insight.lexicon import lexicon_defaults
    from amends.insight.signals import signals_detect

    typical, odd = _messages()
    messages = typical + odd
    started = time.perf_counter()
    lexicon = lexicon_defaults()
    compile_ms = (time.perf_counter() - started) * 1000
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    language_detect("warm up the language models: hello, שלום, مرحبا, привет")
    lingua_first_ms = (time.perf_counter() - started) * 1000

    for _language, text in messages:  # warm the word caches, as a running worker has them
        signals_detect(text, None, lexicon=lexicon)

    wall, cpu, language_wall = [], [], []
    for _ in range(opts.rounds):
        for language, text in messages:
            w, c = time.perf_counter(), time.thread_time()
            signals_detect(text, language or None, lexicon=lexicon)
            cpu.append(time.thread_time() - c)
            wall.append(time.perf_counter() - w)
    for _language, text in messages:
        w = time.perf_counter()
        language_detect(text)
        language_wall.append(time.perf_counter() - w)

    batch = [text for _language, text in typical]
    batch = (batch * (opts.batch // len(batch) + 1))[: opts.batch]
    c = time.thread_time()
    for text in batch:
        signals_detect(text, None, lexicon=lexicon)
    per_s = len(batch) / (time.thread_time() - c)
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "messages": len(messages),
        "rounds": opts.rounds,
        "lexicon_entries": lexicon.size,
        "lexicon_compile_ms": round(compile_ms, 1),
        "lingua_first_call_ms": round(lingua_first_ms, 1),
        "signals_wall_ms": _summary(wall),
        "signals_cpu_ms": _summary(cpu),
        "language_wall_ms": _summary(language_wall),
        "batch_messages": len(batch),
        "signals_per_s_one_core": round(per_s),
        "max_rss_mb": {"before_lingua": round(rss_before), "after": round(rss_after)},
        "targets": TARGETS,
    }
    verdicts = {
        "signals p95 (CPU)": (result["signals_cpu_ms"]["p95"], TARGETS["signals_p95_ms"], "<="),
        "signals p95 (wall)": (result["signals_wall_ms"]["p95"], TARGETS["signals_p95_ms"], "<="),
        "signals per second, one core": (result["signals_per_s_one_core"], TARGETS["signals_per_s"], ">="),
    }
    print(json.dumps(result, indent=2))
    for name, (value, target, way) in verdicts.items():
        ok = value <= target if way == "<=" else value >= target
        print(f"{'PASS' if ok else 'FAIL'} {name}: {value} (target {way} {target})")
    out = ROOT / "bench" / "results" / f"insight-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print(f"written to {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
