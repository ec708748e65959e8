"""Business calendar: Russian production calendar, short days, lunch breaks, DST and storage."""

from __future__ import annotations

import json
from datetime import date, time

import pytest

from b24app.services.calendar import (
    BusinessCalendar,
    DateOverride,
    NoWorkingTime,
    WorkInterval,
    add_working_minutes,
    is_working_time,
    russian_calendar,
    working_days_in_year,
    working_intervals,
    working_minutes_between,
)

from .factories import EVERY_DAY, calendar, hours, utc


@pytest.fixture(scope="module")
def russia() -> BusinessCalendar:
    return russian_calendar([2024, 2025, 2026])


def local_hours(cal: BusinessCalendar, day: date) -> list[str]:
    return ["-".join(interval.to_list()) for interval in cal.hours_on(day)]


@pytest.mark.parametrize(("year", "expected"), [(2024, 248), (2025, 247), (2026, 247)])
def test_russian_working_days_per_year_match_the_production_calendar(russia, year, expected):
    assert working_days_in_year(russia, year) == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2024, 4, 27), ["09:00-18:00"]),  # working Saturday for the May holidays
        (date(2024, 4, 29), []),
        (date(2024, 4, 30), []),
        (date(2024, 12, 28), ["09:00-18:00"]),  # working Saturday, not shortened
        (date(2024, 12, 30), []),
        (date(2024, 12, 31), []),
        (date(2025, 5, 2), []),
        (date(2025, 5, 8), []),
        (date(2025, 11, 1), ["09:00-17:00"]),  # working Saturday before Unity Day, shortened
        (date(2025, 11, 3), []),
        (date(2025, 12, 31), []),
        (date(2026, 1, 9), []),
        (date(2026, 3, 9), []),
        (date(2026, 5, 11), []),
        (date(2026, 12, 31), []),
        (date(2026, 1, 12), ["09:00-18:00"]),  # first working day of 2026
        (date(2025, 11, 2), []),  # an ordinary Sunday stays off
    ],
)
def test_russian_transfers_and_working_saturdays(russia, day, expected):
    assert local_hours(russia, day) == expected


@pytest.mark.parametrize(
    "day",
    [
        date(2024, 2, 22),
        date(2024, 3, 7),
        date(2024, 5, 8),
        date(2024, 6, 11),
        date(2024, 11, 2),
        date(2025, 3, 7),
        date(2025, 4, 30),
        date(2025, 6, 11),
        date(2026, 4, 30),
        date(2026, 5, 8),
        date(2026, 6, 11),
        date(2026, 11, 3),
    ],
)
def test_pre_holiday_days_close_at_17(russia, day):
    assert local_hours(russia, day) == ["09:00-17:00"]
    assert is_working_time(russia, utc(day.year, day.month, day.day, 13, 59))  # 16:59 in Moscow
    assert not is_working_time(russia, utc(day.year, day.month, day.day, 14, 0))


def test_budget_ending_at_a_short_days_close_is_due_at_17_and_the_next_minute_rolls_over(russia):
    start = utc(2025, 3, 7, 6, 0)  # 09:00 Moscow on the short Friday
    assert add_working_minutes(russia, start, 8 * 60) == utc(2025, 3, 7, 14, 0)
    # 8 March is Saturday, so the next working minute is Monday 10 March.
    assert add_working_minutes(russia, start, 8 * 60 + 1) == utc(2025, 3, 10, 6, 1)


def test_moscow_day_maps_to_utc_three_hours_earlier(russia):
    intervals = list(working_intervals(russia, utc(2025, 11, 1), utc(2025, 11, 6)))
    assert intervals == [
        (utc(2025, 11, 1, 6), utc(2025, 11, 1, 14)),
        (utc(2025, 11, 5, 6), utc(2025, 11, 5, 15)),
    ]


def test_lunch_break_is_not_working_time():
    cal = calendar(hours("09:00-13:00", "14:00-18:00"))
    # Monday 2024-06-03, Berlin is UTC+2.
    assert is_working_time(cal, utc(2024, 6, 3, 10, 59))
    assert not is_working_time(cal, utc(2024, 6, 3, 11, 30))
    assert working_minutes_between(cal, utc(2024, 6, 3, 7), utc(2024, 6, 3, 16)) == 8 * 60
    assert add_working_minutes(cal, utc(2024, 6, 3, 10, 30), 60) == utc(2024, 6, 3, 12, 30)


