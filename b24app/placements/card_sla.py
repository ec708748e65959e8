"""The SLA section of the request tab: state, each target's due time and spent minutes, and a live
countdown to the nearest deadline in working time.

The countdown needs no polling: the page gets the working minutes left at render and the working
intervals ahead (UTC epoch seconds); the browser counts down only while inside an interval, so it
stops at 18:00 and resumes at 09:00 exactly as the server's clock would. The mirror is re-rendered
whenever the tab is reopened, which picks up any change of the due time itself.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l

from ..extensions import db
from ..models import SlaPolicyRecord, utcnow
from ..services.calendar import BusinessCalendar, working_minutes_between, working_spans
from ..services.sla import SlaState
from ..services.sla_policies import CalendarCache
from ..services.sla_timeline import PAUSED_STATES
from .card import CardContext, section

TARGET_LABELS = {
    "first_response": _l("Первый ответ"),
    "next_response": _l("Следующий ответ"),
    "resolution": _l("Решение"),
}
STATE_LABELS = {
    SlaState.ON_TRACK: _l("В срок"),
    SlaState.WARNING: _l("Под угрозой"),
    SlaState.BREACHED: _l("Просрочено"),
    SlaState.PAUSED: _l("На паузе"),
    SlaState.MET: _l("Выполнено в срок"),
}
_SEVERITY = (SlaState.BREACHED, SlaState.PAUSED, SlaState.WARNING, SlaState.ON_TRACK, SlaState.MET)
# The browser gets the working intervals of this many days ahead (or this many intervals).
SPAN_DAYS, MAX_SPANS = 14, 60


def remaining_minutes(cal: BusinessCalendar | None, now: datetime, due: datetime) -> int:
    """Working minutes from now to the due time; negative once it has passed."""
    if due >= now:
        return working_minutes_between(cal, now, due)
    return -working_minutes_between(cal, due, now)


def upcoming_spans(cal: BusinessCalendar | None, now: datetime) -> list[list[int]]:
    start = int(now.timestamp())
    horizon = start + SPAN_DAYS * 86400
    spans = []
    for span_start, span_end in working_spans(cal, start):
        if span_start >= horizon or len(spans) >= MAX_SPANS:
            break
        spans.append([span_start, min(span_end, horizon)])
    return spans


@section(10, "sla", "frames/sections/sla.html")
def sla_section(ctx: CardContext) -> dict[str, Any] | None:
    req = ctx.request
    policy = db.session.get(SlaPolicyRecord, req.sla_policy_id) if req.sla_policy_id else None
    if policy is None or policy.portal_id != req.portal_id:
        return None
    cal = CalendarCache(req.portal_id).get(policy.calendar_id) if policy.business_hours else None
    now = utcnow()
    paused = req.state in PAUSED_STATES
    spent = req.sla_minutes or {}
    rows = []
    for name, target, due, done_at in (
        ("first_response", policy.first_response, req.first_response_due, req.first_response_at),
        ("next_response", policy.next_response, req.next_response_due, None),
        ("resolution", policy.resolution, req.resolution_due, req.resolved_at),
    ):
        if target is None or (name == "next_response" and due is None):
            continue
        left = remaining_minutes(cal, now, due) if due and not done_at and not paused else None
        used = spent.get(name, 0) if left is None else target - left
        if done_at is not None:
            state = SlaState.MET if used <= target else SlaState.BREACHED
        elif paused or due is None:
            state = SlaState.PAUSED
        elif left <= 0:
            state = SlaState.BREACHED
        elif used >= target * policy.warning_share:
            state = SlaState.WARNING
        else:
            state = SlaState.ON_TRACK
        rows.append(
            {
                "name": name,
                "label": TARGET_LABELS[name],
                "target": target,
                "due": due,
                "done_at": done_at,
                "spent": max(0, used),
                "remaining": left,
                "state": state.value,
                "state_label": STATE_LABELS[state],
                "warning_seconds": int(target * (1 - policy.warning_share) * 60),
            }
        )
    if not rows:
        return None
    states = {row["state"] for row in rows}
    overall = next((s for s in _SEVERITY if s.value in states), SlaState.MET)
    running = [r for r in rows if r["remaining"] is not None]
    nearest = min(running, key=lambda r: r["due"], default=None)
    return {
        "policy": policy.name,
        "business_hours": policy.business_hours,
        "state": overall.value,
        "state_label": STATE_LABELS[overall],
        "targets": rows,
        "nearest": nearest,
        "now": int(now.timestamp()),
        "spans": upcoming_spans(cal, now) if nearest else [],
        "reopen_count": req.reopen_count or 0,
        "escalation_level": req.escalation_level or 0,
    }
