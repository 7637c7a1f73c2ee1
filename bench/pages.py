"""The pages the bench times, shared by the in-process and the HTTP measurements."""

import math

# name → (path, counts against the 50 ms target?)
QUEUE_PAGES = {
    "queue_open": ("/en/desk/?queue=open", True),
    "queue_mine": ("/en/desk/?queue=mine", True),
    "queue_unassigned": ("/en/desk/?queue=unassigned", True),
    "queue_filter": ("/en/desk/?queue=open&language=he&priority=high", True),
    "queue_category_due": ("/en/desk/?queue=open&category=delays&sort=due", True),
    # Informational: page 300 of the open queue (OFFSET 14,950), as a scroll-happy agent sees it.
    "queue_open_page300": ("/en/desk/?queue=open&page=300", False),
}
CASE_PAGE = "case"


def case_path(public_id: str) -> str:
    return f"/en/desk/cases/{public_id}/"


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(q / 100 * len(ordered))))
    return ordered[rank - 1]


def summary_ms(seconds: list[float]) -> dict:
    if not seconds:
        return {"n": 0}
    ms = [s * 1000 for s in seconds]
    return {
        "n": len(ms),
        "p50": round(percentile(ms, 50), 2),
        "p95": round(percentile(ms, 95), 2),
        "p99": round(percentile(ms, 99), 2),
        "max": round(max(ms), 2),
        "mean": round(sum(ms) / len(ms), 2),
    }
