"""Building a request's SLA timeline from its recorded history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from b24app.models import EventKind
from b24app.services.sla import Pause, SlaPolicy, SlaState, SlaTargets, evaluate
from b24app.services.sla_timeline import build_timeline
from tests.unit.sla.factories import utc

CREATED = utc(2025, 3, 4, 9, 0)


@dataclass
class Ev:
    kind: str
    at: datetime
    to_state: str | None = None


def stage(at: datetime, state: str) -> Ev:
    return Ev(EventKind.STAGE_CHANGED, at, state)


def test_time_waiting_for_the_client_is_a_pause_and_the_open_one_has_no_end():
    events = [
        Ev(EventKind.CREATED, CREATED, "new"),
        stage(utc(2025, 3, 4, 9, 30), "waiting"),
        stage(utc(2025, 3, 4, 10, 0), "in_work"),
        stage(utc(2025, 3, 4, 11, 0), "waiting"),
    ]
    timeline = build_timeline(CREATED, events)
    assert timeline.pauses == (
        Pause(utc(2025, 3, 4, 9, 30), utc(2025, 3, 4, 10, 0)),
        Pause(utc(2025, 3, 4, 11, 0), None),
    )


def test_only_public_replies_answer_the_client_not_internal_notes():
    events = [
        Ev(EventKind.CREATED, CREATED, "new"),
        Ev(EventKind.CLIENT_MESSAGE, CREATED),
        Ev(EventKind.INTERNAL_NOTE, utc(2025, 3, 4, 9, 10)),
        Ev(EventKind.PUBLIC_REPLY, utc(2025, 3, 4, 9, 40)),
        Ev(EventKind.PUBLIC_REPLY, utc(2025, 3, 4, 12, 0)),
    ]
    timeline = build_timeline(CREATED, events)
    assert timeline.first_response_at == utc(2025, 3, 4, 9, 40)
    assert timeline.last_reply_at == utc(2025, 3, 4, 12, 0)


def test_a_reply_without_any_public_answer_leaves_the_first_response_open():
    events = [Ev(EventKind.CREATED, CREATED, "new"), Ev(EventKind.INTERNAL_NOTE, utc(2025, 3, 4, 9, 10))]
    policy = SlaPolicy(SlaTargets(first_response=30), business_hours=False)
    status = evaluate(policy, None, build_timeline(CREATED, events), utc(2025, 3, 4, 9, 20))
    assert status.first_response.done_at is None
    assert status.first_response.due_at == utc(2025, 3, 4, 9, 30)


def test_a_reopen_resumes_the_resolution_clock_after_the_resolved_pause():
    events = [
        Ev(EventKind.CREATED, CREATED, "new"),
        stage(utc(2025, 3, 4, 10, 0), "resolved"),
        Ev(EventKind.CLIENT_MESSAGE, utc(2025, 3, 4, 12, 0)),
        Ev(EventKind.REOPENED, utc(2025, 3, 4, 12, 0)),
    ]
    timeline = build_timeline(CREATED, events, current_state="resolved")
    assert timeline.resolved_at is None
    assert timeline.pauses == (Pause(utc(2025, 3, 4, 10, 0), utc(2025, 3, 4, 12, 0)),)
    policy = SlaPolicy(SlaTargets(resolution=120), business_hours=False)
    status = evaluate(policy, None, timeline, utc(2025, 3, 4, 12, 40))
    # 60 minutes before resolution + 40 after the reopen; the two hours while resolved do not count.
    assert status.resolution.spent_minutes == 100
    assert status.resolution.due_at == utc(2025, 3, 4, 13, 0)
    assert status.state == SlaState.WARNING


def test_resolution_is_the_first_entry_into_resolved_or_closed():
    events = [
        Ev(EventKind.CREATED, CREATED, "new"),
        stage(utc(2025, 3, 4, 10, 0), "resolved"),
        stage(utc(2025, 3, 4, 11, 0), "closed"),
    ]
    timeline = build_timeline(CREATED, events)
    assert timeline.resolved_at == utc(2025, 3, 4, 10, 0)


def test_a_lost_stage_event_is_covered_by_the_mirrors_state():
    events = [Ev(EventKind.CREATED, CREATED, "new")]
    timeline = build_timeline(CREATED, events, current_state="waiting", moved_at=utc(2025, 3, 4, 9, 45))
    assert timeline.pauses == (Pause(utc(2025, 3, 4, 9, 45), None),)


def test_events_before_the_items_creation_time_count_from_creation():
    early = Ev(EventKind.PUBLIC_REPLY, utc(2025, 3, 4, 8, 0))
    timeline = build_timeline(CREATED, [Ev(EventKind.CREATED, CREATED, "new"), early])
    assert timeline.first_response_at == CREATED
