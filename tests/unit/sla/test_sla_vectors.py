"""The escalation vectors of the service desk rules (ported from Zammad's specs; UTC, Europe/Berlin)."""

from __future__ import annotations

from datetime import date

from b24app.services.sla import (
    Pause,
    RequestTimeline,
    SlaPolicy,
    SlaState,
    SlaTargets,
    deadline,
    evaluate,
    working_minutes,
)

from .factories import EVERY_DAY, calendar, hours, utc

BASIC_POLICY = SlaPolicy(SlaTargets(first_response=60, next_response=120, resolution=180))
OFFICE = calendar(hours("08:00-18:00"))


def test_basic_due_times_for_all_three_targets():
    created = utc(2013, 3, 21, 9, 30)
    status = evaluate(BASIC_POLICY, OFFICE, RequestTimeline(created_at=created), now=created)
    assert status.first_response.due_at == utc(2013, 3, 21, 10, 30)
    assert status.next_response.due_at == utc(2013, 3, 21, 11, 30)
    assert status.resolution.due_at == utc(2013, 3, 21, 12, 30)
    assert status.state is SlaState.ON_TRACK
    assert status.nearest == "first_response"
    assert status.nearest_due_at == utc(2013, 3, 21, 10, 30)
    assert status.remaining_minutes == 60


def test_late_first_response_spends_270_minutes_210_over_target():
    created, replied = utc(2013, 3, 21, 9, 30), utc(2013, 3, 21, 14, 0)
    timeline = RequestTimeline(created_at=created, first_response_at=replied)
    first = evaluate(BASIC_POLICY, OFFICE, timeline, now=replied).first_response
    assert first.spent_minutes == 270
    assert first.over_minutes == 210
    assert first.state is SlaState.BREACHED
    assert first.done_at == replied
    # Achieved late stays breached, also hours later.
    later = evaluate(BASIC_POLICY, OFFICE, timeline, now=utc(2013, 3, 22, 12)).first_response
    assert later.state is SlaState.BREACHED
    assert later.spent_minutes == 270


def test_request_created_on_a_holiday_is_due_the_next_working_morning():
    cal = calendar(hours("08:00-20:00"), days_off=(date(2016, 11, 1),))
    assert deadline(cal, utc(2016, 11, 1, 13, 56, 21), 120) == utc(2016, 11, 2, 9, 0)


def test_two_pauses_push_the_first_response_by_their_length():
    cal = calendar(hours("09:00-18:00"), days=EVERY_DAY)
    pauses = (
        Pause(utc(2013, 6, 4, 9, 30), utc(2013, 6, 4, 9, 45)),  # pending
        Pause(utc(2013, 6, 4, 10, 0), utc(2013, 6, 4, 10, 30)),  # closed, then reopened
    )
    assert deadline(cal, utc(2013, 6, 4, 9, 0), 120, pauses) == utc(2013, 6, 4, 11, 45)


def test_pause_over_midnight_counts_as_two_pieces_one_per_local_date():
    cal = calendar(hours("00:00-24:00"), days=EVERY_DAY)
    created = utc(2013, 6, 4, 20, 0)  # 22:00 in Berlin
    over_midnight = (Pause(utc(2013, 6, 4, 21, 45), utc(2013, 6, 4, 22, 45)),)  # 23:45 -> 00:45 local
    split = (
        Pause(utc(2013, 6, 4, 21, 45), utc(2013, 6, 4, 22, 0)),
        Pause(utc(2013, 6, 4, 22, 0), utc(2013, 6, 4, 22, 45)),
    )
    assert deadline(cal, created, 120, over_midnight) == utc(2013, 6, 4, 23, 0)
    assert deadline(cal, created, 120, split) == utc(2013, 6, 4, 23, 0)
    # 15 minutes before local midnight and 45 after are both off the clock.
    assert working_minutes(cal, created, utc(2013, 6, 4, 23, 0), over_midnight) == 120
    assert working_minutes(cal, utc(2013, 6, 4, 21, 30), utc(2013, 6, 4, 22, 0), over_midnight) == 15
    assert working_minutes(cal, utc(2013, 6, 4, 22, 0), utc(2013, 6, 4, 23, 0), over_midnight) == 15


def test_seconds_are_truncated_from_the_start():
    # Around the clock and in business hours alike the due time falls on the whole minute.
    assert deadline(None, utc(2013, 6, 4, 13, 26, 36), 1200) == utc(2013, 6, 5, 9, 26)
    # Thursday 14:26 local: 214 minutes left that day, 600 on Friday, 386 on Monday from 08:00.
    assert deadline(OFFICE, utc(2013, 3, 21, 13, 26, 36), 1200) == utc(2013, 3, 25, 13, 26)


def test_next_response_runs_from_the_last_unanswered_client_message():
    created = utc(2013, 3, 21, 9, 30)
    timeline = RequestTimeline(
        created_at=created,
        first_response_at=utc(2013, 3, 21, 10, 0),
        last_client_message_at=utc(2013, 3, 21, 13, 26, 36),
    )
    status = evaluate(BASIC_POLICY, OFFICE, timeline, now=utc(2013, 3, 21, 14, 0))
    assert status.next_response.started_at == utc(2013, 3, 21, 13, 26, 36)
    assert status.next_response.due_at == utc(2013, 3, 21, 15, 26)
    assert status.next_response.spent_minutes == 34
    assert status.first_response.state is SlaState.MET
