"""Facts for the metrics, read from the mirror and its history in a few queries per portal."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import select

from ...extensions import db
from ...models import EventKind, KbUse, RequestEvent, ServiceRequest, Survey
from ..sla_timeline import build_timeline
from .facts import RequestFacts, SurveyFacts


def load_facts(portal_id: int, since: datetime | None = None) -> list[RequestFacts]:
    stmt = select(ServiceRequest).where(
        ServiceRequest.portal_id == portal_id, ServiceRequest.deleted.is_(False)
    )
    if since is not None:
        stmt = stmt.where(ServiceRequest.created_time >= since)
    requests = [r for r in db.session.scalars(stmt) if r.created_time]
    events: dict[int, list[RequestEvent]] = defaultdict(list)
    for event in db.session.scalars(select(RequestEvent).where(RequestEvent.portal_id == portal_id)):
        events[event.request_id].append(event)
    inserted = set(
        db.session.scalars(
            select(KbUse.request_b24_id).where(KbUse.portal_id == portal_id, KbUse.signal == "inserted")
        )
    )
    facts = []
    for req in requests:
        history = events.get(req.id, [])
        facts.append(
            RequestFacts(
                id=req.b24_id,
                created=req.created_time,
                state=req.state,
                request_type=req.request_type,
                group_id=req.group_id,
                agent_id=req.assigned_by_id,
                channel=req.channel,
                client_key=f"company:{req.company_id}"
                if req.company_id
                else (f"contact:{req.contact_id}" if req.contact_id else None),
                first_response_at=req.first_response_at,
                first_response_due=req.first_response_due,
                resolved_at=req.resolved_at,
                pauses=build_timeline(
                    req.created_time, sorted(history, key=lambda e: (e.at, e.id)), req.state, req.moved_time
                ).pauses,
                breached=req.sla_state == "breached",
                reopened=req.reopen_count or sum(1 for e in history if e.kind == EventKind.REOPENED),
                public_replies=sum(1 for e in history if e.kind == EventKind.PUBLIC_REPLY),
                kb_inserted=req.b24_id in inserted,
            )
        )
    return facts


def load_surveys(portal_id: int) -> list[SurveyFacts]:
    """Surveys that were sent, with their answers (unanswered ones count in the response rate)."""
    rows = db.session.execute(
        select(ServiceRequest.b24_id, Survey.score, Survey.nps)
        .join(ServiceRequest, ServiceRequest.id == Survey.request_id)
        .where(Survey.portal_id == portal_id, Survey.sent_at.is_not(None))
    ).all()
    return [SurveyFacts(request_id=b24_id, score=score, nps=nps) for b24_id, score, nps in rows]


def kb_signals(portal_id: int) -> list[tuple[int | None, str]]:
    """(request Bitrix24 id, signal) of every use of an article from a card."""
    rows = db.session.execute(
        select(KbUse.request_b24_id, KbUse.signal).where(KbUse.portal_id == portal_id)
    ).all()
    return [(request_id, signal) for request_id, signal in rows]
