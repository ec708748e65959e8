"""The pipeline step `sla`: recompute a request's SLA from its history, store it on the mirror, write
the nearest due time and the state back to the item, schedule escalations; reopen on a client's message.
"""

from __future__ import annotations

import logging
import math
from datetime import datetime

from sqlalchemy import delete, update

from ..bitrix.values import parse_time
from ..extensions import db
from ..models import EventKind, RequestEvent, RequestState, ServiceRequest, SlaEscalation, utcnow
from . import history
from .calendar import BusinessCalendar
from .pipeline import PipelineContext, step
from .sla import RequestTimeline, SlaState, SlaStatus, deadline, evaluate
from .sla_followup import FOLLOWUP_PREFIX, open_followup
from .sla_policies import CalendarCache, engine_policy, ensure_defaults, select_policy
from .sla_timeline import build_timeline, last_entry_into
from .stages import stage_for_state

log = logging.getLogger(__name__)

TARGETS = ("first_response", "next_response", "resolution")


@step(20, "sla")
def sla_step(ctx: PipelineContext) -> None:
    req = ctx.request
    if req.created_time is None:
        return
    _link_followup(req, ctx.item)
    events = history.events_of(req)
    current_state = req.state
    message = _message_after_done(req, events)
    if message is not None and req.state == RequestState.CLOSED:
        open_followup(ctx, message)  # REST calls first: a new item instead of reopening
    ensure_defaults(ctx.portal)
    if message is not None and req.state == RequestState.RESOLVED:
        reopened = _reopen(ctx, message)
        if reopened is not None:
            events.append(reopened)
        current_state = RequestState.IN_WORK
    recompute(ctx, events, current_state)


def _link_followup(req: ServiceRequest, item: dict) -> None:
    xml_id = str(item.get("xmlId") or "")
    if req.parent_b24_id is None and xml_id.startswith(FOLLOWUP_PREFIX):
        parent = xml_id.removeprefix(FOLLOWUP_PREFIX).split(":", 1)[0]
        req.parent_b24_id = int(parent) if parent.isdigit() else None


def _message_after_done(req: ServiceRequest, events: list[RequestEvent]) -> RequestEvent | None:
    """The client's latest message if it came after the request was resolved or closed."""
    if req.state not in (RequestState.RESOLVED, RequestState.CLOSED):
        return None
    done_at = last_entry_into(events, frozenset({req.state}))
    if done_at is None:
        return None
    messages = [e for e in events if e.kind == EventKind.CLIENT_MESSAGE and e.at > done_at]
    return messages[-1] if messages else None


def _reopen(ctx: PipelineContext, message: RequestEvent) -> RequestEvent | None:
    """Back to work on a client's message after resolution; recorded once per message."""
    req = ctx.request
    stage = stage_for_state(RequestState.IN_WORK, ctx.portal.settings.get("stage_map", {}))
    if stage:
        ctx.set_item("stageId", stage)
    event = history.record(
        req,
        EventKind.REOPENED,
        f"reopen:{message.source_ref}",
        message.at,
        channel=message.channel,
        from_state=RequestState.RESOLVED,
        to_state=RequestState.IN_WORK,
    )
    if event is not None:
        req.reopen_count = (req.reopen_count or 0) + 1
        log.info("portal %s: request %s reopened by the client", req.portal_id, req.b24_id)
    return event


def recompute(ctx: PipelineContext, events: list[RequestEvent], current_state: str) -> SlaStatus | None:
    """Evaluate the SLA from history (idempotent), store it and ask for the item fields."""
    req = ctx.request
    policy = select_policy(req)
    if policy is None:
        return None
    calendars = CalendarCache(req.portal_id)
    cal = calendars.get(policy.calendar_id)
    timeline = build_timeline(req.created_time, events, current_state, req.moved_time)
    now = utcnow()
    engine = engine_policy(policy)
    status = evaluate(engine, cal, timeline, now)

    req.sla_policy_id = policy.id
    req.first_response_at = timeline.first_response_at
    req.resolved_at = timeline.resolved_at
    req.first_response_due = status.first_response.due_at if status.first_response else None
    following = status.next_response
    req.next_response_due = following.due_at if following and following.done_at is None else None
    req.resolution_due = status.resolution.due_at if status.resolution else None
    req.sla_state = status.state.value
    req.sla_minutes = {name: target.spent_minutes for name, target in status.targets().items()}

    write_due(ctx, status.nearest_due_at, cal)
    ctx.set_field("SD_SLA_STATE", status.state.value)
    schedule_escalation(req, policy, cal if engine.business_hours else None, timeline, status)
    return status


def write_due(ctx: PipelineContext, due: datetime | None, cal: BusinessCalendar | None) -> None:
    """SD_SLA_DUE as an ISO time in the calendar's zone; unchanged instants are not rewritten."""
    current = parse_time(ctx.fields.read(ctx.item, "SD_SLA_DUE"))
    if current == due or ctx.fields.key("SD_SLA_DUE") is None:
        return
    value = due.astimezone(cal.zone).isoformat() if due and cal else (due.isoformat() if due else None)
    ctx.updates.update(ctx.fields.write("SD_SLA_DUE", value))


def schedule_escalation(
    req: ServiceRequest,
    policy,
    cal: BusinessCalendar | None,
    timeline: RequestTimeline,
    status: SlaStatus,
) -> None:
    """Store the warning, breach and second-level moments of the nearest running clock.

    A clock that is paused or done leaves nothing to escalate; a new clock (another target, or the
    next response to a newer message) starts from level 0 again.
    """
    target = status.targets().get(status.nearest) if status.nearest else None
    if target is None or target.due_at is None or status.state == SlaState.PAUSED:
        db.session.execute(delete(SlaEscalation).where(SlaEscalation.request_id == req.id))
        return
    episode = f"{status.nearest}:{int(target.started_at.timestamp()) // 60}"
    pauses = timeline.pauses
    warning_minutes = math.ceil(target.target_minutes * policy.warning_share)
    second_minutes = target.target_minutes + math.ceil(target.target_minutes * policy.second_level_share)
    row = db.session.get(SlaEscalation, req.id)
    if row is None:
        row = SlaEscalation(request_id=req.id, portal_id=req.portal_id, episode=episode)
        db.session.add(row)
    elif row.episode != episode:
        db.session.execute(
            update(ServiceRequest).where(ServiceRequest.id == req.id).values(escalation_level=0)
        )
        db.session.refresh(req, ["escalation_level"])
        row.episode = episode
    row.policy_id = policy.id
    row.warning_at = deadline(cal, target.started_at, warning_minutes, pauses)
    row.breach_at = target.due_at
    row.second_at = deadline(cal, target.started_at, second_minutes, pauses)
    row.next_at = row.next_after(req.escalation_level or 0)
