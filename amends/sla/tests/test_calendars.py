"""Business calendars: property tests of add/elapsed and worked examples per country.

Plain pytest, no database: amends.sla.calendars is ORM-free.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from amends.sla.calendars import FRI, MON, SAT, SUN, THU, TUE, WED, BusinessCalendar

JERUSALEM = ZoneInfo("Asia/Jerusalem")
RIYADH = ZoneInfo("Asia/Riyadh")
MOSCOW = ZoneInfo("Europe/Moscow")
NEW_YORK = ZoneInfo("America/New_York")
US = timedelta(microseconds=1)
H = timedelta(hours=1)

israel = BusinessCalendar(
    time_zone="Asia/Jerusalem",
    hours={(SUN, MON, TUE, WED, THU): ["08:00-17:00"], FRI: ["08:00-13:00"]},
    country="IL",
    eve_hours=["08:00-13:00"],  # Erev Rosh Hashana, Erev Yom Kippur, Erev Pesach…
)
saudi = BusinessCalendar(
    time_zone="Asia/Riyadh",
    hours={(SUN, MON, TUE, WED, THU): ["08:00-16:00"]},
    country="SA",
)
russia = BusinessCalendar(
    time_zone="Europe/Moscow",
    hours={(MON, TUE, WED, THU, FRI): ["09:00-18:00"]},
    country="RU",
    eve_hours=["09:00-17:00"],  # a pre-holiday day is one hour shorter (Labour Code art. 95)
)
new_york = BusinessCalendar(
    time_zone="America/New_York",
    hours={(MON, TUE, WED, THU, FRI): ["09:00-17:00"]},
    country="US",
    subdivision="NY",
)
new_york_nights = BusinessCalendar(
    time_zone="America/New_York",
    hours={(MON, TUE, WED, THU, FRI, SAT, SUN): ["01:00-03:00"]},
)
dubai_split = BusinessCalendar(
    time_zone="Asia/Dubai",
    hours={(SAT, SUN, MON, TUE, WED): ["08:00-12:00", (time(13), time(17))]},
    closures=[(date(2025, 3, 1), date(2025, 3, 9))],
    special_days={date(2025, 6, 4): ["10:00-11:00"]},
)
round_the_clock = BusinessCalendar(
    time_zone="Europe/London",
    hours={(MON, TUE, WED, THU, FRI): ["00:00-24:00"]},
)
CALENDARS = [israel, saudi, russia, new_york, new_york_nights, dubai_split, round_the_clock]

calendars = st.sampled_from(CALENDARS)
moments = st.datetimes(
    min_value=datetime(2024, 1, 1),
    max_value=datetime(2026, 6, 30),
    timezones=st.sampled_from([UTC, JERUSALEM, NEW_YORK, MOSCOW]),
)
# Up to 8 calendar-weeks of business time, to the microsecond.
durations = st.integers(min_value=0, max_value=8 * 7 * 24 * 3600 * 10**6).map(lambda us: us * US)
positive_durations = durations.filter(bool)

# The root conftest's autouse fixtures (media root, cache) do not vary between examples.
properties = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def local(zone, *args, fold=0):
    return datetime(*args, tzinfo=zone, fold=fold)


def reference_elapsed(calendar, a, b):
    """Business time in [a, b) summed day by day from openings_on: slow, but no shared code
    with the interval table. In UTC: two times of one zone compare and subtract by their wall
    clocks, which is wrong across a DST change (02:00 fold=1 in a spring gap is before 01:30)."""
    a, b = a.astimezone(UTC), b.astimezone(UTC)
    total = timedelta()
    day = a.astimezone(calendar.zone).date() - timedelta(days=1)
    while day <= b.astimezone(calendar.zone).date() + timedelta(days=1):
        for opens, closes in calendar.openings_on(day):
            opens, closes = opens.astimezone(UTC), closes.astimezone(UTC)
            total += max(timedelta(), min(closes, b) - max(opens, a))
        day += timedelta(days=1)
    return total


# -- properties -----------------------------------------------------------------------------


@properties
@given(calendar=calendars, start=moments, duration=durations)
def test_elapsed_undoes_add(calendar, start, duration):
    """For any start, in or out of hours, the business time from start to add(start, d) is d."""
    # when
    due = calendar.add(start, duration)
    # then
    assert calendar.elapsed(start, due) == duration


@properties
@given(calendar=calendars, a=moments, b=moments)
# 02:00 fold=1 in New York's spring gap is 06:00Z, before 01:30 (06:30Z): found by hypothesis.
@example(calendar=new_york, a=local(NEW_YORK, 2024, 3, 10, 2, fold=1), b=local(NEW_YORK, 2024, 3, 10, 1, 30))
def test_elapsed_matches_day_by_day_sum(calendar, a, b):
    """elapsed agrees with summing each local day's opening intervals, and is antisymmetric."""
    # given: ordered as instants, not as wall clocks (see reference_elapsed)
    a, b = sorted((a, b), key=lambda moment: moment.astimezone(UTC))
    b = min(b.astimezone(UTC), a.astimezone(UTC) + timedelta(days=60))  # keep the reference quick
    # when
    forwards, backwards = calendar.elapsed(a, b), calendar.elapsed(b, a)
    # then
    assert forwards == reference_elapsed(calendar, a, b)
    assert backwards == -forwards


