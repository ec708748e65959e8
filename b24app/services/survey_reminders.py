"""One reminder about an unanswered CSAT survey, a few days after it was sent (`settings.notify.
survey_reminder_days`, 3 by default, 0 for none), in working hours, while the request stays resolved."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from ..extensions import db
from ..models import NotifyEvent, Portal, RequestState, ServiceRequest, Survey
from .calendar import is_working_time
from .notify import queue_notification
from .sla_policies import CalendarCache

DEFAULT_DAYS = 3
MAX_DAYS = 14
# A reminder whose link dies before the client can read it does more harm than good.
MIN_LINK_LEFT = timedelta(days=1)


def reminder_days(portal: Portal) -> int:
    value = ((portal.settings or {}).get("notify") or {}).get("survey_reminder_days", DEFAULT_DAYS)
    try:
        days = int(value)
    except (TypeError, ValueError):
        return DEFAULT_DAYS
    return days if 0 <= days <= MAX_DAYS else DEFAULT_DAYS


def set_reminder_days(portal: Portal, days: int) -> None:
    settings = dict(portal.settings or {})
    settings["notify"] = {**(settings.get("notify") or {}), "survey_reminder_days": days}
    portal.settings = settings


def remind(portal: Portal, now: datetime) -> int:
    """Queue the reminders that are due; returns how many. Nothing outside the portal's working hours."""
    days = reminder_days(portal)
    if days == 0:
        return 0
    calendar = CalendarCache(portal.id).get(None)
    if calendar is not None and not is_working_time(calendar, now):
        return 0
    due = db.session.execute(
        select(Survey, ServiceRequest)
        .join(ServiceRequest, ServiceRequest.id == Survey.request_id)
        .where(
            Survey.portal_id == portal.id,
            Survey.sent_at.is_not(None),
            Survey.sent_at <= now - timedelta(days=days),
            Survey.answered_at.is_(None),
            Survey.reminded_at.is_(None),
            Survey.expires_at > now + MIN_LINK_LEFT,
            ServiceRequest.state.in_((RequestState.RESOLVED, RequestState.CLOSED)),
            ServiceRequest.deleted.is_(False),
        )
        .order_by(Survey.id)
        .limit(500)
    ).all()
    queued = 0
    for survey, req in due:
        survey.reminded_at = now
        if queue_notification(req, NotifyEvent.SURVEY_REMINDER, survey.resolution_ref) is not None:
            queued += 1
    db.session.commit()
    return queued
