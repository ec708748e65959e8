"""The «Маршрутизация» section of the request tab: why the request went where it did, its place in
the group's queue while it waits, and the proposed type and urgency with their confidence."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..i18n import render
from ..models import ServiceRequest
from ..models.routing import Department
from ..services.fields import REQUEST_TYPES, URGENCIES
from ..services.routing import QueueEntry, queue_key
from ..services.routing_agents import LOAD_STATES
from ..services.routing_pipeline import record_of
from .card import CardContext, section

PRIORITY_LABELS = {
    "critical": _l("критический"),
    "high": _l("высокий"),
    "normal": _l("обычный"),
    "low": _l("низкий"),
}


def _label(options: tuple[tuple[str, str, str], ...], code: str | None, lang: str) -> str:
    for xml_id, ru, en in options:
        if xml_id == code:
            return en if lang == "en" else ru
    return code or "—"


def _entry(req: ServiceRequest) -> QueueEntry:
    due = min((d for d in (req.first_response_due, req.resolution_due) if d is not None), default=None)
    return QueueEntry(req.id, req.routing_rule_id, req.priority, due, req.queued_at)


def queue_place(req: ServiceRequest) -> tuple[int, int]:
    """(place, length) of the request in its group's queue, in the order it will be assigned."""
    waiting = db.session.scalars(
        select(ServiceRequest).where(
            ServiceRequest.portal_id == req.portal_id,
            ServiceRequest.queued_at.is_not(None),
            ServiceRequest.group_id == req.group_id
            if req.group_id is not None
            else ServiceRequest.group_id.is_(None),
            ServiceRequest.state.in_(LOAD_STATES),
            ServiceRequest.deleted.is_(False),
        )
    ).all()
    ordered = sorted((_entry(r) for r in waiting), key=queue_key)
    ids = [e.request_id for e in ordered]
    return (ids.index(req.id) + 1 if req.id in ids else 0), len(ids)


@section(20, "routing", "frames/sections/routing.html")
def routing_section(ctx: CardContext) -> dict[str, Any] | None:
    req = ctx.request
    record = record_of(req)
    if record is None and not req.routing_explanation:
        return None
    data: dict[str, Any] = {
        "explanation": render(req.routing_explanation),
        "priority": PRIORITY_LABELS.get(req.priority or ""),
        "note": render(record.note) if record else None,
        "queued": req.queued_at is not None,
        "queued_at": req.queued_at,
        "proposal": None,
    }
    if req.queued_at is not None:
        place, length = queue_place(req)
        group = (
            db.session.scalars(
                select(Department.name).where(
                    Department.portal_id == req.portal_id, Department.department_id == req.group_id
                )
            ).first()
            if req.group_id is not None
            else None
        )
        data.update(place=place, length=length, group=group)
    if record is not None and (record.proposed_type or record.proposed_urgency):
        applied = set(record.proposal_applied or [])
        data["proposal"] = [
            {
                "field": _("Тип"),
                "value": _label(REQUEST_TYPES, record.proposed_type, ctx.lang),
                "confidence": round((record.type_confidence or 0) * 100),
                "applied": "type" in applied,
                "reasons": [render(r) for r in (record.proposal_reasons or {}).get("type", [])],
            }
            if record.proposed_type
            else None,
            {
                "field": _("Срочность"),
                "value": _label(URGENCIES, record.proposed_urgency, ctx.lang),
                "confidence": round((record.urgency_confidence or 0) * 100),
                "applied": "urgency" in applied,
                "reasons": [render(r) for r in (record.proposal_reasons or {}).get("urgency", [])],
            }
            if record.proposed_urgency
            else None,
        ]
        data["proposal"] = [p for p in data["proposal"] if p]
    return data
