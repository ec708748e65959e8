"""Resolved requests the client did not answer are closed after a number of days (Zendesk and
Freshdesk close "solved" tickets the same way). Calendar days from the resolution; 0 turns it off.

A client's message reopens a resolved request before that, so only silent requests close. Each
resolution is claimed once in the request history before anything is sent to Bitrix24, so a slow
event or a second worker never closes (and comments) twice; a refused update gives its claim back.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from ..bitrix.client import B24Client
from ..extensions import db
from ..models import EventKind, Portal, RequestEvent, RequestState, ServiceRequest
from . import history
from .stages import stage_for_state

log = logging.getLogger(__name__)

DEFAULT_DAYS = 7
MAX_DAYS = 90
BATCH_LIMIT = 100  # requests per run; the rest close at the next run


def close_after_days(portal: Portal) -> int:
    value = ((portal.settings or {}).get("lifecycle") or {}).get("close_after_days", DEFAULT_DAYS)
    try:
        days = int(value)
    except (TypeError, ValueError):
        return DEFAULT_DAYS
    return days if 0 <= days <= MAX_DAYS else DEFAULT_DAYS


def set_close_after_days(portal: Portal, days: int) -> None:
    settings = dict(portal.settings or {})
    settings["lifecycle"] = {**(settings.get("lifecycle") or {}), "close_after_days": days}
    portal.settings = settings


def _claim_ref(req: ServiceRequest) -> str:
    return f"autoclose:{req.id}:{req.resolved_at.isoformat() if req.resolved_at else ''}"


def due(portal: Portal, now: datetime) -> list[ServiceRequest]:
    days = close_after_days(portal)
    if days == 0:
        return []
    return list(
        db.session.scalars(
            select(ServiceRequest)
            .where(
                ServiceRequest.portal_id == portal.id,
                ServiceRequest.state == RequestState.RESOLVED,
                ServiceRequest.resolved_at.is_not(None),
                ServiceRequest.resolved_at <= now - timedelta(days=days),
                ServiceRequest.deleted.is_(False),
            )
            .order_by(ServiceRequest.resolved_at)
            .limit(BATCH_LIMIT)
        )
    )


def close_silent(portal: Portal, client: B24Client, now: datetime) -> int:
    """Move the due requests to the closed stage, with a timeline comment; returns how many."""
    settings = portal.settings or {}
    smart = settings.get("smart_process") or {}
    stage = stage_for_state(RequestState.CLOSED, settings.get("stage_map", {}))
    if not smart.get("entity_type_id") or not stage:
        return 0
    days = close_after_days(portal)
    claimed: dict[str, ServiceRequest] = {}
    for req in due(portal, now):
        text = f"Обращение закрыто автоматически: после решения клиент не отвечал {days} дн."
        if history.record(req, EventKind.INTERNAL_NOTE, _claim_ref(req), now, text=text) is not None:
            claimed[str(req.b24_id)] = req
    # The claims are committed before Bitrix24 is called: no write transaction is held across REST.
    db.session.commit()
    if not claimed:
        return 0
    etid = int(smart["entity_type_id"])
    commands = {}
    for key, req in claimed.items():
        commands[f"close{key}"] = (
            "crm.item.update",
            {"entityTypeId": etid, "id": req.b24_id, "fields": {"stageId": stage}},
        )
        commands[f"note{key}"] = (
            "crm.timeline.comment.add",
            {
                "fields": {
                    "ENTITY_ID": req.b24_id,
                    "ENTITY_TYPE": f"dynamic_{etid}",
                    "COMMENT": f"Обращение закрыто автоматически: после решения клиент не отвечал {days} дн.",
                }
            },
        )
    try:
        outcome = client.batch(commands)
    except Exception:
        _release([_claim_ref(r) for r in claimed.values()], portal.id)
        raise
    failed = [req for key, req in claimed.items() if f"close{key}" in outcome.errors]
    for req in failed:
        log.warning(
            "portal %s: request %s not closed: %s",
            portal.id,
            req.b24_id,
            outcome.errors[f"close{req.b24_id}"],
        )
    if failed:
        _release([_claim_ref(r) for r in failed], portal.id)
    closed = len(claimed) - len(failed)
    if closed:
        log.info(
            "portal %s: %d resolved request(s) closed after %d days without the client",
            portal.id,
            closed,
            days,
        )
    return closed


def _release(refs: list[str], portal_id: int) -> None:
    db.session.execute(
        delete(RequestEvent).where(RequestEvent.portal_id == portal_id, RequestEvent.source_ref.in_(refs))
    )
    db.session.commit()
