"""Small builders for calendars and instants used by the SLA tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from b24app.services.calendar import BusinessCalendar, DateOverride, WorkInterval

WEEKDAYS = range(5)
EVERY_DAY = range(7)


def hours(*pairs: str) -> tuple[WorkInterval, ...]:
    """hours("09:00-13:00", "14:00-18:00")"""
    result = []
    for pair in pairs:
        start, end = pair.split("-")
        result.append(
            WorkInterval(time.fromisoformat(start), time(0) if end == "24:00" else time.fromisoformat(end))
        )
    return tuple(result)


def calendar(
    day_hours: tuple[WorkInterval, ...],
    days: range = WEEKDAYS,
    tz: str = "Europe/Berlin",
    days_off: tuple[date, ...] = (),
) -> BusinessCalendar:
    overrides = {day: DateOverride(day, "day_off") for day in days_off}
    return BusinessCalendar(tz=tz, weekly=dict.fromkeys(days, day_hours), overrides=overrides)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