def test_short_day_without_explicit_hours_loses_an_hour_at_the_end_of_the_day():
    day = date(2024, 6, 7)
    cal = BusinessCalendar(
        tz="Europe/Berlin",
        weekly=dict.fromkeys(range(5), hours("09:00-13:00", "14:00-18:00")),
        overrides={
            day: DateOverride(day, "short"),
            date(2024, 6, 8): DateOverride(date(2024, 6, 8), "working"),
        },
    )
    assert local_hours(cal, day) == ["09:00-13:00", "14:00-17:00"]
    # A working Saturday without hours gets the standard hours of a weekday.
    assert local_hours(cal, date(2024, 6, 8)) == ["09:00-13:00", "14:00-18:00"]


def test_working_hours_follow_daylight_saving_time_in_utc():
    cal = calendar(hours("09:00-17:00"))
    before = list(working_intervals(cal, utc(2024, 3, 29), utc(2024, 3, 30)))
    after = list(working_intervals(cal, utc(2024, 4, 1), utc(2024, 4, 2)))
    assert before == [(utc(2024, 3, 29, 8), utc(2024, 3, 29, 16))]
    assert after == [(utc(2024, 4, 1, 7), utc(2024, 4, 1, 15))]
    # Friday 16:00 local plus two working hours lands on Monday 10:00 local, after the clocks changed.
    assert add_working_minutes(cal, utc(2024, 3, 29, 15), 120) == utc(2024, 4, 1, 8)


def test_round_the_clock_calendar_counts_the_real_length_of_dst_days():
    cal = calendar(hours("00:00-24:00"), days=EVERY_DAY)
    assert working_minutes_between(cal, utc(2024, 3, 30, 23), utc(2024, 3, 31, 22)) == 23 * 60
    assert working_minutes_between(cal, utc(2024, 10, 26, 22), utc(2024, 10, 27, 23)) == 25 * 60


def test_calendar_round_trips_through_json(russia):
    lunch = calendar(hours("09:00-13:00", "14:00-24:00"), days_off=(date(2024, 5, 1),))
    for cal in (russia, lunch):
        restored = BusinessCalendar.from_dict(json.loads(json.dumps(cal.to_dict())))
        assert restored == cal
        assert working_days_in_year(restored, 2025) == working_days_in_year(cal, 2025)


def test_stored_form_is_plain_and_readable(russia):
    data = russia.to_dict()
    assert data["tz"] == "Europe/Moscow"
    assert data["weekly"]["0"] == [["09:00", "18:00"]]
    assert data["weekly"]["6"] == []
    assert data["overrides"]["2025-11-03"] == {"kind": "day_off"}
    assert data["overrides"]["2025-11-01"] == {"kind": "short", "intervals": [["09:00", "17:00"]]}
    assert data["overrides"]["2024-04-27"] == {"kind": "working", "intervals": [["09:00", "18:00"]]}


@pytest.mark.parametrize(
    "build",
    [
        lambda: WorkInterval(time(18), time(9)),
        lambda: WorkInterval(time(9, 0, 30), time(18)),
        lambda: DateOverride(date(2024, 1, 1), "holiday"),
        lambda: DateOverride(date(2024, 1, 1), "day_off", hours("09:00-18:00")),
        lambda: calendar(hours("09:00-13:00", "12:00-18:00")),
        lambda: BusinessCalendar(tz="Europe/Nowhere", weekly={}),
        lambda: BusinessCalendar(tz="UTC", weekly={7: hours("09:00-18:00")}),
        lambda: BusinessCalendar.from_dict({"weekly": {}}),
        lambda: BusinessCalendar.from_dict({"tz": "UTC", "overrides": {"2024-01-01": {}}}),
        lambda: BusinessCalendar.from_dict({"tz": "UTC", "weekly": {"0": [["9:00"]]}}),
    ],
)
def test_invalid_calendar_data_is_rejected(build):
    with pytest.raises(ValueError):
        build()


def test_calendar_without_working_time_cannot_give_a_deadline():
    idle = BusinessCalendar(tz="UTC", weekly={})
    with pytest.raises(NoWorkingTime):
        add_working_minutes(idle, utc(2024, 1, 1), 60)


def test_naive_datetimes_are_refused():
    cal = calendar(hours("09:00-17:00"))
    with pytest.raises(ValueError):
        add_working_minutes(cal, utc(2024, 1, 1).replace(tzinfo=None), 60)