@properties
@given(calendar=calendars, a1=moments, a2=moments, duration=durations)
def test_add_is_monotonic_in_start(calendar, a1, a2, duration):
    """A later start never gives an earlier due time."""
    # given
    a1, a2 = sorted((a1, a2), key=lambda moment: moment.astimezone(UTC))  # as instants
    # when / then
    assert calendar.add(a1, duration).astimezone(UTC) <= calendar.add(a2, duration).astimezone(UTC)


@properties
@given(calendar=calendars, start=moments, d1=durations, d2=durations)
def test_add_is_monotonic_in_duration(calendar, start, d1, d2):
    """A longer duration never gives an earlier due time."""
    # given
    d1, d2 = min(d1, d2), max(d1, d2)
    # when / then
    assert calendar.add(start, d1).astimezone(UTC) <= calendar.add(start, d2).astimezone(UTC)


@properties
@given(calendar=calendars, start=moments, d1=positive_durations, d2=positive_durations)
def test_add_is_additive(calendar, start, d1, d2):
    """Adding d1 then d2 lands where adding d1 + d2 does."""
    # when / then
    assert calendar.add(calendar.add(start, d1), d2) == calendar.add(start, d1 + d2)


@properties
@given(calendar=calendars, a=moments, b1=moments, b2=moments)
def test_elapsed_is_monotonic(calendar, a, b1, b2):
    """elapsed grows with its end and shrinks as its start moves later."""
    # given
    b1, b2 = sorted((b1, b2), key=lambda moment: moment.astimezone(UTC))  # as instants
    # when / then
    assert calendar.elapsed(a, b1) <= calendar.elapsed(a, b2)
    assert calendar.elapsed(b1, a) >= calendar.elapsed(b2, a)


@properties
@given(calendar=calendars, start=moments, duration=durations)
def test_start_outside_hours_rolls_to_next_opening(calendar, start, duration):
    """A closed start counts from the next opening; an open one from itself."""
    # when
    opening = calendar.next_opening(start)
    # then
    assert calendar.is_open(opening)
    if calendar.is_open(start):
        # via UTC: Python never calls an in-gap time equal to one in another zone (PEP 495)
        assert opening == start.astimezone(UTC)
    else:
        assert opening > start
        assert calendar.elapsed(start, opening) == timedelta()
        assert calendar.add(start, duration) == calendar.add(opening, duration)
    assert calendar.add(start, timedelta()) == opening


@properties
@given(calendar=calendars, start=moments, duration=positive_durations)
def test_due_time_is_inside_or_at_the_end_of_an_opening(calendar, start, duration):
    """The due time is never in closed time: the instant before it is open, and it is after start."""
    # when
    due = calendar.add(start, duration)
    # then
    assert due > start
    assert calendar.is_open(due - US)
    assert due.tzinfo is UTC


