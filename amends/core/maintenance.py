"""Database housekeeping run by the worker."""

import time

from django.db import connection

SQLITE_ANALYZE_EVERY_SECONDS = 24 * 3600
_last_analyze = 0.0


def sqlite_analyze(*, force: bool = False) -> int:
    """Refresh SQLite's planner statistics (PostgreSQL's autovacuum does this by itself).

    Without them SQLite sorts every open case to show a queue page of 50 (docs/performance.md,
    fix 4). ANALYZE takes ~0.3 s at 100,000 cases, so once a day per worker is plenty.
    """
    global _last_analyze
    if connection.vendor != "sqlite":
        return 0
    if not force and time.monotonic() - _last_analyze < SQLITE_ANALYZE_EVERY_SECONDS and _last_analyze:
        return 0
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    _last_analyze = time.monotonic()
    return 1
