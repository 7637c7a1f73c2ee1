"""Business-time arithmetic: when an office is open, and how much open time lies between moments.

Pure Python (``zoneinfo`` and the ``holidays`` package), no Django ORM, so the SLA clocks, the
sweeper and the bench can all share it. The rules (rolling forward, eves, DST, zero durations,
negative spans) are in docs/subsystems/sla-calendars.md.

Speed: opening intervals are computed per calendar year, lazily, as UTC epoch microseconds with
running totals of business time; ``add``/``elapsed`` are then two ``bisect`` calls on plain lists.
Integers (not floats) keep ``elapsed(a, add(a, d)) == d`` exact to the microsecond.
"""

import threading
from bisect import bisect_left, bisect_right
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

# Weekdays as date.weekday() numbers them.
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# Years a calendar agrees to compute: enough for any SLA, small enough that a stray
# datetime(1, 1, 1) cannot make it build two thousand years of intervals.
MIN_YEAR, MAX_YEAR = 1900, 2199

type Clock = time | str
type IntervalSpec = str | tuple[Clock, Clock]
type HoursSpec = Mapping[int | tuple[int, ...], Sequence[IntervalSpec]]
# (start, end) as offsets from local midnight; end may be 24:00.
type WallInterval = tuple[timedelta, timedelta]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)
_ONE_DAY = timedelta(days=1)
_MIDNIGHT = time()
_FULL_DAY = timedelta(hours=24)


