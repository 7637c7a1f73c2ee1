"""In-process timings with django.test.Client: the whole Django stack (middleware, view, ORM,
templates) without a web server or a socket. Also counts queries per page and explains the
slowest ones, which is where the analysis in docs/performance.md comes from.

Run by bench/run.py in a child process pointed at the bench database.
"""

import argparse
import json
import sys
import time
from pathlib import Path

import djangosetup  # noqa: F401  (sys.path and django.setup(); must come before amends imports)
from django.db import connection
from django.test import Client

from amends.accounts.models import User
from bench.pages import CASE_PAGE, QUEUE_PAGES, case_path, summary_ms

WARMUP = 5
PROFILE_REQUESTS = 10  # requests per page whose queries are captured


def _urls(name: str, sample: list[str], count: int) -> list[str]:
    if name == CASE_PAGE:
        return [case_path(sample[i % len(sample)]) for i in range(count)]
    return [QUEUE_PAGES[name][0]] * count


def _get(client: Client, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    return elapsed


def _explain(sql: str) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
        return "\n".join(" | ".join(str(c) for c in row) for row in cursor.fetchall())


class _QueryTimer:
    """Times every query with perf_counter (Django's captured times are rounded to 1 ms)."""

    def __init__(self):
        self.queries: list[tuple[float, str]] = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = time.perf_counter() - started
            try:
                text = connection.ops.last_executed_query(context["cursor"], sql, params)
            except Exception:  # the text is only for the report
                text = sql
            self.queries.append((elapsed * 1000, text))


def measure(*, info: dict, requests: int) -> dict:
    user = User.objects.get(username=info["username"])
    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(user)
    sample = info["case_sample"]
    out: dict = {}
    for name in [*QUEUE_PAGES, CASE_PAGE]:
        for url in _urls(name, sample[len(sample) // 2 :], WARMUP):
            _get(client, url)
        times, cpu = [], []
        for url in _urls(name, sample, requests):
            cpu_started = time.process_time()
            times.append(_get(client, url))
            cpu.append(time.process_time() - cpu_started)
        # Query profile on other cases than the timed ones where possible.
        counts, sql_ms, slowest = [], [], {}
        for url in _urls(name, sample[::-1], PROFILE_REQUESTS):
            timer = _QueryTimer()
            with connection.execute_wrapper(timer):
                _get(client, url)
            counts.append(len(timer.queries))
            sql_ms.append(sum(t for t, _sql in timer.queries))
            for t, sql in timer.queries:
                key = sql[:120]
                if key not in slowest or slowest[key][0] < t:
                    slowest[key] = (t, sql)
        top = sorted(slowest.values(), key=lambda x: -x[0])[:3]
        out[name] = {
            "latency_ms": summary_ms(times),
            "cpu_ms": summary_ms(cpu),
            "queries": max(counts),
            "sql_ms_median": round(sorted(sql_ms)[len(sql_ms) // 2], 2),
            "slowest_queries": [
                {"ms": round(t, 2), "sql": sql[:2000], "plan": _explain(sql) if t > 1.0 else ""}
                for t, sql in top
            ],
        }
        lat, cpu_s = out[name]["latency_ms"], out[name]["cpu_ms"]
        print(
            f"  in-process {name:<20} p50 {lat['p50']:7.2f} ms  p95 {lat['p95']:7.2f} ms  "
            f"CPU p50 {cpu_s['p50']:6.2f} ms  {out[name]['queries']:2d} queries, "
            f"SQL {out[name]['sql_ms_median']:.2f} ms",
            file=sys.stderr,
            flush=True,
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--info", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    info = json.loads(args.info.read_text())
    args.out.write_text(json.dumps(measure(info=info, requests=args.requests), indent=2))


if __name__ == "__main__":
    main()
