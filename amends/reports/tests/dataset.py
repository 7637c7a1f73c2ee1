"""Times and the period of the hand-counted dataset (conftest.world)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from amends.reports.filters import ReportFilters

ZONE = ZoneInfo("Asia/Jerusalem")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 2, day, hour, minute, tzinfo=ZONE)


PERIOD = ReportFilters(start=date(2026, 2, 1), end=date(2026, 2, 28), period="custom")