# -- Asia/Jerusalem -------------------------------------------------------------------------


def test_jerusalem_rosh_hashana_eve_is_a_short_day():
    """Erev Rosh Hashana 5786 (Mon 22 Sep 2025) closes at 13:00; the two days of the holiday are closed."""
    # given
    start = local(JERUSALEM, 2025, 9, 22, 10)
    # when
    due = israel.add(start, 5 * H)
    # then: 10:00-13:00 on the eve, nothing Tue-Wed, 08:00-10:00 on Thursday
    assert due == local(JERUSALEM, 2025, 9, 25, 10)
    assert israel.is_eve(date(2025, 9, 22))
    assert not israel.is_open(local(JERUSALEM, 2025, 9, 22, 13, 30))


def test_jerusalem_yom_kippur_is_closed():
    """Yom Kippur 5786 (Thu 2 Oct 2025) is closed and its eve closes at 13:00."""
    # given
    start = local(JERUSALEM, 2025, 10, 1, 12)
    # when
    due = israel.add(start, 4 * H)
    # then: 1 h on the eve, Yom Kippur closed, then 08:00-11:00 on Friday
    assert due == local(JERUSALEM, 2025, 10, 3, 11)
    assert israel.openings_on(date(2025, 10, 2)) == []
    assert israel.elapsed(local(JERUSALEM, 2025, 10, 1, 8), local(JERUSALEM, 2025, 10, 3, 13)) == 10 * H


def test_jerusalem_friday_is_a_short_day():
    """Friday closes at 13:00 and Saturday is closed."""
    # given
    start = local(JERUSALEM, 2025, 9, 26, 12)
    # when
    due = israel.add(start, 2 * H)
    # then
    assert due == local(JERUSALEM, 2025, 9, 28, 9)


def test_jerusalem_day_of_dst_change_is_a_full_day():
    """Israel falls back at 02:00 on Sun 26 Oct 2025, outside hours: that Sunday still has 9 hours."""
    # when
    hours = israel.elapsed(local(JERUSALEM, 2025, 10, 26), local(JERUSALEM, 2025, 10, 27))
    # then
    assert hours == 9 * H


# -- Asia/Riyadh ----------------------------------------------------------------------------


def test_riyadh_friday_saturday_weekend():
    """Thursday afternoon rolls over the Friday-Saturday weekend to Sunday."""
    # given
    start = local(RIYADH, 2025, 3, 13, 15)
    # when
    due = saudi.add(start, 2 * H)
    # then
    assert due == local(RIYADH, 2025, 3, 16, 9)
    assert saudi.work_week == {SUN, MON, TUE, WED, THU}


def test_riyadh_eid_al_fitr_is_closed():
    """Eid al-Fitr 1446 (Sun 30 Mar - Wed 2 Apr 2025) closes the week after the weekend."""
    # given
    start = local(RIYADH, 2025, 3, 27, 15)
    # when
    due = saudi.add(start, 2 * H)
    # then
    assert due == local(RIYADH, 2025, 4, 3, 9)


def test_riyadh_eid_al_adha_is_closed():
    """Arafah and Eid al-Adha (Thu 5 - Tue 10 Jun 2025, with observed days) are closed."""
    # when
    hours = saudi.elapsed(local(RIYADH, 2025, 6, 4, 15), local(RIYADH, 2025, 6, 11, 9))
    # then
    assert hours == 2 * H


# -- Europe/Moscow --------------------------------------------------------------------------


def test_moscow_new_year_holidays():
    """1-8 January 2025 are closed: a complaint on 2 January waits until 9 January."""
    # given
    start = local(MOSCOW, 2025, 1, 2, 10)
    # when
    due = russia.add(start, H)
    # then
    assert russia.next_opening(start) == local(MOSCOW, 2025, 1, 9, 9)
    assert due == local(MOSCOW, 2025, 1, 9, 10)


