"""Metrics on hand-built histories whose answers are worked out by hand."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from b24app.services.calendar import BusinessCalendar, WorkInterval
from b24app.services.metrics import Filters, RequestFacts, SurveyFacts, compute
from b24app.services.sla import Pause

HOURS = (WorkInterval(time(9), time(18)),)
CAL = BusinessCalendar(tz="UTC", weekly={d: HOURS for d in range(5)})
NOW = datetime(2026, 3, 13, 12, 0, tzinfo=UTC)  # a Friday


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)  # 2 March 2026 is a Monday


def facts(id_: int, **kw) -> RequestFacts:
    values = {"created": at(2, 10), "state": "closed"}
    values.update(kw)
    return RequestFacts(id=id_, **values)


def test_first_response_time_in_business_and_calendar_minutes():
    rows = [
        # Monday 10:00 → 11:00: 60 business, 60 calendar minutes, within its due time.
        facts(1, first_response_at=at(2, 11), first_response_due=at(2, 12)),
        # Friday 17:00 → Monday 10:00: 60 + 60 business minutes across the weekend, 65 calendar hours.
        facts(2, created=at(6, 17), first_response_at=at(9, 10), first_response_due=at(9, 9)),
        facts(3),  # never answered: not in FRT
    ]
    report = compute(rows, calendar=CAL, now=NOW)
    assert report.frt.count == 2
    assert report.frt.business_p50 == 90  # the median of 60 and 120
    assert report.frt.calendar_p50 == pytest.approx((60 + 65 * 60) / 2)
    assert report.frt_within_sla == 0.5


def test_resolution_time_excludes_pauses():
    # Monday 10:00 → Tuesday 12:00 is 8 h + 3 h = 660 business minutes;
    # waiting on Monday 14:00–16:00 takes 120 off.
    row = facts(1, resolved_at=at(3, 12), pauses=(Pause(at(2, 14), at(2, 16)),))
    report = compute([row], calendar=CAL, now=NOW)
    assert report.ttr.business_p50 == 540
    assert report.ttr.calendar_p50 == (26 - 2) * 60


def test_sla_compliance_and_breaches_by_type_group_agent():
    rows = [
        facts(1, breached=True, request_type="support", group_id=2, agent_id=3),
        facts(2, breached=True, request_type="support", group_id=2, agent_id=4),
        facts(3, request_type="warranty"),
        facts(4, request_type="warranty"),
    ]
    report = compute(rows, calendar=CAL, now=NOW)
    assert report.sla_compliance == 0.5
    assert report.breaches_by_type == {"support": 2}
    assert report.breaches_by_group == {2: 2}
    assert report.breaches_by_agent == {3: 1, 4: 1}


def test_csat_nps_and_response_rate():
    rows = [facts(i) for i in range(1, 6)]
    surveys = [
        SurveyFacts(1, score=5, nps=10),
        SurveyFacts(2, score=4, nps=9),
        SurveyFacts(3, score=2, nps=3),
        SurveyFacts(4, score=None),  # sent, not answered
    ]
    report = compute(rows, surveys, calendar=CAL, now=NOW)
    assert report.csat_percent == pytest.approx(2 / 3)
    assert report.csat_average == pytest.approx(11 / 3)
    assert report.csat_response_rate == 0.75
    assert report.nps == pytest.approx((2 - 1) / 3 * 100)


def test_repeat_contacts_count_the_same_client_and_type_within_the_window():
    rows = [
        facts(1, created=at(2, 10), client_key="c1", request_type="support"),
        facts(2, created=at(9, 10), client_key="c1", request_type="support"),  # 7 days later: a repeat
        facts(3, created=at(10, 10), client_key="c1", request_type="warranty"),  # other type: not a repeat
        facts(4, created=at(11, 10), client_key="c2", request_type="support"),
    ]
    assert compute(rows, calendar=CAL, now=NOW).repeat_contacts == 0.25
    assert compute(rows, calendar=CAL, now=NOW, filters=Filters(repeat_window_days=3)).repeat_contacts == 0


def test_reopen_rate_fcr_and_kb_usage_over_resolved_requests():
    rows = [
        facts(1, public_replies=1, kb_inserted=True),  # first contact resolution
        facts(2, public_replies=1, reopened=1, agent_id=7),  # reopened: not FCR
        facts(3, public_replies=3, kb_inserted=True),
        facts(4, state="in_work", public_replies=1),  # not resolved: in none of these
    ]
    signals = [(1, "helped"), (3, "helped"), (2, "not_helped"), (1, "inserted"), (4, "not_helped")]
    report = compute(rows, kb_signals=signals, calendar=CAL, now=NOW)
    assert report.reopen_rate == pytest.approx(1 / 3)
    assert report.fcr == pytest.approx(1 / 3)
    assert report.kb_usage == pytest.approx(2 / 3)
    assert report.kb_helpful == pytest.approx(2 / 4)
    # Signals follow the report's filters like every other figure: here request 2 alone is admitted.
    only_two = compute(rows, kb_signals=signals, calendar=CAL, now=NOW, filters=Filters(agent_id=7))
    assert only_two.kb_helpful == 0


def test_load_counts_open_requests_per_agent_and_group_and_backlog_age():
    rows = [
        facts(1, state="in_work", agent_id=3, group_id=2, created=at(13, 10)),
        facts(2, state="waiting", agent_id=3, group_id=2, created=at(13, 8)),
        facts(3, state="new", group_id=4, created=at(12, 12)),
        facts(4, state="closed", agent_id=3, group_id=2),
    ]
    report = compute(rows, calendar=CAL, now=NOW)
    assert report.open_by_agent == {3: 2}
    assert report.open_by_group == {2: 2, 4: 1}
    assert report.backlog_age_p50_hours == 4
    assert report.backlog_age_max_hours == 24


def test_filters_by_period_type_group_agent_and_channel():
    rows = [
        facts(
            1,
            created=at(2, 10),
            request_type="support",
            group_id=2,
            agent_id=3,
            channel="email",
            breached=True,
        ),
        facts(2, created=at(9, 10), request_type="support", group_id=2, agent_id=4, channel="phone"),
        facts(3, created=at(9, 11), request_type="warranty", group_id=3, agent_id=5, channel="email"),
    ]
    assert compute(rows, calendar=CAL, now=NOW, filters=Filters(start=at(9, 0))).requests == 2
    assert compute(rows, calendar=CAL, now=NOW, filters=Filters(request_type="support")).sla_compliance == 0.5
    assert compute(rows, calendar=CAL, now=NOW, filters=Filters(group_id=3)).requests == 1
    assert compute(rows, calendar=CAL, now=NOW, filters=Filters(agent_id=4)).requests == 1
    assert compute(rows, calendar=CAL, now=NOW, filters=Filters(channel="email")).requests == 2


def test_empty_selection_gives_no_figures_rather_than_zeroes():
    report = compute([], calendar=CAL, now=NOW)
    assert report.requests == 0
    assert report.sla_compliance is None and report.csat_percent is None and report.frt.business_p50 is None
