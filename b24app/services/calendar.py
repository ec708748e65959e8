"""Business calendars: weekly working hours, per-date overrides and a time zone, queried in UTC.

Internally a working day is a tuple of UTC spans in epoch seconds, cached per date, so that the SLA
engine can walk many thousands of deadlines per second.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from types import MappingProxyType
from typing import Any, Literal, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

OverrideKind = Literal["day_off", "working", "short"]
Span = tuple[int, int]

DAY_SECONDS = 24 * 60 * 60
# Labour Code art. 95: the working day before a public holiday is one hour shorter.
SHORT_DAY_CUT_SECONDS = 60 * 60
# End of an endless span: a calendar that works around the clock, or a pause that has not ended.
FOREVER = 2**62
# A calendar that stays idle this long has no working time left to offer.
_IDLE_LIMIT_DAYS = 3 * 366
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


class NoWorkingTime(ValueError):
    """The calendar has no working time ahead, so a budget of working minutes can never run out."""


@dataclass(frozen=True, slots=True)
class WorkInterval:
    """Working hours within one local day; an end of 00:00 means midnight at the end of the day."""

    start: time
    end: time

    def __post_init__(self) -> None:
        for moment in (self.start, self.end):
            if moment.second or moment.microsecond or moment.tzinfo is not None:
                raise ValueError(f"working hours are whole local minutes, got {moment}")
        if self.end_seconds <= self.start_seconds:
            raise ValueError(f"working interval ends before it starts: {self.start}-{self.end}")

    @property
    def start_seconds(self) -> int:
        return self.start.hour * 3600 + self.start.minute * 60

    @property
    def end_seconds(self) -> int:
        if self.end == time(0):
            return DAY_SECONDS
        return self.end.hour * 3600 + self.end.minute * 60

    def to_list(self) -> list[str]:
        end = "24:00" if self.end == time(0) else self.end.strftime("%H:%M")
        return [self.start.strftime("%H:%M"), end]

    @classmethod
    def from_list(cls, pair: Iterable[str]) -> WorkInterval:
        start, end = pair
        return cls(time.fromisoformat(start), time(0) if end == "24:00" else time.fromisoformat(end))


def _check_day(intervals: Iterable[WorkInterval]) -> tuple[WorkInterval, ...]:
    day = tuple(intervals)
    for earlier, later in pairwise(day):
        if later.start_seconds < earlier.end_seconds:
            raise ValueError(f"working intervals overlap or are out of order: {day}")
    return day


@dataclass(frozen=True, slots=True)
class DateOverride:
    """One date that differs from the weekly hours: a day off, a working day, or a shortened day.

    Without intervals a working day gets the standard hours and a short day gets them one hour shorter.
    """

    day: date
    kind: OverrideKind
    intervals: tuple[WorkInterval, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in get_args(OverrideKind):
            raise ValueError(f"unknown override kind {self.kind!r}")
        object.__setattr__(self, "intervals", _check_day(self.intervals))
        if self.kind == "day_off" and self.intervals:
            raise ValueError(f"a day off has no working hours: {self.day}")

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind}
        if self.intervals:
            data["intervals"] = [interval.to_list() for interval in self.intervals]
        return data


@dataclass(frozen=True, eq=True)
class BusinessCalendar:
    """Weekly hours (0 = Monday) and per-date overrides in an IANA time zone; immutable.

    To edit one, build a new calendar (from_dict of an edited to_dict); the per-date cache relies on it.
    """

    tz: str
    weekly: Mapping[int, tuple[WorkInterval, ...]]
    overrides: Mapping[date, DateOverride] = field(default_factory=dict)
    _zone: ZoneInfo = field(init=False, repr=False, compare=False)
    _spans: dict[int, tuple[Span, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        weekly: dict[int, tuple[WorkInterval, ...]] = dict.fromkeys(range(7), ())
        for weekday, intervals in self.weekly.items():
            if weekday not in range(7):
                raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), got {weekday!r}")
            weekly[weekday] = _check_day(intervals)
        for day, override in self.overrides.items():
            if override.day != day:
                raise ValueError(f"override for {override.day} filed under {day}")
        try:
            zone = ZoneInfo(self.tz)
        except ZoneInfoNotFoundError as error:
            raise ValueError(f"unknown time zone {self.tz!r}") from error
        object.__setattr__(self, "_zone", zone)
        object.__setattr__(self, "weekly", MappingProxyType(weekly))
        object.__setattr__(self, "overrides", MappingProxyType(dict(sorted(self.overrides.items()))))
        object.__setattr__(self, "_spans", {})

    @property
    def zone(self) -> ZoneInfo:
        return self._zone

    def standard_hours(self, day: date) -> tuple[WorkInterval, ...]:
        """Hours of the weekday, or of the first weekday that works (for a working Saturday)."""
        own = self.weekly.get(day.weekday(), ())
        if own:
            return own
        return next((hours for _, hours in sorted(self.weekly.items()) if hours), ())

    def hours_on(self, day: date) -> tuple[WorkInterval, ...]:
        """Local working hours on a date, overrides applied."""
        override = self.overrides.get(day)
        if override is None:
            return self.weekly.get(day.weekday(), ())
        if override.kind == "day_off":
            return ()
        if override.intervals:
            return override.intervals
        if override.kind == "working":
            return self.standard_hours(day)
        return _shorten(self.standard_hours(day), SHORT_DAY_CUT_SECONDS)

    def day_spans(self, ordinal: int) -> tuple[Span, ...]:
        """Working spans of one local date (by ordinal) as UTC epoch seconds, cached."""
        spans = self._spans.get(ordinal)
        if spans is None:
            spans = self._build_spans(date.fromordinal(ordinal))
            self._spans[ordinal] = spans
        return spans

    def _build_spans(self, day: date) -> tuple[Span, ...]:
        midnight = datetime.combine(day, time(0), tzinfo=self._zone)
        next_midnight = datetime.combine(day + timedelta(days=1), time(0), tzinfo=self._zone)
        spans: list[Span] = []
        for interval in self.hours_on(day):
            start = int(datetime.combine(day, interval.start, tzinfo=self._zone).timestamp())
            if interval.end == time(0):
                end = int(next_midnight.timestamp())
            else:
                end = int(datetime.combine(day, interval.end, tzinfo=self._zone).timestamp())
            start = max(start, int(midnight.timestamp()))
            # Around a DST change local hours can collapse or touch; keep spans ordered and disjoint.
            if spans and start <= spans[-1][1]:
                start = spans[-1][1]
            if end > start:
                if spans and spans[-1][1] == start:
                    spans[-1] = (spans[-1][0], end)
                else:
                    spans.append((start, end))
        return tuple(spans)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-friendly form, for the portal's calendar column."""
        return {
            "tz": self.tz,
            "weekly": {
                str(weekday): [interval.to_list() for interval in self.weekly.get(weekday, ())]
                for weekday in range(7)
            },
            "overrides": {day.isoformat(): override.to_dict() for day, override in self.overrides.items()},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BusinessCalendar:
        """The calendar stored by to_dict; ValueError on malformed data (it may come from an admin form)."""
        try:
            return cls._from_dict(data)
        except (KeyError, TypeError, AttributeError) as error:
            raise ValueError(f"malformed calendar data: {error!r}") from error

    @classmethod
    def _from_dict(cls, data: Mapping[str, Any]) -> BusinessCalendar:
        weekly = {
            int(weekday): tuple(WorkInterval.from_list(pair) for pair in intervals)
            for weekday, intervals in data.get("weekly", {}).items()
        }
        overrides = {}
        for day_text, entry in data.get("overrides", {}).items():
            day = date.fromisoformat(day_text)
            intervals = tuple(WorkInterval.from_list(pair) for pair in entry.get("intervals", ()))
            overrides[day] = DateOverride(day, entry["kind"], intervals)
        return cls(tz=data["tz"], weekly=weekly, overrides=overrides)


def _shorten(intervals: tuple[WorkInterval, ...], seconds: int) -> tuple[WorkInterval, ...]:
    """The same hours with `seconds` cut off the end of the day."""
    kept = list(intervals)
    while kept and seconds > 0:
        last = kept.pop()
        length = last.end_seconds - last.start_seconds
        if length > seconds:
            end = last.end_seconds - seconds
            kept.append(WorkInterval(last.start, time(end // 3600, end % 3600 // 60)))
        seconds -= length
    return tuple(kept)


# Epoch-second primitives shared with the SLA engine.


def to_epoch_minute(moment: datetime) -> int:
    """Epoch seconds of an aware datetime, truncated to the minute (the SLA granularity)."""
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime {moment}: pass an aware (UTC) datetime")
    seconds = int(moment.timestamp())
    return seconds - seconds % 60


def from_epoch(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def working_spans(cal: BusinessCalendar | None, start: int) -> Iterator[Span]:
    """Working time from `start` onward as UTC epoch-second spans; None means around the clock."""
    if cal is None:
        yield (start, FOREVER)
        return
    # A local date lies within a day of the UTC date, so its spans cannot start before the day before.
    ordinal = start // DAY_SECONDS + _EPOCH_ORDINAL - 1
    idle_days = 0
    while True:
        spans = cal.day_spans(ordinal)
        if spans:
            idle_days = 0
            for span_start, span_end in spans:
                if span_end > start:
                    yield (span_start if span_start > start else start, span_end)
        else:
            idle_days += 1
            if idle_days > _IDLE_LIMIT_DAYS:
                raise NoWorkingTime(f"no working time within {_IDLE_LIMIT_DAYS} days in {cal.tz}")
        ordinal += 1


def consume_spans(spans: Iterable[Span], seconds: int) -> int | None:
    """The instant at which `seconds` of the spans have been used; None if the spans run out first.

    A budget that runs out exactly at the end of a span is due at that end (the closing instant).
    """
    remaining = seconds
    for start, end in spans:
        length = end - start
        if remaining <= length:
            return start + remaining
        remaining -= length
    return None


def measure_spans(spans: Iterable[Span], end: int) -> int:
    """Seconds of the spans that lie before `end`."""
    total = 0
    for span_start, span_end in spans:
        if span_start >= end:
            break
        total += (span_end if span_end < end else end) - span_start
    return total


# Public queries on aware datetimes.


def working_intervals(
    cal: BusinessCalendar, start_utc: datetime, end_utc: datetime
) -> Iterator[tuple[datetime, datetime]]:
    """Working intervals between two instants, clipped to them, as aware UTC datetimes."""
    start, end = int(start_utc.timestamp()), int(end_utc.timestamp())
    if end <= start:
        return
    for span_start, span_end in working_spans(cal, start):
        if span_start >= end:
            return
        yield from_epoch(span_start), from_epoch(min(span_end, end))


def is_working_time(cal: BusinessCalendar, moment: datetime) -> bool:
    """Whether the instant falls in working hours (an interval's closing instant does not)."""
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime {moment}: pass an aware (UTC) datetime")
    local_day = moment.astimezone(cal.zone).date()
    seconds = moment.timestamp()
    return any(start <= seconds < end for start, end in cal.day_spans(local_day.toordinal()))


def working_days_in_year(cal: BusinessCalendar, year: int) -> int:
    day, last = date(year, 1, 1), date(year, 12, 31)
    count = 0
    while day <= last:
        count += bool(cal.hours_on(day))
        day += timedelta(days=1)
    return count


def add_working_minutes(cal: BusinessCalendar | None, start: datetime, minutes: int) -> datetime:
    """The instant `minutes` working minutes after `start` (seconds truncated; None = around the clock)."""
    if minutes < 0:
        raise ValueError("minutes must not be negative")
    begin = to_epoch_minute(start)
    due = consume_spans(working_spans(cal, begin), minutes * 60)
    assert due is not None  # the calendar's spans are endless, or NoWorkingTime was raised
    return from_epoch(due)


def working_minutes_between(cal: BusinessCalendar | None, a: datetime, b: datetime) -> int:
    """Working minutes from `a` to `b`, both truncated to the minute; 0 when `b` is not after `a`."""
    begin, end = to_epoch_minute(a), to_epoch_minute(b)
    if end <= begin:
        return 0
    return measure_spans(working_spans(cal, begin), end) // 60


# The default calendar of a Russian portal.

DEFAULT_HOURS = (WorkInterval(time(9), time(18)),)

# Pre-holiday days shortened by one hour (Labour Code art. 95), as published in the production
# calendars; the holidays package knows days off and transfers but not these.
RUSSIAN_SHORT_DAYS: Mapping[int, tuple[date, ...]] = MappingProxyType(
    {
        2024: (date(2024, 2, 22), date(2024, 3, 7), date(2024, 5, 8), date(2024, 6, 11), date(2024, 11, 2)),
        2025: (date(2025, 3, 7), date(2025, 4, 30), date(2025, 6, 11), date(2025, 11, 1)),
        2026: (date(2026, 4, 30), date(2026, 5, 8), date(2026, 6, 11), date(2026, 11, 3)),
    }
)


def russian_calendar(
    years: Iterable[int], tz: str = "Europe/Moscow", hours: tuple[WorkInterval, ...] = DEFAULT_HOURS
) -> BusinessCalendar:
    """Monday to Friday `hours`, with Russian holidays, transferred days and short days as overrides."""
    import holidays  # only needed when seeding a calendar

    years = sorted(set(years))
    hours = _check_day(hours)
    russia = holidays.RU(years=years)
    short_days = {day for year in years for day in RUSSIAN_SHORT_DAYS.get(year, ())}
    overrides: dict[date, DateOverride] = {}
    for year in years:
        day = date(year, 1, 1)
        while day.year == year:
            weekday_works = day.weekday() < 5
            if day in short_days:
                overrides[day] = DateOverride(day, "short", _shorten(hours, SHORT_DAY_CUT_SECONDS))
            elif russia.is_working_day(day) and not weekday_works:
                overrides[day] = DateOverride(day, "working", hours)
            elif not russia.is_working_day(day) and weekday_works:
                overrides[day] = DateOverride(day, "day_off")
            day += timedelta(days=1)
    return BusinessCalendar(tz=tz, weekly=dict.fromkeys(range(5), hours), overrides=overrides)
