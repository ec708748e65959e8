"""The escalation tick: each level once across ticks and workers, held to working hours."""

from __future__ import annotations

from b24app.extensions import db
from b24app.models import ServiceRequest, SlaEscalation
from b24app.services.sla_escalation import BREACH, SECOND_LEVEL, WARNING, claim, plan_tick, run_tick
from tests.unit.sla.desk import make_request, policy, schedule, seeded_portal
from tests.unit.sla.factories import utc

# Tuesday 2025-06-03, Moscow working hours (09:00-18:00 MSK = 06:00-15:00 UTC).
CREATED = utc(2025, 6, 3, 6, 0)
WARNING_AT, BREACH_AT, SECOND_AT = utc(2025, 6, 3, 6, 24), utc(2025, 6, 3, 6, 30), utc(2025, 6, 3, 6, 45)


def _open_request(portal, b24_id=1, **values):
    req = make_request(portal, CREATED, b24_id=b24_id, state="in_work", assigned_by_id=3, **values)
    schedule(req, policy(portal, "support_high").id, WARNING_AT, BREACH_AT, SECOND_AT)
    return req


def _level(req) -> int:
    db.session.expire_all()
    return db.session.get(ServiceRequest, req.id).escalation_level


def test_a_clock_past_its_warning_is_warned_once_over_two_ticks(ctx):
    portal = seeded_portal()
    req = _open_request(portal)
    done = []
    first = run_tick(portal.id, utc(2025, 6, 3, 6, 25), act=done.append)
    second = run_tick(portal.id, utc(2025, 6, 3, 6, 26), act=done.append)
    assert [d.level for d in done] == [WARNING]
    assert first.actions == {"notify_responsible": 1} and not second.claimed
    assert _level(req) == WARNING
    assert db.session.get(SlaEscalation, req.id).next_at == BREACH_AT


def test_two_workers_deciding_the_same_breach_escalate_it_once(ctx):
    portal = seeded_portal()
    req = _open_request(portal)
    now = utc(2025, 6, 3, 6, 31)
    _, mine = plan_tick(portal.id, now)
    _, theirs = plan_tick(portal.id, now)
    assert [d.level for d in mine] == [d.level for d in theirs] == [BREACH]
    assert claim(mine[0]) is True
    db.session.commit()
    assert claim(theirs[0]) is False
    assert _level(req) == BREACH


def test_a_breach_found_without_a_warning_raises_priority_and_notifies_the_head(ctx):
    portal = seeded_portal()
    _open_request(portal)
    report = run_tick(portal.id, utc(2025, 6, 3, 6, 31), act=None)
    assert [d.level for d in report.claimed] == [BREACH]
    assert report.actions == {
        "raise_priority": 1,
        "add_head_observer": 1,
        "notify_responsible": 1,
        "notify_head": 1,
        "comment": 1,
    }


def test_the_second_level_after_a_breach_notifies_only_the_service_manager(ctx):
    portal = seeded_portal()
    req = _open_request(portal)
    run_tick(portal.id, utc(2025, 6, 3, 6, 31))
    report = run_tick(portal.id, utc(2025, 6, 3, 6, 50))
    assert report.actions == {"notify_service_manager": 1}
    assert _level(req) == SECOND_LEVEL
    assert db.session.get(SlaEscalation, req.id).next_at is None


def test_notifications_wait_for_working_hours_then_go_out(ctx):
    portal = seeded_portal()
    req = _open_request(portal)
    saturday = utc(2025, 6, 7, 10, 0)
    held = run_tick(portal.id, saturday)
    assert held.deferred == 1 and not held.claimed and _level(req) == 0
    monday = utc(2025, 6, 9, 7, 0)  # 10:00 in Moscow
    sent = run_tick(portal.id, monday)
    assert [d.level for d in sent.claimed] == [SECOND_LEVEL] and _level(req) == SECOND_LEVEL


def test_a_policy_that_allows_it_escalates_at_night(ctx):
    portal = seeded_portal()
    policy(portal, "support_high").notify_in_working_hours_only = False
    db.session.commit()
    _open_request(portal)
    night = utc(2025, 6, 3, 22, 0)
    assert [d.level for d in run_tick(portal.id, night).claimed] == [SECOND_LEVEL]


def test_paused_and_other_portals_requests_are_not_selected(ctx):
    portal, other = seeded_portal(), seeded_portal()
    waiting = make_request(portal, CREATED, b24_id=2, state="waiting")
    schedule(waiting, policy(portal, "support_high").id, WARNING_AT, BREACH_AT, SECOND_AT)
    foreign = make_request(other, CREATED, b24_id=3, state="in_work")
    schedule(foreign, policy(other, "support_high").id, WARNING_AT, BREACH_AT, SECOND_AT)
    report = run_tick(portal.id, utc(2025, 6, 3, 6, 31))
    assert report.selected == 0 and not report.claimed


def test_a_new_clock_after_the_pipeline_moved_on_is_not_claimed_for_the_old_one(ctx):
    portal = seeded_portal()
    req = _open_request(portal)
    _, decisions = plan_tick(portal.id, utc(2025, 6, 3, 6, 31))
    db.session.get(SlaEscalation, req.id).episode = "resolution:1"
    db.session.commit()
    assert claim(decisions[0]) is False
    assert _level(req) == 0
