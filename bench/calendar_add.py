"""Business-calendar speed: BusinessCalendar.add() calls per second on one core.

    python bench/calendar_add.py [--calls 1000000] [--seed 1]

Builds the Jerusalem calendar (Sun-Thu 08:00-17:00, Fri 08:00-13:00, IL holidays, eves
08:00-13:00), warms its interval table, then times N add() calls with random starts over two
years and random durations from 1 hour to 5 business days (45 h). The starts are UTC-aware, as
they come from the database; a second, shorter run with Asia/Jerusalem-aware starts shows the
cost of the zone's utcoffset(). No Django set-up: the module is ORM-free.
"""

import argparse
import platform
import random
import sys
import time
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

_ROOT = Path(__file__).resolve().parent.parent
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))

from amends.sla.calendars import FRI, MON, SUN, THU, TUE, WED, BusinessCalendar  # noqa: E402

TARGET = 200_000  # add() calls per second, issue 3


def jerusalem() -> BusinessCalendar:
    return BusinessCalendar(
        time_zone="Asia/Jerusalem",
        hours={(SUN, MON, TUE, WED, THU): ["08:00-17:00"], FRI: ["08:00-13:00"]},
        country="IL",
        eve_hours=["08:00-13:00"],
    )


def workload(*, calls: int, seed: int, zone: tzinfo) -> tuple[list[datetime], list[timedelta]]:
    rng = random.Random(seed)
    origin = datetime(2025, 1, 1, tzinfo=UTC)
    two_years = 2 * 365 * 86_400
    starts = [(origin + timedelta(seconds=rng.randrange(two_years))).astimezone(zone) for _ in range(calls)]
    durations = [timedelta(seconds=rng.randrange(3_600, 45 * 3_600 + 1)) for _ in range(calls)]
    return starts, durations


def timed(calendar: BusinessCalendar, starts: list[datetime], durations: list[timedelta]) -> float:
    add = calendar.add
    began = time.perf_counter()
    for start, duration in zip(starts, durations, strict=True):
        add(start, duration)
    return len(starts) / (time.perf_counter() - began)


def cpu_model() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    return platform.processor() or platform.machine()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    began = time.perf_counter()
    calendar = jerusalem()
    # Two years of starts plus up to 5 business days past the last one.
    calendar.warm(first_year=2025, last_year=2027)
    warm_ms = (time.perf_counter() - began) * 1000

    starts, durations = workload(calls=args.calls, seed=args.seed, zone=UTC)
    timed(calendar, starts[:10_000], durations[:10_000])  # let the interpreter settle
    utc_rate = timed(calendar, starts, durations)

    local_calls = max(args.calls // 5, 1)
    local_starts, local_durations = workload(
        calls=local_calls, seed=args.seed, zone=ZoneInfo("Asia/Jerusalem")
    )
    local_rate = timed(calendar, local_starts, local_durations)

    print(f"python {platform.python_version()} on {cpu_model()}")
    print(f"build + warm 2025-2027: {warm_ms:.0f} ms")
    print(f"add(), UTC starts:            {args.calls:>9,} calls  {utc_rate:>10,.0f} calls/s")
    print(f"add(), Asia/Jerusalem starts: {local_calls:>9,} calls  {local_rate:>10,.0f} calls/s")
    verdict = "meets" if min(utc_rate, local_rate) >= TARGET else "MISSES"
    print(f"{verdict} the target of {TARGET:,} calls/s")


if __name__ == "__main__":
    main()