def test_moscow_pre_holiday_day_is_an_hour_shorter_and_new_year_spans_years():
    """Tue 30 Dec 2025 (before the 31st, a day off) closes at 17:00; 31 Dec-9 Jan 2026 are closed."""
    # given
    start = local(MOSCOW, 2025, 12, 30, 16)
    # when
    due = russia.add(start, 2 * H)
    # then
    assert due == local(MOSCOW, 2026, 1, 12, 10)
    assert russia.elapsed(local(MOSCOW, 2025, 12, 30, 9), local(MOSCOW, 2026, 1, 13, 9)) == 17 * H


# -- America/New_York -----------------------------------------------------------------------


def test_new_york_thanksgiving_and_weekend():
    """Thanksgiving (Thu 28 Nov 2024) is closed; the Friday after it is open."""
    # given
    start = local(NEW_YORK, 2024, 11, 27, 16)
    # when / then
    assert new_york.add(start, 2 * H) == local(NEW_YORK, 2024, 11, 29, 10)
    assert new_york.add(start, 10 * H) == local(NEW_YORK, 2024, 12, 2, 10)


def test_new_york_business_hours_across_spring_forward():
    """Friday 16:00 EST + 2 h is Monday 10:00 EDT: the lost hour is on a closed Sunday."""
    # when
    due = new_york.add(local(NEW_YORK, 2025, 3, 7, 16), 2 * H)
    # then
    assert due == local(NEW_YORK, 2025, 3, 10, 10)
    assert due.astimezone(NEW_YORK).utcoffset() == -4 * H


def test_new_york_spring_forward_day_has_one_real_hour():
    """On Sun 9 Mar 2025 clocks jump 02:00 -> 03:00: the 01:00-03:00 interval is 1 real hour."""
    # when
    openings = new_york_nights.openings_on(date(2025, 3, 9))
    # then
    assert openings == [(datetime(2025, 3, 9, 6, tzinfo=UTC), datetime(2025, 3, 9, 7, tzinfo=UTC))]
    assert new_york_nights.elapsed(local(NEW_YORK, 2025, 3, 9), local(NEW_YORK, 2025, 3, 10)) == H
    # 1 h that night, then 30 min of the next night (now EDT)
    assert new_york_nights.add(local(NEW_YORK, 2025, 3, 9, 1), 90 * timedelta(minutes=1)) == local(
        NEW_YORK, 2025, 3, 10, 1, 30
    )


def test_new_york_fall_back_day_has_three_real_hours():
    """On Sun 2 Nov 2025 01:00-02:00 happens twice: 01:00 EDT to 03:00 EST is 3 real hours."""
    # when
    openings = new_york_nights.openings_on(date(2025, 11, 2))
    # then
    assert openings == [(datetime(2025, 11, 2, 5, tzinfo=UTC), datetime(2025, 11, 2, 8, tzinfo=UTC))]
    assert new_york_nights.elapsed(local(NEW_YORK, 2025, 11, 2), local(NEW_YORK, 2025, 11, 3)) == 3 * H
    # both readings of 01:30 are open; the second (EST, fold=1) is an hour later
    first, second = local(NEW_YORK, 2025, 11, 2, 1, 30), local(NEW_YORK, 2025, 11, 2, 1, 30, fold=1)
    assert new_york_nights.is_open(first)
    assert new_york_nights.is_open(second)
    assert new_york_nights.elapsed(first, second) == H
    assert new_york_nights.add(second, 30 * timedelta(minutes=1)) == local(NEW_YORK, 2025, 11, 2, 2)


def test_boundary_in_the_gap_opens_when_the_clock_jumps():
    """An opening at 02:30 on the spring-forward day (a time that never happens) opens at 03:00 EDT."""
    # given
    calendar = BusinessCalendar(time_zone="America/New_York", hours={SUN: ["02:30-04:00"]})
    # when
    openings = calendar.openings_on(date(2025, 3, 9))
    # then
    assert openings == [(datetime(2025, 3, 9, 7, tzinfo=UTC), datetime(2025, 3, 9, 8, tzinfo=UTC))]


