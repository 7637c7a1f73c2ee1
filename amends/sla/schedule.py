"""From Calendar rows to BusinessCalendar objects, cached per process.

Building a calendar reads its hours and closures and asks the ``holidays`` package for the
years in use, which costs milliseconds; the arithmetic afterwards costs microseconds. So each
process keeps one BusinessCalendar per (calendar id, updated_at): an admin edit bumps
``updated_at`` (the inlines are saved with their calendar) and the next lookup rebuilds.
"""

import threading
from datetime import datetime, time, timedelta
from typing import Protocol

from amends.sla.calendars import BusinessCalendar
from amends.sla.models import Calendar

# Used when no calendar exists at all (a fresh database before the admin sets one up).
FALLBACK_HOURS = {(6, 0, 1, 2, 3): ["09:00-17:00"]}


class Span(Protocol):
    """What the clocks need from a calendar: business-time (or wall-clock) arithmetic."""

    def add(self, start: datetime, duration: timedelta) -> datetime: ...

    def elapsed(self, a: datetime, b: datetime) -> timedelta: ...


class WallClock:
    """Plain elapsed time, for regulated clocks counted in hours, calendar days or weeks."""

    def add(self, start: datetime, duration: timedelta) -> datetime:
        return start + duration

    def elapsed(self, a: datetime, b: datetime) -> timedelta:
        return b - a


WALL_CLOCK = WallClock()

_cache: dict[tuple[int, datetime], BusinessCalendar] = {}
_lock = threading.Lock()


def hours_spec(rows) -> dict[int, list[tuple[time, time]]]:
    """WorkingHours rows → the BusinessCalendar ``hours`` mapping ("00:00" closing = 24:00)."""
    week: dict[int, list[tuple[time, time] | tuple[time, str]]] = {}
    for row in rows:
        closes = "24:00" if row.closes == time(0) else row.closes
        week.setdefault(row.weekday, []).append((row.opens, closes))
    return week  # type: ignore[return-value]


def calendar_build(calendar: Calendar) -> BusinessCalendar:
    """A BusinessCalendar for this row; raises ValueError with the reason when the row is invalid."""
    hours = hours_spec(calendar.hours.all()) or FALLBACK_HOURS
    return BusinessCalendar(
        time_zone=calendar.time_zone,
        hours=hours,
        country=calendar.country or None,
        subdivision=calendar.subdivision or None,
        eve_hours=[calendar.eve_hours] if calendar.eve_hours else None,
        closures=[(c.first_day, c.last_day) for c in calendar.closures.all()],
    )


def business_calendar(calendar) -> BusinessCalendar:
    """The cached BusinessCalendar for a Calendar row, or anything with its ``pk`` and
    ``updated_at`` (the sweeper's CalendarKey); None: the default calendar."""
    if calendar is None:
        calendar = calendar_default()
        if calendar is None:
            return _fallback()
    key = (calendar.pk, calendar.updated_at)
    found = _cache.get(key)
    if found is None:
        row = calendar if isinstance(calendar, Calendar) else Calendar.objects.get(pk=calendar.pk)
        found = calendar_build(row)
        with _lock:
            for stale in [k for k in _cache if k[0] == calendar.pk]:
                del _cache[stale]
            _cache[key] = found
    return found


def calendar_default() -> Calendar | None:
    return Calendar.objects.filter(is_default=True).first() or Calendar.objects.order_by("pk").first()


_fallback_calendar: BusinessCalendar | None = None


def _fallback() -> BusinessCalendar:
    global _fallback_calendar
    if _fallback_calendar is None:
        from django.conf import settings

        _fallback_calendar = BusinessCalendar(time_zone=settings.TIME_ZONE, hours=FALLBACK_HOURS)
    return _fallback_calendar


def span_for(calendar: Calendar | None, *, business_time: bool) -> Span:
    return business_calendar(calendar) if business_time else WALL_CLOCK
