"""Default SLA settings of a portal and which policy a request gets."""

from __future__ import annotations

from b24app.extensions import db
from b24app.models import BusinessCalendarRecord, SlaPolicyRecord
from b24app.services.calendar import BusinessCalendar, working_days_in_year
from b24app.services.sla_policies import choose_policy, ensure_defaults, policies_of, select_policy
from tests.unit.sla.desk import make_request, policy, seeded_portal
from tests.unit.sla.factories import utc


def test_a_new_portal_gets_the_russian_calendar_and_the_customers_policies_once(ctx):
    portal = seeded_portal()
    ensure_defaults(portal)
    assert [p.code for p in policies_of(portal.id)] == ["warranty", "support_high", "support", "general"]
    calendars = db.session.query(BusinessCalendarRecord).filter_by(portal_id=portal.id).all()
    assert len(calendars) == 1 and calendars[0].is_default
    calendar = BusinessCalendar.from_dict(calendars[0].data)
    assert calendar.tz == "Europe/Moscow"
    assert working_days_in_year(calendar, 2025) == 247
    high = policy(portal, "support_high")
    assert (high.first_response, high.next_response, high.resolution) == (30, 60, 120)
    assert policy(portal, "warranty").resolution == 1440


def test_the_first_matching_policy_wins_by_type_and_priority(ctx):
    portal = seeded_portal()
    policies = policies_of(portal.id)
    assert choose_policy(policies, "support", "critical").code == "support_high"
    assert choose_policy(policies, "support", "normal").code == "support"
    assert choose_policy(policies, "support", None).code == "support"
    assert choose_policy(policies, "warranty", "high").code == "warranty"
    assert choose_policy(policies, "consultation", "high").code == "general"
    assert choose_policy(policies, None, None).code == "general"


def test_an_inactive_policy_is_skipped(ctx):
    portal = seeded_portal()
    policy(portal, "support_high").active = False
    assert choose_policy(policies_of(portal.id), "support", "high").code == "support"


def test_the_policy_chosen_by_routing_wins_and_urgency_stands_in_for_priority(ctx):
    portal = seeded_portal()
    routed = make_request(portal, utc(2025, 6, 2, 9), request_type="support", urgency="low")
    routed.sla_policy_id = policy(portal, "warranty").id
    assert select_policy(routed).code == "warranty"
    urgent = make_request(portal, utc(2025, 6, 2, 9), b24_id=2, request_type="support", urgency="high")
    assert select_policy(urgent).code == "support_high"


def test_a_policy_of_another_portal_is_never_used(ctx):
    portal, other = seeded_portal(), seeded_portal()
    req = make_request(portal, utc(2025, 6, 2, 9), request_type="warranty")
    req.sla_policy_id = (
        db.session.query(SlaPolicyRecord).filter_by(portal_id=other.id, code="general").one().id
    )
    chosen = select_policy(req)
    assert chosen.portal_id == portal.id and chosen.code == "warranty"