def _clock(value: Clock, *, where: str) -> timedelta:
    """Parse "HH:MM" (up to "24:00") or a naive ``time`` into an offset from midnight."""
    if isinstance(value, time):
        if value.tzinfo is not None:
            raise ValueError(f"{where}: opening hours are wall-clock times; {value!r} carries a time zone")
        return timedelta(
            hours=value.hour, minutes=value.minute, seconds=value.second, microseconds=value.microsecond
        )
    hours, sep, minutes = value.strip().partition(":")
    if not (sep and hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
        raise ValueError(f"{where}: {value!r} is not a time like 08:00")
    offset = timedelta(hours=int(hours), minutes=int(minutes))
    if int(minutes) > 59 or offset > _FULL_DAY:
        raise ValueError(f"{where}: {value!r} is not a time between 00:00 and 24:00")
    return offset


def _fmt(offset: timedelta) -> str:
    minutes = offset // timedelta(minutes=1)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _intervals(specs: Sequence[IntervalSpec], *, where: str) -> tuple[WallInterval, ...]:
    """Parse and validate one day's intervals: each must end after it starts, none may overlap."""
    if isinstance(specs, str):
        specs = [specs]  # a lone "08:00-17:00" instead of a list of them
    parsed = []
    for spec in specs:
        first: Clock
        second: Clock
        if isinstance(spec, str):
            first, sep, second = spec.replace("–", "-").partition("-")
            if not sep:
                raise ValueError(f"{where}: {spec!r} is not an interval like 08:00-17:00")
        else:
            first, second = spec
        start, end = _clock(first, where=where), _clock(second, where=where)
        if end <= start:
            raise ValueError(
                f"{where}: the interval {_fmt(start)}–{_fmt(end)} does not end after it starts "
                "(intervals cannot cross midnight: split them at 24:00)"
            )
        parsed.append((start, end))
    parsed.sort()
    for (start1, end1), (start2, end2) in pairwise(parsed):
        if start2 < end1:
            raise ValueError(
                f"{where}: the intervals {_fmt(start1)}–{_fmt(end1)} and {_fmt(start2)}–{_fmt(end2)} overlap"
            )
    return tuple(parsed)


def _clip(day: Sequence[WallInterval], limits: Sequence[WallInterval]) -> tuple[WallInterval, ...]:
    """The parts of ``day`` that also lie inside ``limits`` (an eve never opens longer than the day)."""
    return tuple(
        (max(start, low), min(end, high))
        for start, end in day
        for low, high in limits
        if max(start, low) < min(end, high)
    )


def _micros(moment: datetime) -> int:
    try:
        return (moment - _EPOCH) // _US
    except TypeError:
        raise _not_aware(moment) from None


def _not_aware(value: object) -> ValueError:
    return ValueError(f"business-time arithmetic needs an aware datetime, not {value!r}")


def _moment(micros: int) -> datetime:
    return _EPOCH + timedelta(microseconds=micros)


@dataclass(frozen=True, slots=True)
class _Table:
    """Opening intervals of the years first..last: [starts[i], ends[i]) in UTC epoch
    microseconds, sorted, disjoint, and cum_end[i] = business microseconds from ``lo`` to ends[i]."""

    first_year: int
    last_year: int
    lo: int  # first instant of 1 January first_year, local time
    hi: int  # first instant of 1 January last_year + 1
    starts: list[int]
    ends: list[int]
    cum_end: list[int]


_EMPTY = _Table(0, -1, 0, 0, [], [], [])


class BusinessCalendar:
    """Opening hours in one time zone: a work week, public holidays, eves and closures.

    ``hours`` maps a weekday (``SUN``, or a tuple of them) to that day's intervals, given as
    ``"08:00-17:00"`` or ``(time(8), time(17))``; "24:00" ends a day. Weekdays not listed are
    closed. What a date's hours are, most specific first:

    1. ``special_days[date]`` (an empty list closes the day);
    2. closed if inside one of the ``closures`` (inclusive ``(first, last)`` date pairs);
    3. closed on a public holiday of ``country``/``subdivision`` (``holidays`` package);
    4. on an eve, the weekday's hours clipped to ``eve_hours`` (when ``eve_hours`` is given);
    5. the weekday's hours.

    An eve is a day in the country's ``half_day`` holiday category (where the ``holidays``
    package has one, e.g. TR), or a day whose next day is a public holiday while it is not one
    itself. ``eves_of`` limits the latter to holidays with those (English, where the package
    has English) names; an empty ``eves_of`` turns the derived eves off.

    Every method takes aware datetimes (naive ones raise ``ValueError``) and returns aware
    datetimes in UTC: Python compares and subtracts two datetimes of the same zone by their
    wall clocks, which is wrong across a DST change, and UTC avoids that trap.
    """

    def __init__(
        self,
        *,
        time_zone: str,
        hours: HoursSpec,
        country: str | None = None,
        subdivision: str | None = None,
        holiday_categories: Sequence[str] = ("public",),
        eve_hours: Sequence[IntervalSpec] | None = None,
        eves_of: Collection[str] | None = None,
        closures: Iterable[tuple[date, date]] = (),
        special_days: Mapping[date, Sequence[IntervalSpec]] | None = None,
    ) -> None:
        try:
            self.zone = ZoneInfo(time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {time_zone!r}") from None
        self.time_zone = time_zone

        week: dict[int, tuple[WallInterval, ...]] = {}
        for days, specs in hours.items():
            for day in days if isinstance(days, tuple) else (days,):
                if day not in range(7):
                    raise ValueError(f"{day!r} is not a weekday number (MON=0 … SUN=6)")
                if day in week:
                    raise ValueError(f"{DAY_NAMES[day]} has hours listed twice")
                week[day] = _intervals(specs, where=DAY_NAMES[day])
        self._week = tuple(week.get(day, ()) for day in range(7))
        self.work_week = frozenset(day for day in range(7) if self._week[day])
        if not self.work_week:
            raise ValueError("the work week has no opening hours")

        self._eve_hours = None if eve_hours is None else _intervals(eve_hours, where="eve hours")
        self._eves_of = None if eves_of is None else frozenset(eves_of)
        self._closures: list[tuple[date, date]] = []
        for first, last in closures:
            if last < first:
                raise ValueError(f"the closure {first}–{last} ends before it starts")
            self._closures.append((first, last))
        self._special_days = {
            day: _intervals(specs, where=f"special day {day}") for day, specs in (special_days or {}).items()
        }

        self.country, self.subdivision = country, subdivision
        self._holidays: holidays.HolidayBase | None = None
        self._half_days: holidays.HolidayBase | None = None
        if country:
            self._holidays = _country_holidays(country, subdivision, tuple(holiday_categories))
            if self._eve_hours is not None and "half_day" in self._holidays.supported_categories:
                self._half_days = _country_holidays(country, subdivision, ("half_day",))
        elif subdivision:
            raise ValueError("a subdivision needs a country")

        self._table = _EMPTY
        self._year_cache: dict[int, list[tuple[int, int]]] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        region = "-".join(part for part in (self.country, self.subdivision) if part)
        return f"<BusinessCalendar {self.time_zone}{' ' + region if region else ''}>"

    # -- the arithmetic (hot path: keep it to integer maths and bisect) ---------------------

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The moment at which ``duration`` of business time has passed since ``start``.

        A start outside opening hours counts from the next opening; the result lies inside an
        opening interval or exactly at its end (16:00 + 1 h is 17:00, not tomorrow's 08:00).
        A zero duration gives ``next_opening(start)``; a negative one raises ``ValueError``.
        """
        t = _micros(start)
        d = duration // _US
        if d <= 0:
            if d < 0:
                raise ValueError(f"a business duration cannot be negative: {duration!r}")
            return self.next_opening(start)
        table = self._table
        if not table.lo <= t < table.hi:
            table = self._cover(t)
        while True:
            starts, ends, cum_end = table.starts, table.ends, table.cum_end
            i = bisect_right(starts, t) - 1
            if i < 0:
                target = d
            elif t >= ends[i]:
                target = cum_end[i] + d
            else:
                target = cum_end[i] - ends[i] + t + d
            j = bisect_left(cum_end, target)
            if j < len(cum_end):
                return _EPOCH + timedelta(microseconds=ends[j] - cum_end[j] + target)
            table = self._grow(table.last_year + 1)  # ran past the computed years

    def elapsed(self, a: datetime, b: datetime) -> timedelta:
        """Business time from ``a`` to ``b``; negative when ``b`` is before ``a``, so
        ``elapsed(now, due)`` is the remaining time and goes below zero once overdue."""
        ta, tb = _micros(a), _micros(b)
        table = self._table
        if not (table.lo <= ta < table.hi and table.lo <= tb < table.hi):
            self._cover(ta)
            table = self._cover(tb)
        return timedelta(microseconds=_position(table, tb) - _position(table, ta))

    def is_open(self, moment: datetime) -> bool:
        """Whether ``moment`` is inside opening hours (an interval includes its start, not its end)."""
        t = _micros(moment)
        table = self._table
        if not table.lo <= t < table.hi:
            table = self._cover(t)
        i = bisect_right(table.starts, t) - 1
        return i >= 0 and t < table.ends[i]

    def next_opening(self, moment: datetime) -> datetime:
        """``moment`` itself (in UTC) when open, otherwise the start of the next opening interval."""
        t = _micros(moment)
        table = self._table
        if not table.lo <= t < table.hi:
            table = self._cover(t)
        while True:
            i = bisect_right(table.starts, t) - 1
            if i >= 0 and t < table.ends[i]:
                return _moment(t)
            if i + 1 < len(table.starts):
                return _moment(table.starts[i + 1])
            table = self._grow(table.last_year + 1)

    # -- describing days --------------------------------------------------------------------

    def openings_on(self, day: date) -> list[tuple[datetime, datetime]]:
        """The opening intervals of one local date, as UTC datetimes (for display and checks)."""
        intervals = []
        for start, end in self.wall_hours(day):
            opens, closes = self._instant(day, start), self._instant(day, end)
            if opens < closes:  # an interval wholly inside a DST gap never happens
                intervals.append((_moment(opens), _moment(closes)))
        return intervals

    def wall_hours(self, day: date) -> tuple[WallInterval, ...]:
        """The local wall-clock intervals of ``day`` after holidays, eves and closures."""
        if day in self._special_days:
            return self._special_days[day]
        if any(first <= day <= last for first, last in self._closures):
            return ()
        if self._holidays is not None and day in self._holidays:
            return ()
        usual = self._week[day.weekday()]
        if usual and self._eve_hours is not None and self.is_eve(day):
            return _clip(usual, self._eve_hours)
        return usual

    def is_eve(self, day: date) -> bool:
        """Whether ``day`` is an eve by the rule in the class docstring (holidays themselves are not)."""
        if self._holidays is None or day in self._holidays:
            return False
        if self._half_days is not None and day in self._half_days:
            return True
        if self._eves_of is not None and not self._eves_of:
            return False
        names = self._holidays.get_list(day + _ONE_DAY)
        if self._eves_of is None:
            return bool(names)
        return any(name in self._eves_of for name in names)

    def warm(self, *, first_year: int, last_year: int) -> None:
        """Compute the opening intervals of these years now rather than on first use."""
        self._grow(first_year)
        self._grow(last_year)

    # -- building the interval table (cold path) ----------------------------------------------

    def _instant(self, day: date, offset: timedelta) -> int:
        """The first instant at which the local wall clock reads ``day`` + ``offset`` or later.

        For a time that happens twice (the fall-back fold) that is its first occurrence; for a
        time that never happens (the spring-forward gap) it is the moment the clock jumps.
        """
        wall = datetime.combine(day, _MIDNIGHT) + offset
        first = wall.replace(tzinfo=self.zone)  # fold=0: the earlier of two readings
        micros = (first - _EPOCH) // _US
        if first.astimezone(UTC).astimezone(self.zone).replace(tzinfo=None) == wall:
            return micros
        # In a gap fold=0 lands after the jump and fold=1 before it: bisect for the jump.
        low, high = (wall.replace(tzinfo=self.zone, fold=1) - _EPOCH) // _US, micros
        while high - low > 1:
            middle = (low + high) // 2
            if _moment(middle).astimezone(self.zone).replace(tzinfo=None) >= wall:
                high = middle
            else:
                low = middle
        return high

    def _year(self, year: int) -> list[tuple[int, int]]:
        cached = self._year_cache.get(year)
        if cached is not None:
            return cached
        intervals: list[tuple[int, int]] = []
        day, stop = date(year, 1, 1), date(year + 1, 1, 1)
        while day < stop:
            for start, end in self.wall_hours(day):
                opens, closes = self._instant(day, start), self._instant(day, end)
                if opens >= closes:
                    continue
                if intervals and intervals[-1][1] >= opens:  # touching: 12:00-13:00 + 13:00-…
                    intervals[-1] = (intervals[-1][0], max(closes, intervals[-1][1]))
                else:
                    intervals.append((opens, closes))
            day += _ONE_DAY
        self._year_cache[year] = intervals
        return intervals

    def _build(self, first_year: int, last_year: int) -> _Table:
        if first_year < MIN_YEAR or last_year > MAX_YEAR:
            raise ValueError(
                f"{self!r} computes business time for the years {MIN_YEAR}–{MAX_YEAR} only "
                f"(asked for {first_year if first_year < MIN_YEAR else last_year})"
            )
        starts: list[int] = []
        ends: list[int] = []
        for year in range(first_year, last_year + 1):
            for opens, closes in self._year(year):
                if ends and ends[-1] >= opens:  # open across midnight of 31 December
                    ends[-1] = closes
                else:
                    starts.append(opens)
                    ends.append(closes)
        cum_end: list[int] = []
        total = 0
        for opens, closes in zip(starts, ends, strict=True):
            total += closes - opens
            cum_end.append(total)
        return _Table(
            first_year,
            last_year,
            self._instant(date(first_year, 1, 1), timedelta()),
            self._instant(date(last_year + 1, 1, 1), timedelta()),
            starts,
            ends,
            cum_end,
        )

    def _grow(self, year: int) -> _Table:
        """The table widened to include ``year`` (tables only ever grow, so readers holding an
        older one still get correct answers inside its range)."""
        with self._lock:
            table = self._table
            if table is _EMPTY:
                table = self._build(year, year)
            elif year < table.first_year:
                table = self._build(year, table.last_year)
            elif year > table.last_year:
                table = self._build(table.first_year, year)
            self._table = table
            return table

    def _cover(self, t: int) -> _Table:
        """The table widened until it covers the instant ``t``."""
        try:
            year = _moment(t).astimezone(self.zone).year
        except OverflowError:
            raise ValueError(f"{self!r}: {t} µs from 1970 is out of range") from None
        table = self._grow(year)
        # A fold at midnight can put an instant of 1 January in the previous local year.
        while t < table.lo:
            table = self._grow(table.first_year - 1)
        while t >= table.hi:
            table = self._grow(table.last_year + 1)
        return table


def _position(table: _Table, t: int) -> int:
    """Business microseconds from ``table.lo`` to ``t``."""
    i = bisect_right(table.starts, t) - 1
    if i < 0:
        return 0
    if t >= table.ends[i]:
        return table.cum_end[i]
    return table.cum_end[i] - table.ends[i] + t


def _country_holidays(
    country: str, subdivision: str | None, categories: tuple[str, ...]
) -> holidays.HolidayBase:
    """The package's holidays for the country, named in English where it has English (so
    ``eves_of`` reads the same for every country)."""
    try:
        probe = holidays.country_holidays(country, subdiv=subdivision, categories=categories)
    except NotImplementedError as error:
        raise ValueError(f"the holidays package has no {country!r}/{subdivision!r}: {error}") from None
    except ValueError as error:
        raise ValueError(f"holidays for {country!r}: {error}") from None
    if "en_US" not in probe.supported_languages:
        return probe
    return holidays.country_holidays(country, subdiv=subdivision, categories=categories, language="en_US")
