"""Properties of deadlines that must hold for any start, budget and pauses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from b24app.services.calendar import is_working_time, russian_calendar
from b24app.services.sla import Pause, deadline, working_minutes

from .factories import EVERY_DAY, calendar, hours

CALENDARS = {
    "russia": russian_calendar([2024, 2025, 2026]),
    "berlin_lunch": calendar(hours("09:00-13:00", "14:00-18:00")),
    "new_york_evenings": calendar(hours("00:00-02:30", "17:00-24:00"), days=EVERY_DAY, tz="America/New_York"),
}
PROPERTY_SETTINGS = settings(max_examples=200, deadline=None)

calendars = st.sampled_from(sorted(CALENDARS)).map(CALENDARS.get)
calendars_or_round_the_clock = st.one_of(st.none(), calendars)
starts = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2026, 6, 30), timezones=st.just(UTC))
budgets = st.integers(min_value=1, max_value=6000)


@st.composite
def pauses_around(draw, start_strategy=starts):
    start = draw(start_strategy)
    pieces = draw(
        st.lists(
            st.tuples(st.integers(-3000, 8000), st.integers(1, 3000)),
            max_size=3,
        )
    )
    pauses = tuple(
        Pause(start + timedelta(minutes=offset), start + timedelta(minutes=offset + length))
        for offset, length in pieces
    )
    return start, pauses


@PROPERTY_SETTINGS
@given(cal=calendars, start=starts, minutes=budgets)
def test_deadline_falls_in_working_time_or_exactly_at_a_close(cal, start, minutes):
    due = deadline(cal, start, minutes)
    assert is_working_time(cal, due) or is_working_time(cal, due - timedelta(seconds=1))
    assert due.second == 0


@PROPERTY_SETTINGS
@given(
    cal=calendars_or_round_the_clock, case=pauses_around(), minutes=budgets, extra=st.integers(-2000, 6000)
)
def test_adding_a_pause_never_makes_a_deadline_earlier(cal, case, minutes, extra):
    start, pauses = case
    more = (*pauses, Pause(start + timedelta(minutes=extra), start + timedelta(minutes=extra + 90)))
    assert deadline(cal, start, minutes, more) >= deadline(cal, start, minutes, pauses)


@PROPERTY_SETTINGS
@given(cal=calendars_or_round_the_clock, case=pauses_around(), minutes=budgets, more=st.integers(1, 3000))
def test_more_minutes_never_give_an_earlier_deadline(cal, case, minutes, more):
    start, pauses = case
    assert deadline(cal, start, minutes + more, pauses) >= deadline(cal, start, minutes, pauses)


@PROPERTY_SETTINGS
@given(cal=calendars_or_round_the_clock, case=pauses_around(), minutes=budgets)
def test_working_minutes_up_to_the_deadline_equal_the_budget(cal, case, minutes):
    start, pauses = case
    assert working_minutes(cal, start, deadline(cal, start, minutes, pauses), pauses) == minutes


@PROPERTY_SETTINGS
@given(cal=calendars, start=starts, minutes=budgets)
def test_deadline_is_at_least_the_budget_after_the_start(cal, start, minutes):
    assert deadline(cal, start, minutes) >= start.replace(second=0, microsecond=0) + timedelta(
        minutes=minutes
    )
