"""What the card's SLA tab shows: state per target and overall, and the countdown."""

from __future__ import annotations

from b24app.services.sla import Pause, RequestTimeline, SlaPolicy, SlaState, SlaTargets, evaluate

from .factories import calendar, hours, utc

OFFICE = calendar(hours("08:00-18:00"))  # Europe/Berlin, Monday to Friday
CREATED = utc(2013, 3, 21, 9, 30)  # Thursday 10:30 local
RESPONSE_ONLY = SlaPolicy(SlaTargets(first_response=60))
FULL = SlaPolicy(SlaTargets(first_response=60, next_response=120, resolution=480))


def first_response_state(now, **timeline):
    status = evaluate(RESPONSE_ONLY, OFFICE, RequestTimeline(created_at=CREATED, **timeline), now=now)
    return status.first_response.state


def test_state_moves_from_on_track_to_warning_at_80_percent_then_breached():
    assert first_response_state(utc(2013, 3, 21, 10, 17)) is SlaState.ON_TRACK
    assert first_response_state(utc(2013, 3, 21, 10, 18)) is SlaState.WARNING
    assert first_response_state(utc(2013, 3, 21, 10, 29, 59)) is SlaState.WARNING
    assert first_response_state(utc(2013, 3, 21, 10, 30)) is SlaState.BREACHED


def test_warning_share_is_configurable():
    policy = SlaPolicy(SlaTargets(first_response=60), warning_share=0.5)
    status = evaluate(policy, OFFICE, RequestTimeline(created_at=CREATED), now=utc(2013, 3, 21, 10, 0))
    assert status.state is SlaState.WARNING


def test_reply_within_target_is_met_even_in_its_last_seconds():
    assert (
        first_response_state(utc(2013, 3, 21, 12), first_response_at=utc(2013, 3, 21, 10, 30, 40))
        is SlaState.MET
    )
    assert (
        first_response_state(utc(2013, 3, 21, 12), first_response_at=utc(2013, 3, 21, 10, 31))
        is SlaState.BREACHED
    )


def test_clock_stands_still_while_waiting_for_the_client():
    waiting = (Pause(utc(2013, 3, 21, 9, 50)),)
    status = evaluate(
        RESPONSE_ONLY, OFFICE, RequestTimeline(CREATED, pauses=waiting), now=utc(2013, 3, 22, 15)
    )
    first = status.first_response
    assert first.state is SlaState.PAUSED
    assert first.spent_minutes == 20
    assert first.due_at is None
    assert status.state is SlaState.PAUSED
    assert status.remaining_minutes == 40
    assert status.nearest_due_at is None


def test_reopen_resumes_the_clock_where_it_stopped():
    waited = (Pause(utc(2013, 3, 21, 9, 50), utc(2013, 3, 22, 8, 0)),)  # Friday 09:00 local
    timeline = RequestTimeline(CREATED, pauses=waited)
    status = evaluate(RESPONSE_ONLY, OFFICE, timeline, now=utc(2013, 3, 22, 8, 20))
    assert status.first_response.state is SlaState.ON_TRACK
    assert status.first_response.spent_minutes == 40
    assert status.first_response.due_at == utc(2013, 3, 22, 8, 40)


def test_a_breach_is_not_hidden_by_a_later_pause():
    late_pause = (Pause(utc(2013, 3, 21, 11, 0)),)
    status = evaluate(
        RESPONSE_ONLY, OFFICE, RequestTimeline(CREATED, pauses=late_pause), now=utc(2013, 3, 21, 12)
    )
    assert status.first_response.state is SlaState.BREACHED
    assert status.first_response.spent_minutes == 90


def test_overall_state_is_breached_once_any_target_was_breached():
    timeline = RequestTimeline(CREATED, first_response_at=utc(2013, 3, 21, 11, 0))
    status = evaluate(FULL, OFFICE, timeline, now=utc(2013, 3, 21, 11, 5))
    assert status.first_response.state is SlaState.BREACHED
    assert status.resolution.state is SlaState.ON_TRACK
    assert status.state is SlaState.BREACHED


def test_countdown_points_at_the_open_target_with_least_time_left():
    timeline = RequestTimeline(CREATED, first_response_at=utc(2013, 3, 21, 10, 0))
    status = evaluate(FULL, OFFICE, timeline, now=utc(2013, 3, 21, 10, 10))
    # First response is done; the reply also answered the request, so resolution is next.
    assert status.next_response.state is SlaState.MET
    assert status.nearest == "resolution"
    assert status.nearest_due_at == utc(2013, 3, 22, 7, 30)  # 450 minutes on Thursday, 30 on Friday
    assert status.remaining_minutes == 480 - 40


def test_resolved_request_is_met_and_has_no_countdown():
    timeline = RequestTimeline(
        CREATED,
        first_response_at=utc(2013, 3, 21, 10, 0),
        resolved_at=utc(2013, 3, 21, 12, 0),
        pauses=(Pause(utc(2013, 3, 21, 12, 0)),),
    )
    status = evaluate(FULL, OFFICE, timeline, now=utc(2013, 3, 25, 9))
    assert status.resolution.state is SlaState.MET
    assert status.resolution.spent_minutes == 150
    assert status.state is SlaState.MET
    assert status.nearest is None
    assert status.remaining_minutes is None


def test_calendar_hours_policy_ignores_nights_and_weekends_off():
    policy = SlaPolicy(SlaTargets(resolution=24 * 60), business_hours=False)
    status = evaluate(policy, OFFICE, RequestTimeline(CREATED), now=CREATED)
    assert status.resolution.due_at == utc(2013, 3, 22, 9, 30)
    business = evaluate(
        SlaPolicy(SlaTargets(resolution=24 * 60)), OFFICE, RequestTimeline(CREATED), now=CREATED
    )
    assert business.resolution.due_at == utc(2013, 3, 25, 13, 30)


def test_policy_without_targets_reports_nothing_due():
    status = evaluate(SlaPolicy(SlaTargets()), OFFICE, RequestTimeline(CREATED), now=CREATED)
    assert status.targets() == {}
    assert status.state is SlaState.MET
    assert status.nearest is None