def test_boundary_in_the_fold_is_its_first_occurrence():
    """A closing at 01:30 on the fall-back day closes at the first 01:30 (EDT)."""
    # given
    calendar = BusinessCalendar(time_zone="America/New_York", hours={SUN: ["00:00-01:30"]})
    # when
    openings = calendar.openings_on(date(2025, 11, 2))
    # then
    assert openings == [(datetime(2025, 11, 2, 4, tzinfo=UTC), datetime(2025, 11, 2, 5, 30, tzinfo=UTC))]


# -- hours, closures, special days ----------------------------------------------------------


def test_lunch_break_is_skipped():
    """Two intervals a day: 11:00 + 2 h is 14:00 past a 12:00-13:00 break."""
    # given
    dubai = ZoneInfo("Asia/Dubai")
    # when / then
    assert dubai_split.add(local(dubai, 2025, 6, 2, 11), 2 * H) == local(dubai, 2025, 6, 2, 14)
    assert not dubai_split.is_open(local(dubai, 2025, 6, 2, 12, 30))


def test_closures_and_special_days():
    """A closed date range is skipped; a special day has only its own hours."""
    # given
    dubai = ZoneInfo("Asia/Dubai")
    # when / then
    assert dubai_split.next_opening(local(dubai, 2025, 3, 2, 9)) == local(dubai, 2025, 3, 10, 8)
    assert dubai_split.elapsed(local(dubai, 2025, 6, 4), local(dubai, 2025, 6, 5)) == H
    assert dubai_split.add(local(dubai, 2025, 6, 4, 8), 30 * timedelta(minutes=1)) == local(
        dubai, 2025, 6, 4, 10, 30
    )


def test_special_day_opens_a_working_saturday():
    """Russia's working Saturday 1 Nov 2025 (moved to Mon 3 Nov) can be added as a special day."""
    # given
    calendar = BusinessCalendar(
        time_zone="Europe/Moscow",
        hours={(MON, TUE, WED, THU, FRI): ["09:00-18:00"]},
        country="RU",
        special_days={date(2025, 11, 1): ["09:00-17:00"]},
    )
    # when / then
    assert calendar.add(local(MOSCOW, 2025, 10, 31, 17), 2 * H) == local(MOSCOW, 2025, 11, 1, 10)
    assert calendar.openings_on(date(2025, 11, 3)) == []


def test_round_the_clock_weekdays_join_at_midnight():
    """00:00-24:00 Mon-Fri is one stretch from Monday 00:00 to Saturday 00:00."""
    # given
    london = ZoneInfo("Europe/London")
    # when / then
    assert round_the_clock.add(local(london, 2025, 6, 2, 12), 100 * H) == local(london, 2025, 6, 6, 16)
    assert round_the_clock.add(local(london, 2025, 6, 6, 12), 13 * H) == local(london, 2025, 6, 9, 1)


def test_eves_of_limits_derived_eves():
    """With eves_of, only the eves of the named holidays are short; an empty set turns them off."""
    # given
    only_yom_kippur = BusinessCalendar(
        time_zone="Asia/Jerusalem",
        hours={(SUN, MON, TUE, WED, THU): ["08:00-17:00"]},
        country="IL",
        eve_hours=["08:00-13:00"],
        eves_of={"Yom Kippur"},
    )
    no_eves = BusinessCalendar(
        time_zone="Asia/Jerusalem",
        hours={(SUN, MON, TUE, WED, THU): ["08:00-17:00"]},
        country="IL",
        eve_hours=["08:00-13:00"],
        eves_of=(),
    )
    # when / then
    assert only_yom_kippur.is_eve(date(2025, 10, 1))
    assert not only_yom_kippur.is_eve(date(2025, 9, 22))
    assert not no_eves.is_eve(date(2025, 10, 1))
    assert len(no_eves.openings_on(date(2025, 10, 1))) == 1
    assert no_eves.elapsed(local(JERUSALEM, 2025, 10, 1), local(JERUSALEM, 2025, 10, 2)) == 9 * H


