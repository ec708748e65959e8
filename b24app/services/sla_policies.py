"""A portal's SLA policies and business calendars: the default set, selection for a request, and the
engine's view of them (SlaPolicy, BusinessCalendar)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import BusinessCalendarRecord, Portal, ServiceRequest, SlaPolicyRecord
from .calendar import BusinessCalendar, russian_calendar
from .sla import SlaPolicy, SlaTargets

log = logging.getLogger(__name__)

PRIORITIES = ("critical", "high", "normal", "low")
DEFAULT_CALENDAR_NAME = "Производственный календарь РФ"


@dataclass(frozen=True)
class DefaultPolicy:
    code: str
    name: str
    request_types: tuple[str, ...]
    priorities: tuple[str, ...]
    first_response: int
    next_response: int | None
    resolution: int


# The customer's process (SERVICEDESK §3); routing names these codes.
DEFAULT_POLICIES = (
    DefaultPolicy("warranty", "Гарантийный случай", ("warranty",), (), 240, None, 1440),
    DefaultPolicy(
        "support_high", "Техподдержка: высокая срочность", ("support",), ("high", "critical"), 30, 60, 120
    ),
    DefaultPolicy("support", "Техническая поддержка", ("support",), (), 120, 240, 480),
    DefaultPolicy("general", "Общая поддержка", (), (), 240, None, 1440),
)


def _insert(row: db.Model) -> bool:
    """Add a row unless a concurrent seeding added its twin first (unique constraint)."""
    try:
        with db.session.begin_nested():
            db.session.add(row)
        return True
    except IntegrityError:
        return False


def default_calendar(portal_id: int) -> BusinessCalendarRecord | None:
    return db.session.scalars(
        select(BusinessCalendarRecord)
        .where(BusinessCalendarRecord.portal_id == portal_id)
        .order_by(BusinessCalendarRecord.is_default.desc(), BusinessCalendarRecord.id)
    ).first()


def ensure_defaults(portal: Portal, today: date | None = None) -> None:
    """Seed the Russian calendar and the customer's policies the first time a portal needs them."""
    calendar = default_calendar(portal.id)
    if calendar is None:
        year = (today or date.today()).year
        seeded = russian_calendar(range(year - 1, year + 2))
        _insert(
            BusinessCalendarRecord(
                portal_id=portal.id, name=DEFAULT_CALENDAR_NAME, data=seeded.to_dict(), is_default=True
            )
        )
        calendar = default_calendar(portal.id)
    has_policies = db.session.scalars(
        select(SlaPolicyRecord.id).where(SlaPolicyRecord.portal_id == portal.id)
    ).first()
    if has_policies:
        return
    for position, spec in enumerate(DEFAULT_POLICIES, start=1):
        _insert(
            SlaPolicyRecord(
                portal_id=portal.id,
                code=spec.code,
                name=spec.name,
                position=position * 10,
                request_types=list(spec.request_types),
                priorities=list(spec.priorities),
                first_response=spec.first_response,
                next_response=spec.next_response,
                resolution=spec.resolution,
                business_hours=True,
                warning_share=0.8,
                calendar_id=calendar.id if calendar else None,
                second_level_share=0.5,
                notify_in_working_hours_only=True,
                active=True,
            )
        )
    log.info("portal %s: default SLA calendar and policies seeded", portal.id)


def policies_of(portal_id: int) -> list[SlaPolicyRecord]:
    return list(
        db.session.scalars(
            select(SlaPolicyRecord)
            .where(SlaPolicyRecord.portal_id == portal_id)
            .order_by(SlaPolicyRecord.position, SlaPolicyRecord.id)
        )
    )


def policy_by_code(portal_id: int, code: str) -> SlaPolicyRecord | None:
    """For routing: the policy a rule names by its code."""
    return db.session.scalars(
        select(SlaPolicyRecord).where(SlaPolicyRecord.portal_id == portal_id, SlaPolicyRecord.code == code)
    ).first()


def matches(policy: SlaPolicyRecord, request_type: str | None, priority: str | None) -> bool:
    if policy.request_types and request_type not in policy.request_types:
        return False
    return not policy.priorities or priority in policy.priorities


def choose_policy(
    policies: list[SlaPolicyRecord], request_type: str | None, priority: str | None
) -> SlaPolicyRecord | None:
    """The first active policy (in order) whose conditions match, else the first active fallback."""
    active = [p for p in policies if p.active]
    found = next((p for p in active if matches(p, request_type, priority)), None)
    return found or next((p for p in active if p.is_fallback), None)


def select_policy(req: ServiceRequest) -> SlaPolicyRecord | None:
    """The policy routing set on the request if it is still there, else the first match."""
    if req.sla_policy_id is not None:
        chosen = db.session.get(SlaPolicyRecord, req.sla_policy_id)
        if chosen is not None and chosen.portal_id == req.portal_id:
            return chosen
    return choose_policy(policies_of(req.portal_id), req.request_type, req.priority or req.urgency)


def engine_policy(record: SlaPolicyRecord) -> SlaPolicy:
    return SlaPolicy(
        targets=SlaTargets(record.first_response, record.next_response, record.resolution),
        business_hours=record.business_hours,
        warning_share=record.warning_share,
    )


class CalendarCache:
    """BusinessCalendar objects by record id, built once per unit of work (they cache their days)."""

    def __init__(self, portal_id: int) -> None:
        self.portal_id = portal_id
        self._built: dict[int | None, BusinessCalendar | None] = {}

    def get(self, calendar_id: int | None) -> BusinessCalendar | None:
        if calendar_id not in self._built:
            record = db.session.get(BusinessCalendarRecord, calendar_id) if calendar_id else None
            if record is None or record.portal_id != self.portal_id:
                record = default_calendar(self.portal_id)
            self._built[calendar_id] = BusinessCalendar.from_dict(record.data) if record else None
        return self._built[calendar_id]
