"""Recording the history of a request from Bitrix24: stage changes, activities (emails, calls) and
timeline comments, each once however often its event is delivered."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..bitrix.values import parse_time
from ..extensions import db
from ..models import EventKind, RequestEvent, ServiceRequest, utcnow

log = logging.getLogger(__name__)

ACTIVITY_CALL, ACTIVITY_EMAIL = 2, 4
DIRECTION_INCOMING, DIRECTION_OUTGOING = 1, 2
_CHANNELS = {ACTIVITY_CALL: "phone", ACTIVITY_EMAIL: "email"}


@dataclass(frozen=True)
class Classified:
    kind: str
    channel: str | None


def classify_activity(activity: dict[str, Any]) -> Classified | None:
    """An incoming email or call is the client's message; an outgoing one is a public reply."""
    try:
        type_id, direction = int(activity.get("TYPE_ID") or 0), int(activity.get("DIRECTION") or 0)
    except ValueError:
        return None
    if type_id not in _CHANNELS:
        return None  # to-dos and meetings are the team's own work, not a conversation
    if direction == DIRECTION_INCOMING:
        return Classified(EventKind.CLIENT_MESSAGE, _CHANNELS[type_id])
    if direction == DIRECTION_OUTGOING:
        return Classified(EventKind.PUBLIC_REPLY, _CHANNELS[type_id])
    return None


def record(
    req: ServiceRequest,
    kind: str,
    source_ref: str,
    at: datetime | None,
    *,
    actor_id: int | None = None,
    channel: str | None = None,
    text: str = "",
    from_state: str | None = None,
    to_state: str | None = None,
) -> RequestEvent | None:
    """Add an event unless one with the same source is already recorded; returns the new one."""
    exists = db.session.scalars(
        select(RequestEvent.id).where(
            RequestEvent.portal_id == req.portal_id, RequestEvent.source_ref == source_ref
        )
    ).first()
    if exists:
        return None
    event = RequestEvent(
        portal_id=req.portal_id,
        request_id=req.id,
        kind=kind,
        at=at or utcnow(),
        actor_id=actor_id,
        source_ref=source_ref,
        channel=channel,
        text=text[:4000],
        from_state=from_state,
        to_state=to_state,
    )
    try:
        with db.session.begin_nested():
            db.session.add(event)
    except IntegrityError:
        return None  # a concurrent worker recorded the same source first
    return event


def record_activity(req: ServiceRequest, activity: dict[str, Any]) -> RequestEvent | None:
    classified = classify_activity(activity)
    if classified is None:
        return None
    text = " ".join(p for p in (activity.get("SUBJECT"), activity.get("DESCRIPTION")) if p)
    return record(
        req,
        classified.kind,
        f"activity:{activity['ID']}",
        parse_time(activity.get("CREATED")),
        actor_id=int(activity["AUTHOR_ID"]) if activity.get("AUTHOR_ID") else None,
        channel=classified.channel,
        text=text,
    )


def record_comment(req: ServiceRequest, comment: dict[str, Any]) -> RequestEvent | None:
    return record(
        req,
        EventKind.INTERNAL_NOTE,
        f"comment:{comment['ID']}",
        parse_time(comment.get("CREATED")),
        actor_id=int(comment["AUTHOR_ID"]) if comment.get("AUTHOR_ID") else None,
        text=str(comment.get("COMMENT") or ""),
    )


def events_of(req: ServiceRequest) -> list[RequestEvent]:
    return list(
        db.session.scalars(
            select(RequestEvent)
            .where(RequestEvent.request_id == req.id)
            .order_by(RequestEvent.at, RequestEvent.id)
        )
    )