def test_lazy_years_grow_in_both_directions():
    """A cold calendar computes years on demand, forwards and backwards, with the same answers."""
    # given
    cold = BusinessCalendar(time_zone="Asia/Jerusalem", hours={(SUN, MON, TUE, WED, THU): ["08:00-17:00"]})
    start = local(JERUSALEM, 2025, 12, 31, 16)
    # when
    due = cold.add(start, 500 * 9 * H)
    # then
    assert due.year == 2027
    assert cold.elapsed(local(JERUSALEM, 2023, 1, 1), start) == israel_weekday_hours(2023, 2025)
    assert cold.elapsed(start, due) == 500 * 9 * H


def israel_weekday_hours(first_year, last_year):
    days = 0
    day = date(first_year, 1, 1)
    while day < date(last_year, 12, 31):
        days += day.weekday() in {SUN, MON, TUE, WED, THU}
        day += timedelta(days=1)
    return days * 9 * H + 8 * H  # plus 08:00-16:00 on Wed 31 Dec 2025


# -- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ({MON: ["08:00-12:00", "11:00-17:00"]}, "Monday: the intervals 08:00–12:00 and 11:00–17:00 overlap"),
        ({SUN: ["17:00-08:00"]}, "Sunday: the interval 17:00–08:00 does not end after it starts"),
        ({SUN: ["08:00-08:00"]}, "Sunday: the interval 08:00–08:00 does not end after it starts"),
        ({SUN: ["8-17"]}, "Sunday: '8' is not a time like 08:00"),
        ({SUN: ["08:00-24:30"]}, "is not a time between 00:00 and 24:00"),
        ({(SUN, MON): ["08:00-17:00"], MON: ["09:00-10:00"]}, "Monday has hours listed twice"),
        ({}, "the work week has no opening hours"),
        ({7: ["08:00-17:00"]}, "7 is not a weekday number"),
    ],
)
def test_bad_hours_are_rejected(hours, message):
    """Overlapping, inverted, malformed or duplicated hours raise ValueError naming the problem."""
    # when / then
    with pytest.raises(ValueError, match=message):
        BusinessCalendar(time_zone="Asia/Jerusalem", hours=hours)


def test_bad_zone_country_and_closures_are_rejected():
    """An unknown zone, country or subdivision, or an inverted closure, raises ValueError."""
    # given
    hours = {MON: ["09:00-17:00"]}
    # when / then
    with pytest.raises(ValueError, match="unknown time zone"):
        BusinessCalendar(time_zone="Mars/Olympus", hours=hours)
    with pytest.raises(ValueError, match="has no 'XX'"):
        BusinessCalendar(time_zone="UTC", hours=hours, country="XX")
    with pytest.raises(ValueError, match="has no 'US'/'ZZ'"):
        BusinessCalendar(time_zone="UTC", hours=hours, country="US", subdivision="ZZ")
    with pytest.raises(ValueError, match="ends before it starts"):
        BusinessCalendar(time_zone="UTC", hours=hours, closures=[(date(2025, 2, 1), date(2025, 1, 1))])


def test_naive_datetimes_and_negative_durations_are_rejected():
    """Naive datetimes raise ValueError in every method; so does a negative duration."""
    # given
    naive = datetime(2025, 6, 1, 9)
    aware = local(JERUSALEM, 2025, 6, 1, 9)
    # when / then
    for call in (
        lambda: israel.add(naive, H),
        lambda: israel.elapsed(naive, aware),
        lambda: israel.elapsed(aware, naive),
        lambda: israel.is_open(naive),
        lambda: israel.next_opening(naive),
    ):
        with pytest.raises(ValueError, match="needs an aware datetime"):
            call()
    with pytest.raises(ValueError, match="cannot be negative"):
        israel.add(aware, -H)


def test_years_outside_the_supported_range_are_rejected():
    """Far-away years raise ValueError rather than computing centuries of intervals."""
    # when / then
    with pytest.raises(ValueError, match="1900–2199 only"):
        israel.add(datetime(1800, 1, 1, tzinfo=UTC), H)
